"""The drop-box vectors (tests/data/dropbox-vectors.json), byte for byte, under CPython (PyNaCl)
and Pyodide (libsodium.js, booted from the wheel and from the worker's snapshot), and each
runtime opens and verifies the other's fresh sealed deposits, signatures, link info and link
descriptors."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.crossruntime import dropbox_vectors
from tests.crossruntime.conftest import (
    PEER_PLAINTEXT,
    PYODIDE_PLAINTEXT,
    ROOT,
    _built_snapshot,
    _built_wheel,
)

VECTOR_FILE = ROOT / "tests/data/dropbox-vectors.json"
CASES = json.loads(VECTOR_FILE.read_text(encoding="utf-8"))["cases"]
NAMES = [case["name"] for case in CASES]


@pytest.fixture(scope="module", params=["wheel", "snapshot"])
def pyodide_drops(request: pytest.FixtureRequest) -> dict[str, Any]:
    wheel = _built_wheel()
    snapshot = [str(_built_snapshot(wheel))] if request.param == "snapshot" else []
    exchange = {"vectors": CASES, "plaintext": PYODIDE_PLAINTEXT.hex(),
                "challenges": dropbox_vectors.make_challenges(PEER_PLAINTEXT)}
    completed = subprocess.run(
        ["node", "tests/crossruntime/run_in_pyodide.mjs", "tests/crossruntime/dropbox_vectors.py",
         str(wheel), *snapshot],
        cwd=ROOT, input=json.dumps(exchange), capture_output=True, text=True, timeout=120,
        check=False)
    if completed.returncode != 0:
        pytest.fail(f"Pyodide run failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout)


def test_the_vectors_cover_every_drop_box_format():
    assert {case["kind"] for case in CASES} == set(dropbox_vectors.COMPUTE)


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_cpython_matches_the_drop_box_vectors(case):
    assert dropbox_vectors.compute(case) == case["expected"]


@pytest.mark.node
def test_pyodide_matches_the_drop_box_vectors(pyodide_drops):
    assert pyodide_drops["runtime"].startswith("libsodium.js")
    for case in CASES:
        assert pyodide_drops["outputs"][case["name"]] == case["expected"], case["name"]


@pytest.mark.node
def test_each_runtime_opens_the_others_drop_box_objects(pyodide_drops):
    assert pyodide_drops["opened"] == dict.fromkeys(
        ("deposit", "signature", "link_info", "descriptor"), PEER_PLAINTEXT.hex())
    opened = dropbox_vectors.open_challenges(pyodide_drops["challenges"])
    assert opened == dict.fromkeys(opened, PYODIDE_PLAINTEXT.hex())
