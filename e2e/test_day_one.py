"""A committee's first day, as a person sees it at 1366x768 in en-GB, en-US and French (issue
24): dates in the browser's own locale (day/month/year boxes and "12 May 1941" in en-GB, US order
in en-US, French as before); the invitation link and its code check brought into view and
focused; after every route change focus on the new view's heading, and "New dossier" ready to
type in; "Choose files…" drawn as the button it is; no "0 new" badge on a read workspace; a
status that says what is true ("Awaiting signatures 1/2", never "Decided" before the decision
is in force); a keyboard focus ring of at least 3:1 against what it is drawn on; passkey names
Paravent gave shown in the reader's language; a warning before a reload loses unsaved dossier
edits; and no page error on the page of a member who is revoked."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Dialog

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN, MEMBER

TIMEOUT_MS = 30_000
SCREEN = {"width": 1366, "height": 768}
PATIENT = "Mme Louise Premier"
BIRTH = datetime.date(1941, 5, 12)
# What each locale's person reads: the date boxes in order, the birth date, the status.
LOCALES = {
    "en-GB": {"parts": ["Day", "Month", "Year"], "born": "born 12 May 1941",
              "awaiting": "Awaiting signatures 1/2", "decided": "Decided",
              "given_name": "Première clé d\u2019accès", "other_language": "fr"},
    "en-US": {"parts": ["Month", "Day", "Year"], "born": "born May 12, 1941",
              "awaiting": "Awaiting signatures 1/2", "decided": "Decided",
              "given_name": "Première clé d\u2019accès", "other_language": "fr"},
    "fr-FR": {"parts": ["Jour", "Mois", "Année"], "born": "né(e) le 12 mai 1941",
              "awaiting": "En attente de signatures 1/2", "decided": "Décidé",
              "given_name": "First passkey", "other_language": "en"},
}
WCAG_NON_TEXT_CONTRAST = 3.0
# The focused element's outline colour and the background it is drawn on (the first opaque
# background among its ancestors, else the page's), as computed by the browser.
_FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement;
  let background = 'rgba(0, 0, 0, 0)';
  while (behind) {
    background = getComputedStyle(behind).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(background)) break;
    behind = behind.parentElement;
  }
  if (!behind) background = getComputedStyle(document.documentElement).backgroundColor;
  return { id: element.id || element.tagName, outline: style.outlineColor,
           style: style.outlineStyle, width: parseFloat(style.outlineWidth), background };
}"""


def _rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (int(float(part)) for part in re.findall(r"[\d.]+", css)[:3])
    return red, green, blue


