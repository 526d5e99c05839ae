"""The same vectors, byte for byte, under CPython (PyNaCl) and Pyodide (libsodium.js)."""

from __future__ import annotations

import json

import pytest

from tests.crossruntime import vectors
from tests.crossruntime.conftest import PEER_PLAINTEXT, PYODIDE_PLAINTEXT, VECTOR_FILE

CASES = json.loads(VECTOR_FILE.read_text(encoding="utf-8"))["cases"]
CASE_NAMES = [case["name"] for case in CASES]
PYTHON_CASE_NAMES = [case["name"] for case in CASES if case["kind"] not in vectors.WEBCRYPTO_KINDS]


def _expected(name: str) -> dict:
    return next(case["expected"] for case in CASES if case["name"] == name)


def test_vectors_cover_every_format():
    assert {case["kind"] for case in CASES} == set(vectors.COMPUTE)


@pytest.mark.parametrize("case", CASES, ids=CASE_NAMES)
def test_vectors_cpython_matches_expected(case):
    outputs = vectors.compute(case)
    for field, expected in case["expected"].items():
        assert outputs[field] == expected, f"{case['name']}: {field}"


@pytest.mark.node
@pytest.mark.parametrize("name", PYTHON_CASE_NAMES)
def test_vectors_pyodide_matches_expected(pyodide_run, name):
    outputs = pyodide_run["outputs"][name]
    for field, expected in _expected(name).items():
        assert outputs[field] == expected, f"{name}: {field}"


@pytest.mark.node
def test_vectors_pyodide_runs_on_libsodium_js(pyodide_run):
    assert pyodide_run["runtime"].startswith("libsodium.js")


@pytest.mark.node
def test_vectors_pyodide_opens_cpython_objects(pyodide_run):
    assert pyodide_run["opened"] == dict.fromkeys(
        ("envelope", "sealed", "addressed", "signed", "manifest", "freshness_answer",
         "heads_record", "share_link"), PEER_PLAINTEXT.hex()
    )


@pytest.mark.node
def test_vectors_cpython_opens_pyodide_objects(pyodide_run, cpython_challenges):
    opened = vectors.open_challenges(pyodide_run["challenges"])
    assert opened == dict.fromkeys(opened, PYODIDE_PLAINTEXT.hex())
    assert pyodide_run["challenges"]["envelope"] != cpython_challenges["envelope"]
