"""The crypto worker's Pyodide memory snapshot (an experimental Pyodide feature) does not freeze
randomness: two runtimes restored from the same snapshot draw different random bytes."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.crossruntime.conftest import ROOT, _built_snapshot, _built_wheel

pytestmark = pytest.mark.node


def _restored_random() -> dict[str, str]:
    wheel = _built_wheel()
    completed = subprocess.run(
        ["node", "tests/crossruntime/run_in_pyodide.mjs", "tests/crossruntime/fresh_randomness.py",
         str(wheel), str(_built_snapshot(wheel))],
        cwd=ROOT, input="", capture_output=True, text=True, timeout=120, check=False)
    if completed.returncode != 0:
        pytest.fail(f"Pyodide run failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout)


def test_snapshot_restores_draw_fresh_random_bytes():
    first, second = _restored_random(), _restored_random()
    assert first["random_bytes"] != second["random_bytes"]
    assert first["urandom"] != second["urandom"]
