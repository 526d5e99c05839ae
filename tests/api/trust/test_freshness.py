"""Hole 5: a wiped profile shown an older, consistent world (the server cut the log before a
member's removal) must not seal anything new under the stale key. It writes only once evidence
the server cannot forge says it sees the latest state: a member online answers over the live
channel (and their signed answer exposes the withheld removal), or the user's passkey carries
the heads it verified (WebAuthn largeBlob; here the record its worker seals for it)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask_socketio import SocketIOTestClient

from api import socketio_of
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.workspace.log import open_entry, verify_chain
from tests.api.trust.conftest import DOSSIER, Committee
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import MemberBrowser, WorkerError

CANNOT_CONFIRM = "this browser cannot confirm it sees the latest state of workspace"


def _socket(committee: Committee, browser: MemberBrowser) -> SocketIOTestClient:
    app = committee.organization.app
    return socketio_of(app).test_client(app, flask_test_client=browser.client)


def _received(socket: SocketIOTestClient, event: str) -> dict[str, Any]:
    found = [message["args"][0] for message in socket.get_received() if message["name"] == event]
    assert len(found) == 1, found
    return found[0]


def _ask_online_members(committee: Committee, asker: MemberBrowser,
                        answerer: MemberBrowser) -> dict[str, Any]:
    """The asker's page asks over Socket.IO; the answerer's page has its worker sign the head
    it remembers; the server relays both ways; the asker's worker checks the answer."""
    workspace_id = committee.workspace_id
    asking, answering = _socket(committee, asker), _socket(committee, answerer)
    try:
        question = asker.call("freshness.ask", workspace_id=workspace_id)
        acknowledged = asking.emit("freshness:ask", {"workspace_id": workspace_id,
                                                     "nonce": question["nonce"]}, callback=True)
        assert acknowledged["ok"], acknowledged
        asked = _received(answering, "freshness:asked")
        assert asked == {"workspace_id": workspace_id, "nonce": question["nonce"],
                         "asker": asker.user_id}
        signed = answerer.call("freshness.answer", workspace_id=workspace_id,
                               nonce=asked["nonce"], asker=asked["asker"],
                               remembered=answerer.remembered.get(workspace_id))
        acknowledged = answering.emit("freshness:answer", {
            "workspace_id": workspace_id, "asker": asked["asker"], "answer": signed["answer"]},
            callback=True)
        assert acknowledged["ok"], acknowledged
        answered = _received(asking, "freshness:answered")
        assert answered["answerer"] == answerer.user_id
        return asker.call("freshness.check", workspace_id=workspace_id,
                          answer=answered["answer"])
    finally:
        asking.disconnect()
        answering.disconnect()


def _readable_with(server: MaliciousServer, browser: MemberBrowser, workspace_id: str,
                   removed: MemberBrowser) -> list[int]:
    """The positions of the server's log entries the removed member's keys open."""
    stored = [row[0] for row in server.sql(
        "select entry from log_entries where workspace_id = ? order by seq", [workspace_id])]
    state = browser.worker._state
    entries = verify_chain(stored, organization=state.identity().organization,
                           workspace=workspace_id, author_key=state.verify_key_of)
    _, stolen = removed.stolen_keys(workspace_id)
    readable = []
    for entry in entries:
        try:
            open_entry(entry, stolen)
        except CryptoError:
            continue
        readable.append(entry.seq)
    return readable


def _cut_before_removal(committee: Committee) -> tuple[MaliciousServer, int, list[int]]:
    """The owner removes the reader (key 1); the server then serves the log cut before it."""
    server = MaliciousServer(committee.organization.app)
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    committee.contributor.append(workspace_id, "comment", {"dossier_id": dossier,
                                                           "text": "Avant le retrait"})
    readable_before = _readable_with(server, committee.owner, workspace_id, committee.reader)
    committee.owner.unshare(workspace_id, committee.reader.user_id)
    removal = server.log_length(workspace_id)
    committee.contributor.read_log(workspace_id)
    server.drop_log_from(workspace_id, removal)
    return server, removal, readable_before


def test_freshness_a_wiped_browser_writes_nothing_until_a_member_online_answers(committee):
    server, removal, readable_before = _cut_before_removal(committee)
    workspace_id = committee.workspace_id
    wiped = MemberBrowser(committee.contributor.person, goes_on_knowingly=False)
    # The cut world is consistent: the wiped browser verifies it...
    assert wiped.open(workspace_id)["chain"]["verified"]
    # ...but seals nothing in it before it has evidence of the latest state.
    with pytest.raises(WorkerError) as refused:
        wiped.append(workspace_id, "comment", {"dossier_id": "d-x", "text": "Pour le retiré"})
    assert refused.value.code == "freshness_unknown"
    assert CANNOT_CONFIRM in refused.value.message
    assert server.log_length(workspace_id) == removal - 1

    # The owner is online: their signed head names the removal the server withholds.
    checked = _ask_online_members(committee, wiped, committee.owner)
    assert not checked["fresh"] and checked["ahead"]
    # Read again: the server still does not serve the head the owner's browser signed.
    chain = wiped.read_log(workspace_id)["chain"]
    assert not chain["verified"]
    assert chain["problem"] == (
        f"the server withholds entries {removal} to {removal} of this workspace's history: "
        f"{checked['answerer_name']}'s browser verified it up to entry {removal}, but the "
        f"server serves it only up to entry {removal - 1}")
    with pytest.raises(WorkerError) as refused:
        wiped.call("log.append", workspace_id=workspace_id, kind="comment",
                   content={"dossier_id": "d-x", "text": "Pour le retiré"})
    assert refused.value.code == "untrusted_history"
    # Going on knowingly does not override evidence of withholding.
    wiped.call("freshness.proceed", workspace_id=workspace_id)
    with pytest.raises(WorkerError):
        wiped.call("log.append", workspace_id=workspace_id, kind="comment",
                   content={"dossier_id": "d-x", "text": "Pour le retiré"})
    # With the keys the removed member kept, nothing new is readable.
    assert _readable_with(server, committee.owner, workspace_id,
                          committee.reader) == readable_before


