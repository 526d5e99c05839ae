"""Backdated writes by a revoked user: right after the revocation, before any browser opens the
workspace again, the revoked member and the server append a dossier version and a comment dated
one second before the revocation. A browser that knew the revocation when it remembered the
head refuses them; a fresh browser shows them flagged (their order cannot be confirmed), never
silently; once an honest member who knew the revocation writes, every browser refuses them."""

from __future__ import annotations

import time

import pytest

from pycrypto_wasm import hashing
from pycrypto_wasm.identity.certificates import RevocationCertificate
from pycrypto_wasm.workspace.keys import UnknownKeyError
from pycrypto_wasm.workspace.log import open_entry
from pycrypto_wasm.workspace.manifest import seal_manifest
from tests.api.trust.conftest import DOSSIER
from tests.api.trust.forging import slip_in
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import MemberBrowser


def _revoke(committee, member: MemberBrowser, *, hide: bool) -> int:
    """Revoke `member` (the admin's browser learns it); with `hide`, the server then stops
    listing the revocation. Its date."""
    signed = committee.organization.revocation(member.person)
    response = committee.organization.revoke(member.person, signed)
    assert response.status_code == 200, response.json
    committee.owner.verify_directory()
    if hide:
        MaliciousServer(committee.organization.app).sql(
            "update users set revoked_at = null, revocation = null where id = ?",
            [member.user_id])
    return RevocationCertificate.peek(signed).revoked_at


def _backdate(committee, member: MemberBrowser, dossier_id: str, revoked_at: int) -> tuple[
        int, int]:
    """A dossier version and a comment by the revoked `member`, dated a second before the
    revocation, slipped in by the server: their positions."""
    server = MaliciousServer(committee.organization.app)
    signing, keyring = member.stolen_keys(committee.workspace_id)
    manifest = seal_manifest(keyring, signing, author=member.user_id, kind="dossier",
                             document_id=dossier_id, version=2, written_at=revoked_at - 1,
                             content={**DOSSIER, "summary": "Refus recommandé"})
    version = slip_in(server, member, committee.workspace_id, "document", public={
        "document_id": dossier_id, "kind": "dossier", "version": 2,
        "hash": hashing.blake2b(manifest)}, written_at=revoked_at - 1)
    server.sql("insert into documents (workspace_id, document_id, version, kind, author_id, "
               "manifest, created_at) values (?, ?, 2, 'dossier', ?, ?, ?)",
               [committee.workspace_id, dossier_id, member.user_id, manifest, time.time()])
    comment = slip_in(server, member, committee.workspace_id, "comment",
                      content={"dossier_id": dossier_id, "text": "Avis défavorable"},
                      written_at=revoked_at - 1)
    return version, comment


def _prepare(committee) -> tuple[str, MemberBrowser]:
    dossier = committee.owner.save_dossier(committee.workspace_id, DOSSIER)["document_id"]
    committee.contributor.read_log(committee.workspace_id)
    return dossier, committee.contributor


def test_backdated_writes_refused_by_a_browser_that_knew_the_revocation(committee):
    dossier, revoked = _prepare(committee)
    # A comment the member wrote before the revocation, which the owner's browser saw then.
    honest = revoked.append(committee.workspace_id, "comment",
                            {"dossier_id": dossier, "text": "Avis favorable"})
    committee.owner.read_log(committee.workspace_id)
    time.sleep(1.1)
    revoked_at = _revoke(committee, revoked, hide=True)
    # The owner's browser opens the workspace once, knowing the revocation, then the server
    # and the revoked member write "before" it.
    committee.owner.read_log(committee.workspace_id)
    version, comment = _backdate(committee, revoked, dossier, revoked_at)

    log = committee.owner.read_log(committee.workspace_id)
    forged = {forgery["seq"]: forgery for forgery in log["chain"]["forgeries"]}
    assert {version, comment} <= set(forged)
    assert "was revoked before writing it" in forged[comment]["reason"]
    assert comment not in {entry["seq"] for entry in log["entries"] if not entry["forged"]}
    seen = next(entry for entry in log["entries"] if entry["seq"] == honest)
    assert not seen["forged"] and not seen["unconfirmed"]
    shown = committee.owner.dossiers(committee.workspace_id)[dossier]
    assert "fields" not in shown
    assert "is not in the workspace's history" in shown["problem"]


def test_backdated_writes_flagged_for_a_fresh_browser_until_an_honest_write_anchors(committee):
    dossier, revoked = _prepare(committee)
    revoked_at = _revoke(committee, revoked, hide=False)
    committee.owner.read_log(committee.workspace_id)
    version, comment = _backdate(committee, revoked, dossier, revoked_at)
    name = committee.owner.worker._state.display_name(revoked.user_id)

    # A wiped profile, which knows the revocation but not where the history stood then: the
    # entries are applied, but flagged, not silent.
    fresh = MemberBrowser(committee.reader.person)
    fresh.open(committee.workspace_id)
    log = fresh.read_log(committee.workspace_id)
    unconfirmed = {entry["seq"]: entry for entry in log["chain"]["unconfirmed"]}
    assert {version, comment} <= set(unconfirmed)
    message = unconfirmed[comment]["message"]
    assert f"revoked on {time.strftime('%Y-%m-%d', time.gmtime(revoked_at))}" in message
    assert message.endswith("its order cannot be confirmed")
    assert f"written by {name}, revoked on" in message
    flagged = next(entry for entry in log["entries"] if entry["seq"] == comment)
    assert flagged["unconfirmed"] == message
    shown = fresh.dossiers(committee.workspace_id)[dossier]
    assert shown["version"] == 2 and "its order cannot be confirmed" in shown["unconfirmed"]

    # The owner, who knew the revocation from before these entries, writes: its entry anchors
    # the revocation where the owner's browser knew it.
    honest = committee.owner.append(committee.workspace_id, "comment",
                                    {"dossier_id": dossier, "text": "Dossier en cours"})
    again = MemberBrowser(committee.manager.person)
    again.open(committee.workspace_id)
    log = again.read_log(committee.workspace_id)
    forged = {forgery["seq"] for forgery in log["chain"]["forgeries"]}
    assert {version, comment} <= forged
    assert honest not in forged and not log["chain"]["unconfirmed"]
    assert again.dossiers(committee.workspace_id)[dossier].get("version") is None

    # Anything the revoked member slips in after the anchor is refused by every browser too.
    later = slip_in(MaliciousServer(committee.organization.app), revoked,
                    committee.workspace_id, "comment",
                    content={"dossier_id": dossier, "text": "Encore"}, written_at=revoked_at - 1)
    fresh.forget()
    assert later in {f["seq"] for f in fresh.read_log(committee.workspace_id)["chain"][
        "forgeries"]}

    # Removing the revoked member moves everyone else to a key the revoked member cannot open.
    committee.owner.unshare(committee.workspace_id, revoked.user_id)
    after = committee.owner.append(committee.workspace_id, "comment",
                                   {"dossier_id": dossier, "text": "Après retrait"})
    _, stolen = revoked.stolen_keys(committee.workspace_id)
    entry = next(e for e in committee.owner.worker._state.histories[
        committee.workspace_id].history.entries if e.seq == after)
    assert entry.key_index not in stolen.keys
    with pytest.raises(UnknownKeyError):
        open_entry(entry, stolen)
