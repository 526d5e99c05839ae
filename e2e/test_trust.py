"""What a person sees when the server attacks a workspace's trust model (issue 12), in the
browsers of one committee (the admin owns the workspace, a member manages it): a key grant the
history never announced, a member row the history never added, a history cut short under a
browser that saw it, a file version the history never recorded, and a decision a revoked member
signed after the revocation are each named on the page and never applied.

The tests share the committee and run in order; each undoes its tampering, except the last
(the revocation), which ends the committee.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser

from e2e.harness import flows
from e2e.harness.browser import UserBrowser, open_user_browser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN, MEMBER, Person
from e2e.harness.server import ServerProcess
from pycrypto_wasm import envelope
from pycrypto_wasm.exceptions import DecryptionError
from pycrypto_wasm.identity.certificates import RevocationCertificate, UserCertificate
from pycrypto_wasm.random import random_key
from pycrypto_wasm.sealing import PublicKey
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace import keys
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import entry_hash, place_entry
from pycrypto_wasm.workspace.manifest import manifest_context

TIMEOUT_MS = 30_000
WORKSPACE = "Commission confiance"
RENAMED = "Commission confiance — renommée"
PATIENT = "Mme Paule Témoin"
SECOND_PATIENT = "M. Kévin Clef"
OUTSIDER = Person("M. Omar Extérieur", "omar@chu-ouest.example", "CHU Ouest")
SIGNED_COMMENT = "Avis favorable, dossier complet"
SIGNED_REASONS = "Projet de soins validé par la commission"
FORGED_REASONS = "Admission prononcée hors commission"
MANIFEST_HEADER = 5  # the format byte, then the index of the key it is sealed under (4 bytes)

# The revoked member colludes with the server: their own browser ignores the order to wipe its
# keys, then has its crypto worker seal an entry the server slips into the log.
CRYPTO_CLIENT = """
  const url = document.querySelector("link[rel=modulepreload][href*='crypto-client']").href;
  const { cryptoClient } = await import(url);