def test_freshness_my_passkey_carries_the_heads_to_a_wiped_browser(committee):
    workspace_id = committee.workspace_id
    server = MaliciousServer(committee.organization.app)
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    committee.owner.unshare(workspace_id, committee.reader.user_id)
    removal = server.log_length(workspace_id)
    contributor = committee.contributor
    # Its browser had read the log before the owner's last writes: the owner's answer is ahead,
    # and reading again confirms it.
    assert _ask_online_members(committee, contributor, committee.owner)["ahead"]
    contributor.read_log(workspace_id)
    assert contributor.remembered[workspace_id]["confirmed"]
    # At the next unlock, the page writes the heads it remembers into the passkey's large blob.
    record = contributor.call("freshness.seal_heads", heads=contributor.remembered)
    assert workspace_id in record["kept"] and not record["left_out"]
    assert len(base64.urlsafe_b64decode(record["record"] + "==")) <= 1024
    server.drop_log_from(workspace_id, removal)

    wiped = MemberBrowser(contributor.person, goes_on_knowingly=False)
    carried = wiped.call("freshness.open_heads", record=record["record"])["heads"]
    assert carried[workspace_id]["seq"] == removal
    wiped.remembered.update(carried)
    chain = wiped.open(workspace_id)["chain"]
    assert not chain["verified"]
    assert (f"ends at entry {removal - 1}, but this browser verified it up to entry "
            f"{removal}") in chain["problem"]
    with pytest.raises(WorkerError) as refused:
        wiped.call("log.append", workspace_id=workspace_id, kind="comment",
                   content={"dossier_id": dossier, "text": "Pour le retiré"})
    assert refused.value.code == "untrusted_history"
    # Another user's record, or an altered one, is refused.
    owner_record = committee.owner.call("freshness.seal_heads",
                                        heads=committee.owner.remembered)["record"]
    with pytest.raises(WorkerError):
        wiped.call("freshness.open_heads", record=owner_record)


def test_freshness_an_honest_answer_lets_a_wiped_browser_write(committee):
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    wiped = MemberBrowser(committee.contributor.person, goes_on_knowingly=False)
    wiped.open(workspace_id)
    assert not wiped.call("freshness.status", workspace_id=workspace_id)["fresh"]
    # A head remembered without evidence is none: reopening does not make it fresh.
    wiped.open(workspace_id)
    assert not wiped.call("freshness.status", workspace_id=workspace_id)["fresh"]
    checked = _ask_online_members(committee, wiped, committee.owner)
    assert checked["fresh"] and checked["seq"] == checked["served"]
    wiped.append(workspace_id, "comment", {"dossier_id": dossier, "text": "Confirmé"})
    # An answer to another question (replayed) is refused.
    stale = committee.owner.call("freshness.answer", workspace_id=workspace_id,
                                 nonce="A" * 43, asker=wiped.user_id,
                                 remembered=committee.owner.remembered[workspace_id])
    wiped.call("freshness.ask", workspace_id=workspace_id)
    with pytest.raises(WorkerError) as refused:
        wiped.call("freshness.check", workspace_id=workspace_id, answer=stale["answer"])
    assert "another question" in refused.value.message


def test_freshness_with_no_evidence_the_user_may_go_on_knowingly(committee):
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    wiped = MemberBrowser(committee.contributor.person, goes_on_knowingly=False)
    wiped.open(workspace_id)
    # A member with no evidence of their own does not vouch (two wiped browsers never do),
    # not even from the head their browser remembered without it.
    other = MemberBrowser(committee.manager.person, goes_on_knowingly=False)
    other.open(workspace_id)
    for remembered in (None, other.remembered[workspace_id]):
        with pytest.raises(WorkerError) as refused:
            other.call("freshness.answer", workspace_id=workspace_id, nonce="A" * 43,
                       asker=wiped.user_id, remembered=remembered)
        assert refused.value.code == "no_head"
    assert wiped.call("freshness.proceed", workspace_id=workspace_id) == {
        "fresh": False, "knowingly": True}
    wiped.append(workspace_id, "comment", {"dossier_id": dossier, "text": "En connaissance"})
