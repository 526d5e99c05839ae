"""The committee at work, in two browsers on two sites: a dossier goes from submission through a
document request and a live discussion to a signed decision, each step seen by the other member
without reloading; a contributor cannot record a decision (client and server); a decision needs
the quorum the owner set; the exported log verifies offline, and a log entry altered, reordered
or dropped in the database is reported by the browser, above the workspace, and by the verifier at
the entry where the chain breaks. No text reaches the disk."""

from __future__ import annotations

import datetime
import sqlite3
import subprocess
import sys
from pathlib import Path

from e2e.harness import flows
from e2e.harness.flows import ADMIN, MEMBER

TIMEOUT_MS = 30_000
PATIENT = "Mme Lucie Témoin"
WORKSPACE = "Commission SSR Nord-Sud"
REQUEST = "Évaluation sociale récente"
COMMENT = "Évaluation jointe, avis favorable du service social"
REASONS = "Critères d'admission réunis, projet de soins validé"


def _open_dossier(user):
    flows.open_workspace(user, WORKSPACE)
    user.page.locator(f"#dossier-table tr:has-text('{PATIENT}') button").click()
    user.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)


def _status(user, status):
    user.page.locator(f"#dossier-status[data-status='{status}']").wait_for(timeout=TIMEOUT_MS)


def _verify_export(user, tmp_path):
    flows.workspace_tab(user, "activity")
    with user.page.expect_download(timeout=TIMEOUT_MS) as download:
        user.page.click("#log-export")
    path = tmp_path / download.value.suggested_filename
    Path(download.value.path()).replace(path)
    return subprocess.run([sys.executable, "-m", "pycrypto_wasm.audit", "verify", str(path)],
                          capture_output=True, text=True, check=False)


def _refused_by_server(user, workspace_id):
    return user.page.evaluate("""async (workspaceId) => (await fetch(
        `/api/workspaces/${workspaceId}/log`, { method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ seq: 99, kind: 'decision', entry: 'eA' }) })).status""",
                              workspace_id)


