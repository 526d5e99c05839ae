"""The axe-core accessibility check (WCAG 2.2 A and AA rules) of what a page shows now.

axe-core is vendored like the other browser assets (`static/vendor/axe-core/`, from npm) and
served by our own server; only the tests load it, into the page under test.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from playwright.sync_api import Page

WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
  return result.violations.map((violation) => ({
    rule: violation.id, impact: violation.impact, help: violation.help,
    nodes: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.2 AA violations axe-core finds in the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        base = page.get_attribute("body", "data-asset-base") or "/"
        page.add_script_tag(url=urljoin(page.url, f"{base}vendor/axe-core/axe.min.js"))
    return page.evaluate(_RUN_AXE, WCAG_AA_TAGS)


def assert_accessible(page: Page, view: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{view}: {violations}"
