"""Shared workstations, end to end (issue 24, item 13): a minute before the idle lock a warning
counts down, and a key keeps the session; once locked, the locked tab reads nothing from the
server (401 `session_locked`, the directory and the workspace list included) and its live
connection is closed, and nothing typed is left in clear in the page; the passkey brings the
person back to the same dossier with the comment and the dossier edit they had not sent;
"Switch user" lets the next person sign in with their own passkey in the same browser, with
nothing of the first one left; leaving the page with unsent text asks first. The idle delay is
the server's (10 minutes), on the page's clock.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser
from e2e.harness.flows import ADMIN, MEMBER, TIMEOUT_MS

SCREEN = {"width": 1366, "height": 768}
TEXTS = {
    "en-GB": {"title": "Still there?", "countdown": "Locks in 0:5", "switch": "Switch user"},
    "fr-FR": {"title": "Toujours là ?", "countdown": "Verrouillage dans 0:5",
              "switch": "Changer d\u2019utilisateur"},
}
COMMENT = "Avis du Dr Admin : à revoir après le bilan du 14"
SUMMARY = "Chute à domicile, bilan en cours"
PATIENT = "Mme Odette Verrou"
WORKSPACE = "Commission verrou"
READ_FROM_THE_PAGE = """async (paths) => Promise.all(paths.map(async (path) => {
  const response = await fetch(path);
  return [path, response.status, (await response.json()).error?.code ?? null];
}))"""
STORED_IN_CLEAR = """async (text) => JSON.stringify({ ...localStorage }).includes(text)
  || JSON.stringify({ ...sessionStorage }).includes(text)
  || document.documentElement.outerHTML.includes(text)
  || [...document.querySelectorAll('input, textarea')]
    .some((field) => field.value.includes(text))"""


def _open_a_dossier_and_type(admin: UserBrowser) -> str:
    """A new dossier, left open on its page with a comment and a summary typed, not sent."""
    flows.create_workspace(admin, WORKSPACE)
    admin.page.click("#dossier-new")
    admin.page.fill("#dossier-patient_name", PATIENT)
    admin.page.click("#dossier-save")
    admin.page.locator("#comment-text").wait_for(timeout=TIMEOUT_MS)
    admin.page.fill("#comment-text", COMMENT)
    admin.page.fill("#dossier-summary", SUMMARY)
    return admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}')").get_attribute(
        "data-document-id")


@pytest.mark.parametrize("locale", TEXTS)
def test_warned_a_minute_before_then_locked_then_back_on_the_same_dossier(server, new_user,
                                                                          locale):
    texts = TEXTS[locale]
    admin = new_user(viewport=SCREEN, locale=locale)
    admin.page.clock.install()
    flows.bootstrap(admin, server.bootstrap_link("CHU Poste partagé"), ADMIN)
    dossier_id = _open_a_dossier_and_type(admin)
    assert admin.page.url.endswith(f"/{dossier_id}")

    admin.page.clock.fast_forward("09:01")
    warning = admin.page.locator("#idle-warning")
    warning.wait_for(timeout=TIMEOUT_MS)
    assert admin.page.locator("#idle-warning-title").inner_text() == texts["title"]
    assert texts["countdown"] in admin.page.locator("#idle-warning-countdown").inner_text()
    box = warning.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]
    assert admin.page.locator("#dossier-summary").evaluate(
        "(field) => field === document.activeElement"), "the warning took the focus"
    assert admin.page.locator("#lock-screen").count() == 0
    assert_accessible(admin.page, "idle warning")
    admin.page.keyboard.press("Shift")
    warning.wait_for(state="detached", timeout=TIMEOUT_MS)
    admin.page.clock.fast_forward("09:01")
    warning.wait_for(timeout=TIMEOUT_MS)
    assert admin.page.locator("#comment-text").input_value() == COMMENT

    admin.page.clock.fast_forward("01:05")
    admin.page.wait_for_selector("#lock-screen", timeout=TIMEOUT_MS)
    assert_accessible(admin.page, "lock screen")
    assert admin.page.locator("#lock-switch-user").inner_text() == texts["switch"]
    reads = admin.page.evaluate(READ_FROM_THE_PAGE, [
        "/api/directory", "/api/workspaces", "/api/notifications"])
    assert [(status, code) for _, status, code in reads] == [(401, "session_locked")] * 3, reads
    status = admin.page.locator("#connection-status")
    admin.page.wait_for_function(
        "() => document.getElementById('connection-status').dataset.state === 'disconnected'",
        timeout=TIMEOUT_MS)
    admin.page.clock.fast_forward("00:30")
    assert status.get_attribute("data-state") == "disconnected"
    for typed in (COMMENT, SUMMARY, PATIENT):
        assert not admin.page.evaluate(STORED_IN_CLEAR, typed), typed

    admin.page.click("#unlock-passkey")
    admin.page.locator("#comment-text").wait_for(timeout=TIMEOUT_MS)
    admin.page.wait_for_function(
        "(text) => document.getElementById('comment-text').value === text", arg=COMMENT,
        timeout=TIMEOUT_MS)
    assert admin.page.url.endswith(f"#/w/{flows.workspace_id(admin)}/{dossier_id}")
    assert admin.page.locator("#dossier-summary").input_value() == SUMMARY
    assert admin.page.locator("#dossier-patient_name").input_value() == PATIENT
    admin.page.wait_for_function(
        "() => document.getElementById('connection-status').dataset.state === 'connected'",
        timeout=TIMEOUT_MS)
    assert admin.page.evaluate(READ_FROM_THE_PAGE, ["/api/directory"])[0][1] == 200


def test_switch_user_lets_the_next_person_sign_in_with_nothing_of_the_first_left(
        server, organization):
    admin, member, _ = organization
    recovery = flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    _open_a_dossier_and_type(admin)
    the_first_ones = (ADMIN.name, WORKSPACE, PATIENT, COMMENT, SUMMARY)

    admin.page.click("#switch-user")
    admin.page.wait_for_selector("#sign-in-passkey", timeout=TIMEOUT_MS)
    page_text = admin.page.locator("body").inner_text()
    assert not [text for text in the_first_ones if text in page_text]
    assert admin.page.evaluate(READ_FROM_THE_PAGE, ["/api/directory"])[0][1:] == [
        401, "unauthenticated"]
    assert_accessible(admin.page, "sign-in after switch user")

    # The first person takes their security key away; the next one brings theirs. (Chromium's
    # virtual authenticator cannot export a credential's PRF secret: the copied passkey proves
    # who the next person is, and their recovery code then unlocks their keys.)
    admin.lose_passkeys()
    for credential in member.credentials():
        admin.cdp.send("WebAuthn.addCredential", {"authenticatorId": admin.authenticator_id,
                                                  "credential": credential})
    admin.page.click("#sign-in-passkey")
    admin.page.fill("#unlock-recovery-code", recovery, timeout=TIMEOUT_MS)
    admin.page.click("form button[type=submit]")
    admin.page.locator("#signed-in-as").wait_for(timeout=TIMEOUT_MS)
    assert admin.page.locator("#signed-in-as").inner_text() == MEMBER.name
    assert flows.fingerprint(admin) == flows.fingerprint(member)
    page_text = admin.page.locator("body").inner_text()
    assert not [text for text in the_first_ones if text in page_text]


def test_leaving_with_unsent_text_asks_first_and_stays_when_told(server, new_user):
    admin = new_user()
    flows.bootstrap(admin, server.bootstrap_link("CHU Départ"), ADMIN)
    _open_a_dossier_and_type(admin)
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    admin.page.once("dialog", stay)
    admin.page.close(run_before_unload=True)
    admin.page.wait_for_function("() => true")
    assert asked == ["beforeunload"]
    assert admin.page.locator("#comment-text").input_value() == COMMENT
