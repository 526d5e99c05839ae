"""Every visible string exists in both languages, and every key the page uses is defined."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LIST_KEYS = """
const [en, fr] = await Promise.all(['en', 'fr'].map((l) => import(`./web/i18n/${l}.js`)));
console.log(JSON.stringify({en: en.default, fr: fr.default}));
"""


def _catalogs() -> dict[str, dict[str, str]]:
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", _LIST_KEYS],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=30,
    )
    return json.loads(completed.stdout)


def test_i18n_catalogs_have_the_same_keys():
    catalogs = _catalogs()
    assert set(catalogs["en"]) == set(catalogs["fr"])
    assert all(catalogs["fr"][key] for key in catalogs["fr"])


def test_i18n_every_key_used_by_the_page_is_defined():
    sources = [ROOT / "web/index.html", *sorted((ROOT / "web").rglob("*.js"))]
    used = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r'data-i18n="([\w.]+)"', text))
        used |= set(re.findall(r"\bt\('([\w.]+)'", text))
    assert used, "no message keys found: the scan is broken"
    defined = set(_catalogs()["en"])
    assert {key for key in used if key not in defined and f"{key}.other" not in defined} == set()


def test_i18n_plural_messages_have_one_and_other_forms_in_both_languages():
    for language, catalog in _catalogs().items():
        plurals = {key.rsplit(".", 1)[0] for key in catalog if key.endswith((".one", ".other"))}
        assert plurals, "no plural messages found: the scan is broken"
        missing = {key for key in plurals
                   if f"{key}.one" not in catalog or f"{key}.other" not in catalog}
        assert missing == set(), (language, missing)
