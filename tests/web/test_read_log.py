"""The page reads a workspace's log (web/log.js `readLog`), whole or from a checkpoint's head:
the server pages it (1000 entries a page) and the page reads each next page from the last entry
it read (`after`) while the server says more follow (`next`). Run in Node with `fetch`
answering as the server pages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_READ_THREE_PAGES = """
const base = '/api/workspaces/w-1/log';
const pages = {
  [`${base}?after=0`]: { entries: [{ seq: 1 }, { seq: 2 }], next: 'WzJd' },
  [`${base}?after=2`]: { entries: [{ seq: 3 }], next: 'WzNd+/=' },
  [`${base}?after=3`]: { entries: [{ seq: 4 }], next: null },
  [`${base}?after=7`]: { entries: [{ seq: 8 }], next: null },
};
const asked = [];
// The page's modules listen to the window's navigation; Node has no window.
globalThis.window = new EventTarget();
globalThis.fetch = async (path) => {
  asked.push(path);
  return { ok: path in pages, json: async () => pages[path] ?? {} };
};
const { readLog } = await import('./web/log.js');
const log = await readLog('w-1');
const fromCheckpoint = await readLog('w-1', 7);
console.log(JSON.stringify({ log, fromCheckpoint, asked }));
"""


def test_read_log_follows_every_page():
    completed = subprocess.run(["node", "--input-type=module", "-e", _READ_THREE_PAGES],
                               cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)
    read = json.loads(completed.stdout)
    assert [entry["seq"] for entry in read["log"]["entries"]] == [1, 2, 3, 4]
    assert [entry["seq"] for entry in read["fromCheckpoint"]["entries"]] == [8]
    assert len(read["asked"]) == 4