"""
KEEP_KEYS = f"""async () => {{ {CRYPTO_CLIENT}
  const client = cryptoClient();
  const call = client.call.bind(client);
  client.call = (method, ...rest) => (method === 'identity.lock' ? Promise.resolve({{}})
    : call(method, ...rest));
}}"""
SEAL_ENTRY = f"""async ([workspaceId, kind, content]) => {{ {CRYPTO_CLIENT}
  return cryptoClient().call('log.append', {{ workspace_id: workspaceId, kind, content }});
}}"""


@dataclass
class Committee:
    server: ServerProcess
    admin: UserBrowser
    member: UserBrowser
    admin_id: str
    member_id: str
    workspace_id: str

    def sql(self, statement: str, parameters: list[Any] | tuple[Any, ...] = ()) -> list[Any]:
        """A statement run on the server's database behind the application's back."""
        with closing(sqlite3.connect(self.server.database_path)) as db, db:
            return db.execute(statement, parameters).fetchall()


@pytest.fixture(scope="module")
def committee(server: ServerProcess, browser: Browser) -> Iterator[Committee]:
    """The admin's workspace with one dossier, shared with the member as a manager; both have
    it open."""
    admin, member = open_user_browser(browser), open_user_browser(browser)
    try:
        flows.bootstrap(admin, server.bootstrap_link("CHU Confiance"), ADMIN)
        flows.certified_member(admin, member, MEMBER)
        flows.go_home(admin)
        workspace_id = flows.create_workspace(admin, WORKSPACE)
        flows.share_workspace(admin, MEMBER, "manager")
        flows.new_dossier(admin, PATIENT)
        flows.open_workspace(member, WORKSPACE)
        yield Committee(server, admin, member, flows.user_id(admin), flows.user_id(member),
                        workspace_id)
        violations = admin.offline_violations() + member.offline_violations()
    finally:
        admin.close()
        member.close()
    assert not violations, f"pages requested non-loopback URLs: {violations}"


def _history_alerts(user: UserBrowser) -> str:
    return user.page.locator("#history-alerts[role=alert]").inner_text(timeout=TIMEOUT_MS)


def _open_dossier(user: UserBrowser, patient: str = PATIENT) -> str:
    """Opens the dossier of `patient` in the open workspace; returns its id."""
    flows.workspace_tab(user, "dossiers")
    row = user.page.locator(f"#dossier-table tr:has-text('{patient}')")
    row.locator("button").click()
    user.page.wait_for_function(
        "name => document.querySelector('#dossier-patient_name')?.value === name "
        "&& document.querySelector('#committee')", arg=patient, timeout=TIMEOUT_MS)
    return row.get_attribute("data-document-id")


def _post_comment(user: UserBrowser, text: str) -> int:
    """Posts a comment on the open dossier; its position in the log once it is listed."""
    user.page.fill("#comment-text", text)
    user.page.click("#comment-post")
    comment = user.page.locator(f"#comment-list li:has-text('{text}')")
    comment.wait_for(timeout=TIMEOUT_MS)
    return int(comment.get_attribute("data-seq"))


def _sealed_under(sealed: bytes, key: bytes, organization: str, workspace_id: str,
                  document_id: str) -> bool:
    """Whether the first version of a dossier opens with `key`."""
    context = manifest_context(Keyring(organization, workspace_id), "dossier", document_id, 1)
    try:
        envelope.open_(key, context, sealed[MANIFEST_HEADER:])
    except DecryptionError:
        return False
    return True


def test_keys_a_planted_key_is_named_and_the_next_dossier_uses_the_real_one(committee):
    organization, key_index = committee.sql(
        "select organization_id, key_index from workspaces where id = ?",
        [committee.workspace_id])[0]
    certificate = committee.sql("select certificate from users where id = ?",
                                [committee.admin_id])[0][0]
    planted, planted_index = random_key(), key_index + 1
    grant = keys.grant(SigningKey.generate(),
                       PublicKey(UserCertificate.peek(certificate).public_key),
                       organization=organization, workspace=committee.workspace_id,
                       index=planted_index, key=planted)
    committee.sql("insert into key_grants values (?, ?, ?, ?, ?)",
                  [committee.workspace_id, planted_index, committee.admin_id,
                   committee.member_id, grant])
    committee.sql("update workspaces set key_index = ? where id = ?",
                  [planted_index, committee.workspace_id])
    try:
        flows.open_workspace(committee.admin, WORKSPACE)
        assert (f"a grant of key {planted_index}, which the workspace's history never "
                "announced, was refused") in _history_alerts(committee.admin)

        dossier_id = flows.new_dossier(committee.admin, SECOND_PATIENT)
        row = committee.member.page.locator(f"#dossier-table tr[data-document-id='{dossier_id}']")
        row.wait_for(state="attached", timeout=TIMEOUT_MS)
        assert SECOND_PATIENT in row.inner_text()
        sealed = committee.sql("select manifest from documents where workspace_id = ? and "
                               "document_id = ? and version = 1",
                               [committee.workspace_id, dossier_id])[0][0]
        assert int.from_bytes(sealed[1:MANIFEST_HEADER], "big") == key_index
        assert not _sealed_under(sealed, planted, organization, committee.workspace_id,
                                 dossier_id)
    finally:
        committee.sql("delete from key_grants where workspace_id = ? and key_index = ?",
                      [committee.workspace_id, planted_index])
        committee.sql("update workspaces set key_index = ? where id = ?",
                      [key_index, committee.workspace_id])


def test_membership_a_row_the_server_adds_makes_nobody_a_member(committee, browser):
    outsider = open_user_browser(browser)
    try:
        flows.certified_member(committee.admin, outsider, OUTSIDER)
        outsider_id = flows.user_id(outsider)
        violations = outsider.offline_violations()
    finally:
        outsider.close()
    assert not violations, f"pages requested non-loopback URLs: {violations}"
    committee.sql("insert into workspace_members values (?, ?, 'owner', ?, ?, ?, null)",
                  [committee.workspace_id, outsider_id, b"forged role", outsider_id,
                   time.time()])
    try:
        flows.open_workspace(committee.admin, WORKSPACE)
        members = committee.admin.page.locator("#member-list").inner_text()
        assert MEMBER.name in members and OUTSIDER.name not in members, members
        # Not a member, so the owner is still offered to share the workspace with them.
        offered = committee.admin.page.locator("#share-user").inner_text()
        assert OUTSIDER.name in offered, offered
    finally:
        committee.sql("delete from workspace_members where workspace_id = ? and user_id = ?",
                      [committee.workspace_id, outsider_id])


def test_history_a_dropped_tail_is_shown_loudly_after_a_reload(committee):
    admin, member = committee.admin, committee.member
    kept, dropped = "Bilan social demandé", "Accord de principe : admission en SSR"
    flows.open_workspace(admin, WORKSPACE)
    _open_dossier(admin)
    flows.open_workspace(member, WORKSPACE)
    _open_dossier(member)
    _post_comment(admin, kept)
    seq = _post_comment(admin, dropped)
    member.page.locator(f"#comment-list li:has-text('{dropped}')").wait_for(timeout=TIMEOUT_MS)
    tail = committee.sql("select * from log_entries where workspace_id = ? and seq >= ?",
                         [committee.workspace_id, seq])
    committee.sql("delete from log_entries where workspace_id = ? and seq >= ?",
                  [committee.workspace_id, seq])
    try:
        flows.go_home(member)
        member.page.reload()
        wait_for_crypto_ready(member.page)
        flows.sign_in(member)
        flows.open_workspace(member, WORKSPACE)
        alerts = _history_alerts(member)
        assert (f"ends at entry {seq - 1}, but this browser verified it up to entry {seq}: "
                f"entries {seq} to {seq} were removed (rollback or truncation)") in alerts, alerts
        _open_dossier(member)
        discussion = member.page.inner_text("#comment-list")
        assert kept in discussion and dropped not in discussion, discussion
    finally:
        for row in tail:
            committee.sql("insert into log_entries values (?, ?, ?, ?, ?, ?)", row)


def test_forgery_a_file_the_history_never_recorded_is_named_and_not_offered(committee):
    file_id = "f-" + os.urandom(12).hex()
    committee.sql("insert into documents values (?, ?, 1, 'file', ?, ?, ?, 0)",
                  [committee.workspace_id, file_id, committee.member_id, os.urandom(400),
                   time.time()])
    try:
        flows.open_workspace(committee.admin, WORKSPACE)
        _open_dossier(committee.admin)
        row = committee.admin.page.locator(f"#file-list li[data-document-id='{file_id}']")
        row.wait_for(timeout=TIMEOUT_MS)
        assert (f"file {file_id} version 1 is not in the workspace's history: it was forged "
                "or injected by the server") in row.inner_text()
        assert row.locator("button").count() == 0
    finally:
        committee.sql("delete from documents where workspace_id = ? and document_id = ?",
                      [committee.workspace_id, file_id])


def test_history_a_withheld_workspace_manifest_is_named_withheld_not_missing(committee):
    """The server withholds the workspace manifest's latest version (its name and settings):
    the page says the version the history records is withheld, never "not found"."""
    admin = committee.admin
    flows.open_workspace(admin, WORKSPACE)
    admin.page.click("#workspace-rename")
    admin.page.fill("#workspace-new-name", RENAMED)
    admin.page.click("#workspace-rename-save")
    admin.page.locator(f"#workspace-title:has-text('{RENAMED}')").wait_for(timeout=TIMEOUT_MS)
    row = committee.sql("select * from documents where workspace_id = ? and document_id = ? "
                        "and version = 2", [committee.workspace_id, committee.workspace_id])
    committee.sql("delete from documents where workspace_id = ? and document_id = ? and "
                  "version = 2", [committee.workspace_id, committee.workspace_id])
    try:
        admin.page.reload()
        wait_for_crypto_ready(admin.page)
        flows.sign_in(admin)
        admin.page.goto(admin.page.url.split("#")[0] + f"#/w/{committee.workspace_id}")
        error = admin.page.locator("[role=alert]:not([hidden])").filter(has_text="withholds")
        text = error.inner_text(timeout=TIMEOUT_MS)
        assert "version 2" in text and "is withheld by the server" in text, text
        assert "Not found" not in admin.page.inner_text("main")
    finally:
        committee.sql(f"insert into documents values ({', '.join('?' * len(row[0]))})",
                      list(row[0]))
    flows.open_workspace(admin, RENAMED)


def _record_decision(user: UserBrowser, reasons: str) -> None:
    """Moves the open dossier to review and records a decision taken by `user` alone."""
    user.page.click("#status-actions .move-review")
    user.page.fill("#decision-reasons", reasons)
    user.page.click("#decision-record")
    user.page.locator(f"#decision:has-text('{reasons}')").wait_for(timeout=TIMEOUT_MS)


def _wait_past_the_revocation_second(committee: Committee) -> None:
    """Dates are whole seconds and an entry of the revocation's own second still counts, so a
    write after the revocation is one of a later second."""
    signed = committee.sql("select revocation from users where id = ?",
                           [committee.member_id])[0][0]
    time.sleep(max(0.0, RevocationCertificate.peek(signed).revoked_at + 1 - time.time()))


def test_revocation_removes_the_member_and_their_later_decision_is_forged(committee):
    admin, member = committee.admin, committee.member
    flows.open_workspace(member, WORKSPACE)
    _open_dossier(member, SECOND_PATIENT)
    _record_decision(member, SIGNED_REASONS)
    dossier_id = _open_dossier(member)
    comment_seq = _post_comment(member, SIGNED_COMMENT)
    member.page.evaluate(KEEP_KEYS)

    flows.revoke(admin, MEMBER)
    _wait_past_the_revocation_second(committee)
    forged = member.page.evaluate(SEAL_ENTRY, [committee.workspace_id, "decision", {
        "dossier_id": dossier_id, "outcome": "accepted", "reasons": FORGED_REASONS,
        "conditions": "", "participants": [committee.member_id]}])
    written = base64.urlsafe_b64decode(forged["entry"] + "=" * (-len(forged["entry"]) % 4))
    # The server places the write after its last entry, as it places every write (format 4).
    stored = committee.sql("select entry from log_entries where workspace_id = ? order by seq",
                           [committee.workspace_id])
    forged["seq"] = len(stored) + 1
    entry = place_entry(written, seq=forged["seq"], prev=entry_hash(bytes(stored[-1][0])))
    committee.sql("insert into log_entries values (?, ?, 'decision', ?, ?, ?)",
                  [committee.workspace_id, forged["seq"], committee.member_id, entry,
                   time.time()])

    flows.open_workspace(admin, WORKSPACE)
    alerts = _history_alerts(admin)
    assert f"FORGED: entry {forged['seq']} (decision) by {MEMBER.name}, not applied" in alerts
    assert "was revoked before writing it" in alerts, alerts
    # Removed as revoked: listed as revoked, no longer among the members.
    assert admin.page.locator(
        f"#member-list li:not(.member-revoked):has-text('{MEMBER.name}')").count() == 0
    assert admin.page.locator(
        f"#member-list li.member-revoked:has-text('{MEMBER.name}')").count() == 1
    feed = admin.page.locator("#activity-feed")
    assert "FORGED — not applied" in feed.locator(f"li[data-seq='{forged['seq']}']").inner_text()
    signed = feed.locator(f"li[data-seq='{comment_seq}']")
    assert MEMBER.name in signed.inner_text() and signed.locator(".badge-invalid").count() == 0

    _open_dossier(admin)
    assert admin.page.get_attribute("#dossier-status", "data-status") == "submitted"
    assert admin.page.locator("#decision").count() == 0
    assert FORGED_REASONS not in admin.page.inner_text("#committee")
    newest_grants = committee.sql(
        "select user_id from key_grants where workspace_id = ? and key_index = "
        "(select max(key_index) from key_grants where workspace_id = ?)",
        [committee.workspace_id, committee.workspace_id])
    assert newest_grants == [(committee.admin_id,)]


def test_revocation_the_removed_member_still_signs_their_past_words_by_name(committee):
    admin = committee.admin
    _open_dossier(admin)
    comment = admin.page.locator(f"#comment-list li:has-text('{SIGNED_COMMENT}')").inner_text()
    _open_dossier(admin, SECOND_PATIENT)
    signatures = admin.page.locator("#decision .signatures").inner_text(timeout=TIMEOUT_MS)
    assert MEMBER.name in comment and MEMBER.name in signatures, (comment, signatures)


REVOKED = Person("M. Luc Révoqué", "luc@chu-est.example", "CHU Est")
COLLEAGUE = Person("Mme Awa Collègue", "awa@chu-ouest.example", "CHU Ouest")


def _wiped_profile(browser: Browser, server: ServerProcess, recovery: str) -> UserBrowser:
    """The same person on a workstation whose profile was wiped: a fresh context (no
    IndexedDB, no cookie, no passkey), signed in with the recovery code."""
    fresh = open_user_browser(browser)
    fresh.page.goto(server.url)
    wait_for_crypto_ready(fresh.page)
    fresh.page.click("#go-recovery")
    fresh.page.fill("#recovery-code-input", recovery)
    fresh.page.click("form button[type=submit]")
    fresh.page.wait_for_selector("#add-passkey", timeout=TIMEOUT_MS)
    flows.go_home(fresh)
    return fresh


def test_revocation_withheld_is_known_from_another_history_in_a_wiped_profile(server, browser):
    """The server withholds a revocation and the admin's profile is wiped; the removal that
    carries it in another workspace's history is enough: the directory says revoked, and the
    share list never offers them."""
    admin, revoked, colleague = (open_user_browser(browser) for _ in range(3))
    users = [admin, revoked, colleague]
    try:
        recovery = flows.bootstrap(admin, server.bootstrap_link("CHU Sources"), ADMIN)
        flows.certified_member(admin, revoked, REVOKED)
        flows.certified_member(admin, colleague, COLLEAGUE)
        revoked_id = flows.user_id(revoked)
        flows.go_home(admin)
        flows.create_workspace(admin, "Commission Est")
        flows.share_workspace(admin, REVOKED)
        flows.go_home(admin)
        flows.create_workspace(admin, "Commission Ouest")
        flows.revoke(admin, REVOKED)
        # Opening the first workspace removes the revoked member; the removal carries the
        # signed revocation.
        flows.open_workspace(admin, "Commission Est")
        flows.workspace_tab(admin, "members")
        admin.page.locator(f"#member-list li.member-revoked:has-text('{REVOKED.name}')"
                           ).wait_for(timeout=TIMEOUT_MS)
        assert admin.page.locator(
            f"#member-list li:not(.member-revoked):has-text('{REVOKED.name}')").count() == 0
        with closing(sqlite3.connect(server.database_path)) as db, db:
            db.execute("update users set revoked_at = null, revocation = null where id = ?",
                       [revoked_id])

        wiped = _wiped_profile(browser, server, recovery)
        users.append(wiped)
        flows.go_to(wiped, "people")
        row = wiped.page.locator(f"#directory tr:has-text('{REVOKED.name}')")
        row.locator(".badge-revoked").wait_for(timeout=TIMEOUT_MS)
        assert row.locator(".badge-verified").count() == 0
        flows.open_workspace(wiped, "Commission Ouest")
        options = wiped.page.locator("#share-user option")
        options.first.wait_for(state="attached", timeout=TIMEOUT_MS)
        offered = options.all_inner_texts()
        assert any(COLLEAGUE.name in option for option in offered), offered
        assert not any(REVOKED.name in option for option in offered), offered
        violations = [url for user in users for url in user.offline_violations()]
    finally:
        for user in users:
            user.close()
    assert not violations, f"pages requested non-loopback URLs: {violations}"
