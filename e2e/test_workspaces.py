"""Workspaces and dossiers end to end: create, share, dossiers that appear live in the other
member's browser, two concurrent edits that both survive, unsharing that cuts access."""

from __future__ import annotations

import os
from pathlib import Path

from e2e.harness import flows
from e2e.harness.flows import MEMBER, Person

TIMEOUT_MS = 30_000
PATIENT = "M. Jean Témoin"
READER = Person("M. Hugo Lecteur", "hugo@chu-est.example", "CHU Est")


def _dossier_row(user):
    return user.page.locator(f"#dossier-table tr:has-text('{PATIENT}')")


def test_workspace_share_dossier_live_merge_and_unshare(organization):
    admin, member, _ = organization
    flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    flows.create_workspace(admin, "Commission SSR")
    flows.share_workspace(admin, MEMBER, "contributor")
    flows.open_workspace(member, "Commission SSR")

    flows.new_dossier(admin, PATIENT)
    _dossier_row(member).wait_for(timeout=TIMEOUT_MS)

    flows.open_dossier(admin, PATIENT)
    flows.open_dossier(member, PATIENT)
    admin.page.select_option("#dossier-urgency", "high")
    admin.page.click("#dossier-save")
    _dossier_row(member).locator("text=version 2").wait_for(state="attached", timeout=TIMEOUT_MS)
    member.page.fill("#dossier-summary", "Bilan social complet joint.")
    member.page.click("#dossier-save")
    _dossier_row(admin).locator("text=version 3").wait_for(state="attached", timeout=TIMEOUT_MS)
    assert "High" in _dossier_row(admin).text_content()
    flows.open_dossier(admin, PATIENT)
    admin.page.wait_for_selector("#dossier-form[data-version='3']", timeout=TIMEOUT_MS)
    assert admin.page.input_value("#dossier-summary") == "Bilan social complet joint."
    assert admin.page.input_value("#dossier-urgency") == "high"

    admin.page.click("#dossier-history-button")
    history = admin.page.locator("#dossier-history li")
    history.nth(2).wait_for(timeout=TIMEOUT_MS)
    assert history.count() == 3
    assert "Dr Claire Admin" in history.nth(0).inner_text()
    admin.page.click("#dossier-history button.restore[data-version='1']")
    _dossier_row(member).locator("text=version 4").wait_for(state="attached", timeout=TIMEOUT_MS)
    assert "Normal" in _dossier_row(member).text_content()

    flows.workspace_tab(admin, "members")
    remove = admin.page.locator(f"#member-list li:has-text('{MEMBER.name}') button.danger")
    remove.click()
    flows.confirm(admin)
    admin.page.locator(f"#member-list li:has-text('{MEMBER.name}')").wait_for(
        state="detached", timeout=TIMEOUT_MS)
    alert = member.page.locator("[role=alert]:not([hidden])")
    alert.wait_for(timeout=TIMEOUT_MS)
    assert "You were removed from this workspace" in alert.inner_text()


def _server_status(user, method, path, body):
    """What the server answers this user's session for a raw request (the UI would not send)."""
    return user.page.evaluate(
        """async ([method, path, body]) => (await fetch(path, { method,
            headers: { 'Content-Type': 'application/json' },
            body: body === null ? undefined : JSON.stringify(body) })).status""",
        [method, path, body])


def test_workspace_three_members_file_live_reader_refused_unshare_nothing_at_rest(
    server, organization, new_user,
):
    admin, member, _ = organization
    reader = new_user()
    flows.certified_member(admin, member, MEMBER)
    flows.certified_member(admin, reader, READER)
    flows.go_home(admin)
    workspace_id = flows.create_workspace(admin, "Commission fichiers")
    flows.share_workspace(admin, MEMBER, "contributor")
    flows.share_workspace(admin, READER, "reader")
    flows.new_dossier(admin, PATIENT)

    for other in (member, reader):
        flows.open_workspace(other, "Commission fichiers")
        flows.open_dossier(other, PATIENT)
    notice = reader.page.locator("#read-only-notice")
    assert "reader" in notice.inner_text()
    assert reader.page.locator("#file-input, #dossier-save, #dossier-new").count() == 0
    dossier_id = _dossier_row(reader).get_attribute("data-document-id")
    dossier_url = f"/api/workspaces/{workspace_id}/documents/{dossier_id}"
    refused = _server_status(reader, "PUT", dossier_url,
                             {"kind": "dossier", "expected_version": 1, "manifest": "eA"})
    assert refused == 403

    flows.open_dossier(admin, PATIENT)
    marker = b"SCANNER-MARQUEUR-UNIQUE-7f3a"
    content = (marker + os.urandom(4096)) * (50 * 1024 * 1024 // (len(marker) + 4096))
    admin.page.set_input_files("#file-input", files=[{
        "name": "irm-cerebrale.bin", "mimeType": "application/octet-stream",
        "buffer": content}])
    admin.page.locator("#transfers li.upload").wait_for(timeout=TIMEOUT_MS)
    admin.page.locator("#file-list li[data-name='irm-cerebrale.bin']").wait_for(timeout=120_000)
    for other in (member, reader):
        other.page.locator("#file-list li[data-name='irm-cerebrale.bin']").wait_for(
            timeout=TIMEOUT_MS)

    with reader.page.expect_download(timeout=120_000) as download_info:
        reader.page.click("#file-list li[data-name='irm-cerebrale.bin'] button.download")
    assert Path(download_info.value.path()).read_bytes() == content

    flows.workspace_tab(admin, "members")
    reader_row = admin.page.locator(f"#member-list li:has-text('{READER.name}')")
    reader_row.locator("button.danger").click()
    flows.confirm(admin)
    reader_row.wait_for(state="detached", timeout=TIMEOUT_MS)
    assert _server_status(reader, "GET", f"/api/workspaces/{workspace_id}", None) == 404
    assert _server_status(member, "GET", f"/api/workspaces/{workspace_id}", None) == 200

    at_rest = b"".join(path.read_bytes() for path in server.data_dir.rglob("*") if path.is_file())
    for secret in (marker, PATIENT.encode(), b"Commission fichiers"):
        assert secret not in at_rest