def _broken_chain_reported(admin, tmp_path, position):
    flows.open_workspace(admin, WORKSPACE)
    flows.workspace_tab(admin, "activity")
    state = admin.page.locator("#chain-state[data-verified='false']")
    state.wait_for(timeout=TIMEOUT_MS)
    assert f"entry {position}" in state.inner_text()
    assert f"entry {position}" in admin.page.inner_text("#history-alerts")
    result = _verify_export(admin, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"CHAIN BROKEN at entry {position}" in result.stdout


def test_committee_takes_a_dossier_to_a_signed_decision(server, organization, tmp_path):
    admin, member, _ = organization
    flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    workspace_id = flows.create_workspace(admin, WORKSPACE)
    flows.share_workspace(admin, MEMBER)
    flows.workspace_tab(admin, "settings")
    admin.page.click("#workflow-settings summary")
    admin.page.fill("#workflow-quorum", "2")
    admin.page.click("#workflow-save")
    admin.page.locator("#workflow-quorum").wait_for(timeout=TIMEOUT_MS)
    admin.page.click("#dossier-new")
    admin.page.fill("#dossier-patient_name", PATIENT)
    admin.page.fill("#dossier-referring_site", MEMBER.site)
    admin.page.click("#dossier-save")

    _open_dossier(member)
    _open_dossier(admin)
    _status(member, "submitted")
    admin.page.locator(f"#presence:has-text('{MEMBER.name}')").wait_for(timeout=TIMEOUT_MS)

    admin.page.click("#status-actions .move-review")
    _status(member, "under_review")
    # A request made days ago, due the day before yesterday: it is overdue now.
    dossier_id = admin.page.get_attribute(f"#dossier-table tr:has-text('{PATIENT}')",
                                          "data-document-id")
    flows.record_request_due(admin, dossier_id, REQUEST,
                             datetime.date.today() - datetime.timedelta(days=2))
    request = member.page.locator(f"#request-list li.open.overdue:has-text('{REQUEST}')")
    request.wait_for(timeout=TIMEOUT_MS)
    _status(member, "information_requested")

    member.page.set_input_files("#file-input", files=[{
        "name": "evaluation-sociale.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4 evaluation sociale"}])
    member.page.locator("#file-list li[data-name='evaluation-sociale.pdf']").wait_for(
        timeout=TIMEOUT_MS)
    request.locator("select.request-file").select_option(label="evaluation-sociale.pdf")
    request.locator("button.fulfil").click()
    admin.page.locator(f"#request-list li.fulfilled:has-text('{REQUEST}')").wait_for(
        timeout=TIMEOUT_MS)

    member.page.click("#comment-text")
    member.page.keyboard.type(COMMENT)
    admin.page.locator(f"#presence .typing:has-text('{MEMBER.name}')").wait_for(
        timeout=TIMEOUT_MS)
    member.page.select_option("#comment-mention", label=ADMIN.name)
    member.page.click("#comment-post")
    comment = admin.page.locator(f"#comment-list li:has-text('{COMMENT}')")
    comment.wait_for(timeout=TIMEOUT_MS)
    assert comment.locator("mark.mention-me").inner_text() == f"@{ADMIN.name}"
    assert MEMBER.site in comment.inner_text()

    assert member.page.is_visible("#decision-not-allowed")
    assert member.page.locator("#decision-form").count() == 0
    assert _refused_by_server(member, workspace_id) == 403

    admin.page.select_option("#decision-outcome", "accepted")
    admin.page.fill("#decision-reasons", REASONS)
    admin.page.check(f"#decision-form input[value='{_user_id(member)}']")
    admin.page.click("#decision-record")
    decision = member.page.locator("#decision[data-outcome='accepted']")
    decision.wait_for(timeout=TIMEOUT_MS)
    assert REASONS in decision.inner_text()
    assert member.page.is_visible("#decision-verified")
    _status(member, "decided")
    assert "NOT YET IN FORCE" in member.page.inner_text("#decision-force.awaiting-quorum")
    member.page.click("#decision-endorse")
    admin.page.locator(f"#decision .signatures:has-text('{MEMBER.name}')").wait_for(
        timeout=TIMEOUT_MS)
    admin.page.locator("#decision-force.in-force").wait_for(timeout=TIMEOUT_MS)

    flows.workspace_tab(admin, "activity")
    assert admin.page.get_attribute("#chain-state", "data-verified") == "true"
    admin.page.select_option("#activity-site", MEMBER.site)
    feed = admin.page.locator("#activity-feed li")
    assert feed.count() >= 3
    assert all(MEMBER.name in feed.nth(i).inner_text() for i in range(feed.count()))

    flows.open_workspace(admin, WORKSPACE)
    row = admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}')")
    for name, value, shown in (("#filter-status", "submitted", 0), ("#filter-status", "decided", 1),
                               ("#filter-site", MEMBER.site, 1)):
        admin.page.select_option(name, value)
        assert row.count() == shown, (name, value)
    member.page.fill("#comment-text", "Merci à tous.")
    member.page.click("#comment-post")
    unread = admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}') .unread")
    unread.wait_for(timeout=TIMEOUT_MS)
    assert unread.inner_text().startswith("1 "), "the comment read in the dossier counts"
    flows.go_home(admin)
    admin.page.locator(f"#workspace-list li:has-text('{WORKSPACE}') .unread:not([hidden])"
                       ).wait_for(timeout=TIMEOUT_MS)
    flows.sign_out(admin)
    flows.sign_in(admin)
    flows.open_workspace(admin, WORKSPACE)
    unread.wait_for(timeout=TIMEOUT_MS)
    assert unread.inner_text().startswith("1 "), "read markers come back from the sealed state"

    verified = _verify_export(admin, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "CHAIN VERIFIED" in verified.stdout and ADMIN.name in verified.stdout

    at_rest = b"".join(p.read_bytes() for p in server.data_dir.rglob("*") if p.is_file())
    for secret in (COMMENT, REASONS, REQUEST, PATIENT):
        assert secret.encode() not in at_rest

    with sqlite3.connect(server.database_path) as db:
        entry = db.execute("select entry from log_entries where workspace_id = ? and seq = 2",
                           [workspace_id]).fetchone()[0]
        db.execute("update log_entries set entry = ? where workspace_id = ? and seq = 2",
                   [entry[:-3] + bytes([entry[-3] ^ 1]) + entry[-2:], workspace_id])
    _broken_chain_reported(admin, tmp_path, 2)
    with sqlite3.connect(server.database_path) as db:
        db.execute("update log_entries set entry = ? where workspace_id = ? and seq = 2",
                   [entry, workspace_id])
        db.execute("update log_entries set seq = -1 where workspace_id = ? and seq = 4",
                   [workspace_id])
        db.execute("update log_entries set seq = 4 where workspace_id = ? and seq = 5",
                   [workspace_id])
        db.execute("update log_entries set seq = 5 where workspace_id = ? and seq = -1",
                   [workspace_id])
    _broken_chain_reported(admin, tmp_path, 4)
    with sqlite3.connect(server.database_path) as db:
        db.execute("delete from log_entries where workspace_id = ? and seq = 3", [workspace_id])
    _broken_chain_reported(admin, tmp_path, 3)


def _user_id(user):
    return user.page.evaluate(
        "async () => (await (await fetch('/api/session')).json()).user.user_id")
