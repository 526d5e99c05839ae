"""The snapshot file format (web/worker/snapshot-pages.js): Pyodide's memory snapshot without its
pages of zeros comes back byte for byte, about half the size for a half-empty memory; another
version, a truncated file or trailing bytes are refused. Run in Node."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ROUND_TRIP = """
const { packSnapshot, unpackSnapshot } = await import('./web/worker/snapshot-pages.js');
const full = new Uint8Array(10 * 4096 + 100);
for (const page of [0, 3, 4, 9]) {
  crypto.getRandomValues(full.subarray(page * 4096, page * 4096 + 4096));
}
full[10 * 4096 + 99] = 7;
const packed = packSnapshot(full);
const back = unpackSnapshot(packed);
const refused = (bytes) => {
  try { unpackSnapshot(bytes); return null; } catch (error) { return error.message; }
};
const otherVersion = packed.slice();
otherVersion[4] = 2;
const trailing = new Uint8Array(packed.length + 1);
trailing.set(packed);
console.log(JSON.stringify({
  same: back.length === full.length && back.every((byte, index) => byte === full[index]),
  packed: packed.length,
  otherVersion: refused(otherVersion),
  truncated: refused(packed.subarray(0, packed.length - 1)),
  trailing: refused(trailing),
  notOurs: refused(full),
}));
"""


def test_snapshot_pages_round_trip_without_zero_pages_and_refuse_altered_files():
    completed = subprocess.run(["node", "--input-type=module", "-e", _ROUND_TRIP],
                               cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)
    result = json.loads(completed.stdout)
    assert result["same"]
    assert result["packed"] < 6 * 4096
    assert "version 2" in result["otherVersion"]
    assert "truncated" in result["truncated"]
    assert "trailing" in result["trailing"]
    assert result["notOurs"] == "not a Paravent snapshot"