def _luminance(rgb: tuple[int, int, int]) -> float:
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
              for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two CSS `rgb()` colours."""
    light, dark = sorted((_luminance(_rgb(first)), _luminance(_rgb(second))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _focused_id(user: UserBrowser) -> str:
    return user.page.evaluate("() => document.activeElement.id")


def _wait_focus(user: UserBrowser, selector: str) -> None:
    user.page.locator(f"{selector}:focus").wait_for(timeout=TIMEOUT_MS)


def _text(user: UserBrowser, selector: str) -> str:
    text = user.page.locator(selector).first.inner_text(timeout=TIMEOUT_MS)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _page_errors(*users: UserBrowser) -> list[str]:
    return [error for user in users for error in user.console_errors
            if error.startswith("pageerror")]


def _in_view(user: UserBrowser, selector: str) -> bool:
    box = user.page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]


def _assert_focus_ring_contrast(user: UserBrowser, where: str) -> None:
    ring = user.page.evaluate(_FOCUS_RING)
    assert ring["style"] != "none" and ring["width"] >= 2, (where, ring)
    ratio = contrast(ring["outline"], ring["background"])
    assert ratio >= WCAG_NON_TEXT_CONTRAST, (where, ring, round(ratio, 2))


def _tab_to(user: UserBrowser, selector: str) -> None:
    """Press Tab until the keyboard focus is on `selector` (as a keyboard user gets there)."""
    target = user.page.locator(selector)
    for _ in range(80):
        user.page.keyboard.press("Tab")
        if target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _invite_and_see_what_is_next(admin: UserBrowser) -> None:
    """Item 9: after "Create the invitation", the link and the code check are on screen and
    focus is on the section that holds them."""
    flows.go_to(admin, "invitations")
    admin.page.fill("#field-display_name", MEMBER.name)
    admin.page.fill("#field-email", MEMBER.email)
    admin.page.fill("#field-site", MEMBER.site)
    admin.page.click("#invite-submit")
    _wait_focus(admin, "#invitation-created")
    assert _in_view(admin, "#invitation-link") and _in_view(admin, "#greet-link")
    assert_accessible(admin.page, "home with an invitation created")


def _passkey_names_follow_the_language(admin: UserBrowser, texts: dict[str, str]) -> None:
    """The passkey Paravent named at the organization's creation reads in the other language
    once it is chosen, as every other string does."""
    home_language = admin.page.input_value("#language-select")
    admin.page.select_option("#language-select", texts["other_language"])
    admin.page.locator("#passkey-list .passkey-name", has_text=texts["given_name"]).wait_for(
        timeout=TIMEOUT_MS)
    admin.page.select_option("#language-select", home_language)


@pytest.mark.parametrize("locale", list(LOCALES))
def test_day_one_dates_focus_badges_and_statuses_read_true(server, new_user, locale):
    texts = LOCALES[locale]
    admin = new_user(viewport=SCREEN, locale=locale)
    flows.bootstrap(admin, server.bootstrap_link(f"CHU Premier jour {locale}"), ADMIN)
    _invite_and_see_what_is_next(admin)

    # Item 10: header links and in-app links leave focus on the new view's main heading.
    admin.page.click("#nav-security")
    _wait_focus(admin, "#security-title")
    _passkey_names_follow_the_language(admin, texts)
    admin.page.click("#user-nav a[href='#/']")
    _wait_focus(admin, "#me-title")
    workspace = f"Commission premier jour {locale}"
    flows.create_workspace(admin, workspace)
    _wait_focus(admin, "#workspace-title")
    admin.page.click("#user-nav a[href='#/']")
    _wait_focus(admin, "#me-title")
    admin.page.click(f"#workspace-list a:has-text('{workspace}')")
    _wait_focus(admin, "#workspace-title")

    flows.workspace_tab(admin, "settings")
    admin.page.click("#workflow-settings summary")
    admin.page.fill("#workflow-quorum", "2")
    admin.page.click("#workflow-save")
    admin.page.locator("#workflow-saved:not(:empty)").wait_for(timeout=TIMEOUT_MS)

    # "New dossier": what is typed goes into the form's first field.
    admin.page.click("#dossier-new")
    _wait_focus(admin, "#dossier-patient_name")
    admin.page.keyboard.type(PATIENT)
    assert admin.page.input_value("#dossier-patient_name") == PATIENT
    # Item 6: the date boxes in the order the browser's locale writes dates.
    parts = admin.page.locator("#dossier-birth_date .date-part label").all_inner_texts()
    assert parts == texts["parts"]
    flows.fill_date(admin, "dossier-birth_date", BIRTH)
    admin.page.click("#dossier-save")
    admin.page.locator("#dossier-saved:not(:empty)").wait_for(timeout=TIMEOUT_MS)

    # Item 7: the translated "Choose files…" label is drawn as the buttons beside it are.
    admin.page.wait_for_selector(".file-picker label.button", timeout=TIMEOUT_MS)
    look = "(e) => { const s = getComputedStyle(e); return [s.borderTopWidth, s.borderTopStyle, " \
        "s.borderTopColor, s.borderRadius, s.paddingTop, s.paddingLeft, s.backgroundColor, " \
        "s.cursor]; }"
    chooser = admin.page.locator(".file-picker label.button").evaluate(look)
    assert chooser == admin.page.locator("#dossier-history-button").evaluate(look)
    assert chooser[1] == "solid" and chooser[-1] == "pointer"

    # Item 12: a decision short of its quorum is awaited, not "Decided", wherever it shows.
    admin.page.click("#status-actions .move-review")
    admin.page.select_option("#decision-outcome", "accepted")
    admin.page.fill("#decision-reasons", "Critères réunis")
    admin.page.click("#decision-record")
    admin.page.locator("#decision-force.awaiting-quorum").wait_for(timeout=TIMEOUT_MS)
    assert _text(admin, "#dossier-status") == texts["awaiting"]
    assert texts["born"] in _text(admin, "#decision .decision-patient")
    flows.workspace_tab(admin, "dossiers")
    row = f"#dossier-table tr:has-text('{PATIENT}')"
    admin.page.locator(f"{row} td.status", has_text=texts["awaiting"]).wait_for(
        timeout=TIMEOUT_MS)
    assert texts["decided"] not in _text(admin, f"{row} td.status")
    admin.page.select_option("#filter-status", "awaiting_signatures")
    admin.page.locator(row).wait_for(timeout=TIMEOUT_MS)
    assert_accessible(admin.page, f"{locale} workspace with a decision awaiting signatures")
    admin.page.click(f"{row} button.open-dossier")
    _wait_focus(admin, "#dossier-form-title")

    # Item 14: the keyboard focus ring against what it is drawn on: a header link, a plain and
    # a primary button in the panels.
    for start, selector in (("#user-nav a[href='#/']", "#nav-security"),
                            ("#dossier-form-title", "#dossier-save"),
                            ("#committee-title", "#decision-print")):
        admin.page.locator(start).focus()
        _tab_to(admin, selector)
        _assert_focus_ring_contrast(admin, selector)

    # Item 8: once every comment is read, the workspace shows no "0 new" badge.
    admin.page.fill("#comment-text", "Dossier complet")
    admin.page.click("#comment-post")
    admin.page.locator("#comment-list", has_text="Dossier complet").wait_for(timeout=TIMEOUT_MS)
    admin.page.click("#user-nav a[href='#/']")
    badge = admin.page.locator(f"#workspace-list li:has-text('{workspace}') .badge.unread")
    badge.wait_for(state="attached", timeout=TIMEOUT_MS)
    admin.page.wait_for_function("(badge) => badge.textContent !== ''", arg=badge.element_handle(),
                                 timeout=TIMEOUT_MS)
    assert badge.is_hidden()
    assert _page_errors(admin) == []


def test_unsaved_dossier_edits_ask_before_a_reload(server, new_user):
    admin = new_user(viewport=SCREEN)
    flows.bootstrap(admin, server.bootstrap_link("CHU Brouillon"), ADMIN)
    flows.create_workspace(admin, "Commission brouillon")
    flows.new_dossier(admin, PATIENT)
    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    admin.page.on("dialog", answer)
    admin.page.reload()
    wait_for_crypto_ready(admin.page)
    assert dialogs == [], "a saved dossier must not hold the reload back"
    admin.page.click("#unlock-passkey")
    admin.page.wait_for_selector("#workspace-title", timeout=TIMEOUT_MS)
    admin.page.click(f"#dossier-table tr:has-text('{PATIENT}') button.open-dossier")
    admin.page.locator("#dossier-form-title:focus").wait_for(timeout=TIMEOUT_MS)
    admin.page.locator("#dossier-summary").press_sequentially("Synthèse pas encore enregistrée")
    admin.page.reload()
    wait_for_crypto_ready(admin.page)
    assert dialogs == ["beforeunload"]

    # The same edit saved: the form stays drawn with it, and nothing holds the reload back.
    admin.page.click("#unlock-passkey")
    admin.page.locator("#dossier-summary").press_sequentially("Synthèse enregistrée")
    admin.page.click("#dossier-save")
    admin.page.locator("#dossier-saved:not(:empty)").wait_for(timeout=TIMEOUT_MS)
    admin.page.reload()
    wait_for_crypto_ready(admin.page)
    assert dialogs == ["beforeunload"], "a saved edit must not hold the reload back"


def test_a_revoked_member_page_shows_no_page_error(server, organization):
    """The member has a dossier open when revoked; the admin then opens the workspace and the
    dossier (their presence reaches the revoked member's page): no page error on either."""
    admin, member, _ = organization
    flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    workspace = "Commission révocation"
    flows.create_workspace(admin, workspace)
    flows.share_workspace(admin, MEMBER, "contributor")
    flows.new_dossier(admin, PATIENT)
    flows.open_workspace(member, workspace)
    member.page.click(f"#dossier-table tr:has-text('{PATIENT}') button.open-dossier")
    member.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)

    flows.revoke(admin, MEMBER)
    member.page.locator("[role=alert]:not([hidden]):has-text('revoked')").wait_for(
        timeout=TIMEOUT_MS)
    flows.open_workspace(admin, workspace)
    admin.page.click(f"#dossier-table tr:has-text('{PATIENT}') button.open-dossier")
    admin.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)
    admin.page.fill("#comment-text", "Vu en commission")
    member.page.wait_for_timeout(3000)
    assert _page_errors(admin, member) == []
    assert member.page.locator("#sign-in-passkey").is_visible()
