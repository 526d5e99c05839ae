"""Runs tests/crossruntime/vectors.py under real Pyodide with libsodium.js, once per session."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.crossruntime import vectors

ROOT = Path(__file__).resolve().parents[2]
VECTOR_FILE = ROOT / "tests/data/vectors.json"
PEER_PLAINTEXT = "Compte rendu : patiente âgée admise en SSR".encode()
PYODIDE_PLAINTEXT = b"reply from the browser runtime"


def _built_wheel() -> Path:
    wheels = sorted((ROOT / "static/wheels").glob("pycrypto_wasm-*.whl"))
    if not wheels or not (ROOT / "static/vendor/pyodide/pyodide.mjs").exists():
        pytest.fail("browser assets are not built: run `make assets` (or `make test`)")
    wheel = wheels[-1]
    with zipfile.ZipFile(wheel) as archive:
        for source in (ROOT / "pycrypto_wasm").rglob("*.py"):
            name = source.relative_to(ROOT).as_posix()
            if archive.read(name) != source.read_bytes():
                pytest.fail(f"{wheel.name} is older than {name}: run `make assets`")
    return wheel


@pytest.fixture(scope="session")
def vector_cases() -> list[dict[str, Any]]:
    return json.loads(VECTOR_FILE.read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="session")
def cpython_challenges() -> dict[str, str]:
    return vectors.make_challenges(PEER_PLAINTEXT)


@pytest.fixture(scope="session")
def pyodide_run(vector_cases, cpython_challenges) -> dict[str, Any]:
    request = {
        "vectors": vector_cases,
        "challenges": cpython_challenges,
        "plaintext": PYODIDE_PLAINTEXT.hex(),
    }
    completed = subprocess.run(
        ["node", "tests/crossruntime/run_in_pyodide.mjs", "tests/crossruntime/vectors.py",
         str(_built_wheel())],
        cwd=ROOT, input=json.dumps(request), capture_output=True, text=True, timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"Pyodide run failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout)
