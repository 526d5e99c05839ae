"""Every JavaScript module of the app parses (node --check), so a typo fails here, not in a
browser."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "web").rglob("*.js")) + sorted((ROOT / "bench/pages").glob("*.js"))


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_js_module_parses(module):
    completed = subprocess.run(["node", "--check", str(module)], capture_output=True, text=True,
                               check=False, timeout=30)
    assert completed.returncode == 0, completed.stderr
