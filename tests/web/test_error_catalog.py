"""Every error code the crypto layer or the page's own code can show has a message in both
languages, so no error reaches the screen as an English sentence inside a French page."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
from pathlib import Path

import pycrypto_wasm
from pycrypto_wasm.exceptions import CryptoError

ROOT = Path(__file__).resolve().parents[2]
_CATALOGS = """
const [en, fr] = await Promise.all(['en', 'fr'].map((l) => import(`./web/i18n/${l}.js`)));
console.log(JSON.stringify({en: en.default, fr: fr.default}));
"""


def _catalogs() -> dict[str, dict[str, str]]:
    completed = subprocess.run(["node", "--input-type=module", "-e", _CATALOGS], cwd=ROOT,
                               capture_output=True, text=True, check=True, timeout=30)
    return json.loads(completed.stdout)


def _crypto_error_codes() -> set[str]:
    for module in pkgutil.walk_packages(pycrypto_wasm.__path__, "pycrypto_wasm."):
        if not module.name.endswith("__main__"):
            try:
                importlib.import_module(module.name)
            except ImportError:
                continue
    pending, codes = [CryptoError], set()
    while pending:
        error = pending.pop()
        codes.add(error.code)
        pending.extend(error.__subclasses__())
    return codes


def _page_error_codes() -> set[str]:
    sources = sorted((ROOT / "web").rglob("*.js"))
    return {code for source in sources
            for code in re.findall(r"\bcode: '([a-z_]+)'", source.read_text(encoding="utf-8"))}


def test_error_catalog_translates_every_crypto_and_page_error_code():
    codes = _crypto_error_codes() | _page_error_codes()
    assert {"tampered_block", "broken_chain", "forbidden", "network"} <= codes, codes
    for language, catalog in _catalogs().items():
        missing = {code for code in codes if f"error.{code}" not in catalog}
        assert missing == set(), (language, missing)
