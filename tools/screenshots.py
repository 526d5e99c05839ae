"""Screenshots of Paravent's main views, in English and French, for the README.

Runs the production server on a fresh data folder and a browser through the end-to-end harness
(e2e/harness: the same virtual passkeys, flows and server the tests use), plays a small
committee's day (an organisation, a pending invitation, a workspace with three dossiers in
different states, a document and a comment), and writes one PNG per view and language:

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--width 1366 --height 768]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from e2e.harness import flows
from e2e.harness.browser import UserBrowser, launch_chromium, open_user_browser
from e2e.harness.flows import ADMIN, MEMBER
from e2e.harness.server import ServerProcess

TIMEOUT_MS = 60_000
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
PATIENTS = ["Mme Rose Martin", "M. Paul Bernard", "Mme Alice Durand"]
COMMENT = {"en": "@Dr Claire Admin social assessment attached, favourable opinion.",
           "fr": "@Dr Claire Admin évaluation sociale jointe, avis favorable."}
REPORT = b"%PDF-1.4 " + b"x" * 48_000


def _shoot(user: UserBrowser, out: Path, language: str, view: str) -> None:
    """Waits for the page to settle (no toast left), then writes `<language>-<view>.png`."""
    user.page.locator("#toasts .toast").first.wait_for(state="detached", timeout=TIMEOUT_MS)
    user.page.evaluate("() => document.activeElement?.blur()")
    path = out / f"{language}-{view}.png"
    user.page.screenshot(path=str(path))
    print(f"{path} ({path.stat().st_size // 1024} KiB)")


def _committee_day(user: UserBrowser, language: str) -> None:
    """Three dossiers (submitted, under review, decided), a document and a comment."""
    flows.go_home(user)
    flows.create_workspace(user, {"en": "Rehabilitation committee",
                                  "fr": "Commission SSR"}[language])
    for patient in PATIENTS:
        flows.new_dossier(user, patient)
    flows.open_dossier(user, PATIENTS[1])
    user.page.click("#status-actions .move-review")
    user.page.locator("#dossier-status[data-status='under_review']").wait_for(timeout=TIMEOUT_MS)
    flows.open_dossier(user, PATIENTS[2])
    user.page.click("#status-actions .move-review")
    user.page.select_option("#decision-outcome", "accepted")
    user.page.fill("#decision-reasons", {"en": "Admission criteria met.",
                                         "fr": "Critères d\u2019admission réunis."}[language])
    user.page.click("#decision-record")
    user.page.locator("#dossier-status[data-status='decided']").wait_for(timeout=TIMEOUT_MS)
    flows.open_dossier(user, PATIENTS[0])
    user.page.fill("#dossier-requested_unit", "SSR")
    user.page.click("#dossier-save")
    user.page.set_input_files("#file-input", files=[{
        "name": "social-assessment.pdf", "mimeType": "application/pdf", "buffer": REPORT}])
    user.page.locator("#file-list li").first.wait_for(timeout=TIMEOUT_MS)
    user.page.fill("#comment-text", COMMENT[language])
    user.page.click("#comment-post")
    user.page.locator("#comment-list li").first.wait_for(timeout=TIMEOUT_MS)


def screenshots(out: Path, width: int, height: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server = ServerProcess(Path(folder) / "data").start()
        browser = launch_chromium(playwright)
        try:
            for language, locale in LOCALES.items():
                user = open_user_browser(browser, locale=locale,
                                         viewport={"width": width, "height": height})
                link = server.bootstrap_link(f"CHU {language.upper()}")
                flows.bootstrap(user, link, ADMIN)
                flows.invite(user, MEMBER)
                _shoot(user, out, language, "invitations")
                _committee_day(user, language)
                user.page.evaluate("() => window.scrollTo(0, 0)")
                _shoot(user, out, language, "dossier")
                user.page.locator("#file-list li details.menu summary").first.click()
                user.page.locator("#file-list").scroll_into_view_if_needed()
                _shoot(user, out, language, "documents")
                for tab in ("dossiers", "members"):
                    flows.workspace_tab(user, tab)
                    user.page.evaluate("() => window.scrollTo(0, 0)")
                    _shoot(user, out, language, f"workspace-{tab}")
                flows.go_home(user)
                user.page.locator("#workspace-list li").first.wait_for(timeout=TIMEOUT_MS)
                _shoot(user, out, language, "home")
                user.close()
        finally:
            browser.close()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    arguments = parser.parse_args()
    screenshots(arguments.out, arguments.width, arguments.height)


if __name__ == "__main__":
    main()
