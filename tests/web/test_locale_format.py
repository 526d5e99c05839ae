"""Dates, sizes and plural forms follow the UI's language (Intl in that language), not the
runtime's: the formatting module run in Node with the page's catalogs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_FORMAT_IN_BOTH_LANGUAGES = """
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
globalThis.document = { documentElement: {}, querySelectorAll: () => [], dispatchEvent: () => {} };
const { setLanguage, t } = await import('./web/i18n/i18n.js');
const format = await import('./web/i18n/format.js');
const shown = {};
for (const language of ['en', 'fr']) {
  setLanguage(language);
  shown[language] = {
    date: format.formatDate('2026-02-12'),
    size: format.formatSize(50 * 1024 * 1024),
    fraction: format.formatSize(1536),
    bytes: format.formatSize(900),
    one: t('committee.timeline', { count: 1 }),
    many: t('committee.timeline', { count: 3 }),
    notDate: format.formatDate('soon'),
  };
}
console.log(JSON.stringify(shown));
"""


def _shown() -> dict[str, dict[str, str]]:
    completed = subprocess.run(["node", "--input-type=module", "-e", _FORMAT_IN_BOTH_LANGUAGES],
                               cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)
    return json.loads(completed.stdout.replace("\\u00a0", " ").replace("\\u202f", " "))


def test_locale_dates_sizes_and_plurals_follow_the_chosen_language():
    shown = _shown()
    assert shown["en"] == {"date": "Feb 12, 2026", "size": "50 MiB", "fraction": "1.5 KiB",
                           "bytes": "900 B", "one": "Timeline (1 entry)",
                           "many": "Timeline (3 entries)", "notDate": "soon"}
    assert shown["fr"] == {"date": "12 févr. 2026", "size": "50 Mio", "fraction": "1,5 Kio",
                           "bytes": "900 o", "one": "Chronologie (1 entrée)",
                           "many": "Chronologie (3 entrées)", "notDate": "soon"}
