"""Runs tests/crossruntime/vectors.py under real Pyodide with libsodium.js, once per session for
each way the crypto worker boots: from the wheel, and restored from its memory snapshot."""

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
SNAPSHOT = ROOT / "static/snapshots/pyodide-snapshot.bin"
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


def _built_snapshot(wheel: Path) -> Path:
    if not SNAPSHOT.exists() or SNAPSHOT.stat().st_mtime < wheel.stat().st_mtime:
        pytest.fail("the Pyodide snapshot is older than the wheel: run `make assets`")
    return SNAPSHOT


@pytest.fixture(scope="session", params=["wheel", "snapshot"])
def pyodide_run(request, vector_cases, cpython_challenges) -> dict[str, Any]:
    exchange = {
        "vectors": vector_cases,
        "challenges": cpython_challenges,
        "plaintext": PYODIDE_PLAINTEXT.hex(),
    }
    wheel = _built_wheel()
    snapshot = [str(_built_snapshot(wheel))] if request.param == "snapshot" else []
    completed = subprocess.run(
        ["node", "tests/crossruntime/run_in_pyodide.mjs", "tests/crossruntime/vectors.py",
         str(wheel), *snapshot],
        cwd=ROOT, input=json.dumps(exchange), capture_output=True, text=True, timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"Pyodide run failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout)
