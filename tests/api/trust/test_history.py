"""History attacks: a server that drops the log's tail, rolls a dossier, a deleted file or the
workspace's settings back, is caught by a browser that saw the newer state, and by a fresh one
as soon as an honest member's later write reaches it."""

from __future__ import annotations

import pytest

from pycrypto_wasm.workspace import workflow
from tests.api.trust.conftest import DOSSIER
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import WorkerError


def _decide(committee, dossier_id: str) -> int:
    committee.owner.append(committee.workspace_id, "review", {"dossier_id": dossier_id})
    return committee.owner.append(committee.workspace_id, "decision", {
        "dossier_id": dossier_id, "outcome": "accepted", "reasons": "Dossier complet",
        "conditions": "", "participants": [committee.owner.user_id]})


def test_history_dropped_tail_is_caught_by_a_browser_that_saw_it(committee):
    server = MaliciousServer(committee.organization.app)
    dossier = committee.owner.save_dossier(committee.workspace_id, DOSSIER)["document_id"]
    decision = _decide(committee, dossier)
    committee.reader.read_log(committee.workspace_id)
    server.drop_log_from(committee.workspace_id, decision)

    log = committee.reader.read_log(committee.workspace_id)
    assert not log["chain"]["verified"]
    assert (f"ends at entry {decision - 1}, but this browser verified it up to entry "
            f"{decision}") in log["chain"]["problem"]
    with pytest.raises(WorkerError) as refused:
        committee.reader.open(committee.workspace_id)
        committee.reader.call("log.append", workspace_id=committee.workspace_id,
                              kind="comment", content={"dossier_id": dossier, "text": "Vu"})
    assert refused.value.code in ("untrusted_history", "forbidden")


def test_history_dropped_tail_is_caught_by_a_fresh_browser_at_the_next_honest_write(committee):
    server = MaliciousServer(committee.organization.app)
    dossier = committee.owner.save_dossier(committee.workspace_id, DOSSIER)["document_id"]
    decision = _decide(committee, dossier)
    hidden = server.sql("select * from log_entries where workspace_id = ? and seq = ?",
                        [committee.workspace_id, decision])
    server.drop_log_from(committee.workspace_id, decision)
    fresh = committee.reader
    fresh.forget()
    # The known limit: a consistent but older world, before any honest write reaches it.
    assert fresh.read_log(committee.workspace_id)["chain"]["verified"]
    # The owner, who saw the decision, writes on after it; to keep hiding the decision the
    # server must serve the fresh browser the owner's entry without the one it names.
    server.sql("insert into log_entries values (?, ?, ?, ?, ?, ?)", list(hidden[0]))
    committee.owner.append(committee.workspace_id, "comment",
                           {"dossier_id": dossier, "text": "Décision notifiée"})
    server.sql("delete from log_entries where workspace_id = ? and seq = ?",
               [committee.workspace_id, decision])

    log = fresh.read_log(committee.workspace_id)
    assert not log["chain"]["verified"]
    assert f"log entry {decision} is missing or out of order" in log["chain"]["problem"]
    assert not [entry for entry in log["entries"] if entry["seq"] >= decision]


def test_history_rolled_back_dossier_and_deleted_file_are_caught(committee):
    server = MaliciousServer(committee.organization.app)
    owner = committee.owner
    saved = owner.save_dossier(committee.workspace_id, DOSSIER)
    dossier_id = saved["document_id"]
    owner.save_dossier(committee.workspace_id, {**DOSSIER, "urgency": "low"},
                       document_id=dossier_id, expected=1)
    file_id = owner.upload(committee.workspace_id, "bilan.pdf", b"%PDF-1.7 bilan")
    versions = owner.api("GET", f"/api/workspaces/{committee.workspace_id}/documents/{file_id}"
                         "/versions")["versions"]
    revised = owner.call("file.revise", workspace_id=committee.workspace_id,
                         document_id=file_id, expected_version=1, source=versions[0],
                         deleted=True)
    owner.api("PUT", f"/api/workspaces/{committee.workspace_id}/documents/{file_id}", {
        "kind": "file", "expected_version": 1, "manifest": revised["manifest"],
        "block_ids": revised["block_ids"], "deleted": True, "log_entry": revised["log_entry"]})
    server.drop_versions_from(committee.workspace_id, dossier_id, 2)
    server.drop_versions_from(committee.workspace_id, file_id, 2)

    for member in (committee.reader, committee.contributor):
        member.forget()
        dossier = member.dossiers(committee.workspace_id)[dossier_id]
        assert "fields" not in dossier
        assert (f"dossier {dossier_id} was rolled back: the server serves version 1, but the "
                "workspace's history records version 2") in dossier["problem"]
        file = member.files(committee.workspace_id)[file_id]
        assert "was rolled back" in file["problem"]


def test_history_withheld_workspace_manifest_is_named_and_keeps_the_recorded_quorum(committee):
    server = MaliciousServer(committee.organization.app)
    strict = {**workflow.DEFAULT_WORKFLOW, "quorum": 2}
    committee.owner.save_settings(committee.workspace_id, "Commission SSR — Nord-Sud", strict)
    server.drop_versions_from(committee.workspace_id, committee.workspace_id, 2)
    server.sql("update workspaces set workflow = null where id = ?", [committee.workspace_id])

    committee.reader.forget()
    with pytest.raises(WorkerError) as refused:
        committee.reader.open(committee.workspace_id)
    assert refused.value.code == "withheld_version"
    assert ("the workspace's manifest (its name and settings), version 2, recorded at entry "
            in refused.value.message)
    assert refused.value.message.endswith("is withheld by the server")
    assert committee.reader.read_log(committee.workspace_id)["chain"]["verified"]
    assert committee.reader.worker._state.histories[committee.workspace_id].history.workflow[
        "quorum"] == 2


def test_history_replayed_dossier_is_named_a_replay(committee):
    server = MaliciousServer(committee.organization.app)
    owner = committee.owner
    dossier_id = owner.save_dossier(committee.workspace_id, DOSSIER)["document_id"]
    owner.save_dossier(committee.workspace_id, {**DOSSIER, "urgency": "low"},
                       document_id=dossier_id, expected=1)
    server.sql("update documents set manifest = ? where workspace_id = ? and document_id = ? "
               "and version = 2", [server.manifest(committee.workspace_id, dossier_id, 1),
                                   committee.workspace_id, dossier_id])

    committee.reader.forget()
    dossier = committee.reader.dossiers(committee.workspace_id)[dossier_id]
    assert "fields" not in dossier
    assert "is a replay of version 1" in dossier["problem"]
