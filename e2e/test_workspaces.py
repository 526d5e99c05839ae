"""Workspaces and dossiers end to end: create, share, dossiers that appear live in the other
member's browser, two concurrent edits that both survive, unsharing that cuts access."""

from __future__ import annotations

import os
from pathlib import Path

from e2e.harness import flows
from e2e.harness.flows import MEMBER

TIMEOUT_MS = 30_000
PATIENT = "M. Jean Témoin"


def _home(user):
    user.page.goto(user.page.url.split("#")[0] + "#/")


def _dossier_row(user):
    return user.page.locator(f"#dossier-table tr:has-text('{PATIENT}')")


def _shared_workspace(admin, member, name, role):
    """The admin creates workspace `name` and shares it with the certified member."""
    flows.certified_member(admin, member, MEMBER)
    _home(admin)
    admin.page.fill("#workspace-name", name)
    admin.page.click("#workspace-create")
    admin.page.wait_for_selector("#workspace-title", timeout=TIMEOUT_MS)
    admin.page.select_option("#share-user", label=f"{MEMBER.name} — {MEMBER.site}")
    admin.page.select_option("#share-role", role)
    admin.page.click("#share-submit")
    admin.page.locator(f"#member-list li:has-text('{MEMBER.name}') .badge-verified").wait_for(
        timeout=TIMEOUT_MS)


def test_workspace_share_dossier_live_merge_and_unshare(organization):
    admin, member, _ = organization
    _shared_workspace(admin, member, "Commission SSR", "contributor")

    _home(member)
    member.page.click("#workspace-list a:has-text('Commission SSR')")
    member.page.wait_for_selector("#workspace-title", timeout=TIMEOUT_MS)

    admin.page.click("#dossier-new")
    admin.page.fill("#dossier-patient_name", PATIENT)
    admin.page.fill("#dossier-requested_unit", "SSR")
    admin.page.click("#dossier-save")
    _dossier_row(member).wait_for(timeout=TIMEOUT_MS)

    _dossier_row(admin).locator("button").click()
    _dossier_row(member).locator("button").click()
    admin.page.select_option("#dossier-urgency", "high")
    admin.page.click("#dossier-save")
    _dossier_row(member).locator("text=version 2").wait_for(timeout=TIMEOUT_MS)
    member.page.fill("#dossier-summary", "Bilan social complet joint.")
    member.page.click("#dossier-save")
    _dossier_row(admin).locator("text=version 3").wait_for(timeout=TIMEOUT_MS)
    assert "High" in _dossier_row(admin).inner_text()
    _dossier_row(admin).locator("button").click()
    admin.page.wait_for_selector("#dossier-form[data-version='3']", timeout=TIMEOUT_MS)
    assert admin.page.input_value("#dossier-summary") == "Bilan social complet joint."
    assert admin.page.input_value("#dossier-urgency") == "high"

    admin.page.click("#dossier-history-button")
    history = admin.page.locator("#dossier-history li")
    history.nth(2).wait_for(timeout=TIMEOUT_MS)
    assert history.count() == 3
    assert "Dr Claire Admin" in history.nth(0).inner_text()
    admin.page.click("#dossier-history button.restore[data-version='1']")
    _dossier_row(member).locator("text=version 4").wait_for(timeout=TIMEOUT_MS)
    assert "Normal" in _dossier_row(member).inner_text()

    remove = admin.page.locator(f"#member-list li:has-text('{MEMBER.name}') button.danger")
    remove.click()
    admin.page.locator(f"#member-list li:has-text('{MEMBER.name}')").wait_for(
        state="detached", timeout=TIMEOUT_MS)
    alert = member.page.locator("[role=alert]:not([hidden])")
    alert.wait_for(timeout=TIMEOUT_MS)
    assert "not a member" in alert.inner_text() or "no such workspace" in alert.inner_text()


def test_workspace_file_upload_download_identical_and_nothing_readable_at_rest(
    server, organization,
):
    admin, member, _ = organization
    _shared_workspace(admin, member, "Commission fichiers", "reader")
    admin.page.click("#dossier-new")
    admin.page.fill("#dossier-patient_name", PATIENT)
    admin.page.click("#dossier-save")
    _dossier_row(admin).locator("button").click()
    admin.page.wait_for_selector("#file-input", timeout=TIMEOUT_MS)

    marker = b"SCANNER-MARQUEUR-UNIQUE-7f3a"
    content = (marker + os.urandom(4096)) * (50 * 1024 * 1024 // (len(marker) + 4096))
    admin.page.set_input_files("#file-input", files=[{
        "name": "irm-cerebrale.bin", "mimeType": "application/octet-stream",
        "buffer": content}])
    admin.page.locator("#file-list li[data-name='irm-cerebrale.bin']").wait_for(timeout=120_000)

    _home(member)
    member.page.click("#workspace-list a:has-text('Commission fichiers')")
    _dossier_row(member).locator("button").click()
    member.page.wait_for_selector("#file-list", timeout=TIMEOUT_MS)
    assert member.page.locator("#file-input").count() == 0
    with member.page.expect_download(timeout=120_000) as download_info:
        member.page.click("#file-list li[data-name='irm-cerebrale.bin'] button.download")
    downloaded = Path(download_info.value.path()).read_bytes()
    assert downloaded == content

    at_rest = b"".join(path.read_bytes() for path in server.data_dir.rglob("*") if path.is_file())
    for secret in (marker, PATIENT.encode(), b"Commission fichiers"):
        assert secret not in at_rest
