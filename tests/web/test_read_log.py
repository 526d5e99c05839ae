"""The page reads a workspace's log whole (web/log.js `readLog`): the server pages it (1000
entries a page) and the history verifies only from its first entry to its last, so every page is
followed through `next`. Run in Node with `fetch` answering as the server pages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_READ_THREE_PAGES = """
const base = '/api/workspaces/w-1/log';
const pages = {
  [base]: { entries: [{ seq: 1 }, { seq: 2 }], next: 'WzJd', read_markers: { 'd-1': 2 } },
  [`${base}?cursor=WzJd`]: { entries: [{ seq: 3 }], next: 'WzNd+/=', read_markers: {} },
  [`${base}?cursor=WzNd%2B%2F%3D`]: { entries: [{ seq: 4 }], next: null, read_markers: {} },
};
const asked = [];
// The page's modules listen to the window's navigation; Node has no window.
globalThis.window = new EventTarget();
globalThis.fetch = async (path) => {
  asked.push(path);
  return { ok: path in pages, json: async () => pages[path] ?? {} };
};
const { readLog } = await import('./web/log.js');
console.log(JSON.stringify({ log: await readLog('w-1'), asked }));
"""


def test_read_log_follows_every_page():
    completed = subprocess.run(["node", "--input-type=module", "-e", _READ_THREE_PAGES],
                               cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)
    read = json.loads(completed.stdout)
    assert [entry["seq"] for entry in read["log"]["entries"]] == [1, 2, 3, 4]
    assert read["log"]["read_markers"] == {"d-1": 2}
    assert read["log"]["next"] is None
    assert len(read["asked"]) == 3
