"""Forged decisions and injected documents: shown as forged, naming author and object, and
never applied to a dossier's status, a decision's signatures or a file list."""

from __future__ import annotations

import datetime

import pytest

from pycrypto_wasm.workspace.manifest import seal_manifest
from tests.api.trust.conftest import DOSSIER
from tests.api.trust.forging import slip_in
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import WorkerError


def _decision(dossier_id: str, participant: str) -> dict:
    return {"dossier_id": dossier_id, "outcome": "accepted", "reasons": "Dossier complet",
            "conditions": "", "participants": [participant]}


@pytest.mark.parametrize("forger", ["contributor", "removed"])
def test_forgery_decision_by_a_contributor_or_removed_member_is_not_applied(committee, forger):
    server = MaliciousServer(committee.organization.app)
    saved = committee.owner.save_dossier(committee.workspace_id, DOSSIER)
    dossier_id = saved["document_id"]
    author = committee.contributor
    if forger == "removed":
        author = committee.join("manager")
        committee.owner.unshare(committee.workspace_id, author.user_id)
    else:
        author.read_log(committee.workspace_id)
    review = slip_in(server, author, committee.workspace_id, "review",
                     content={"dossier_id": dossier_id}, key_index=0)
    decision = slip_in(server, author, committee.workspace_id, "decision",
                       content=_decision(dossier_id, author.user_id), key_index=0)

    for reader in (committee.owner, committee.reader):
        log = reader.read_log(committee.workspace_id)
        forged = {f["seq"]: f for f in log["chain"]["forgeries"]}
        assert set(forged) == ({decision} if forger == "contributor" else {review, decision})
        assert "decision" in forged[decision]["message"]
        assert author.person.user_id in forged[decision]["message"]
        assert forged[decision]["author_name"] != author.user_id
        state = log["dossiers"].get(dossier_id)
        assert state is None or state["status"] != "decided"
        assert not [e for e in log["entries"] if e["kind"] == "decision"
                    and e["forged"] is None]


def test_forgery_injected_document_with_an_old_key_is_not_listed_nor_downloadable(committee):
    server = MaliciousServer(committee.organization.app)
    removed = committee.join("contributor")
    signing, keyring = removed.stolen_keys(committee.workspace_id)
    committee.owner.unshare(committee.workspace_id, removed.user_id)
    keyring.current = 0
    file_id = "f-" + "ab" * 12
    sealed = seal_manifest(keyring, signing, author=removed.user_id, kind="file",
                           document_id=file_id, version=1,
                           content={"name": "compte-rendu.pdf", "mime": "application/pdf",
                                    "size": 0, "dossier_id": None, "blocks": []})
    server.sql("insert into documents values (?, ?, 1, 'file', ?, ?, ?, 0)",
               [committee.workspace_id, file_id, removed.user_id, sealed,
                datetime.datetime.now().timestamp()])

    files = committee.owner.files(committee.workspace_id)
    assert "name" not in files[file_id]
    assert "is not in the workspace's history" in files[file_id]["problem"]
    listing = committee.owner.api("GET", f"/api/workspaces/{committee.workspace_id}/documents"
                                  f"/{file_id}/versions/1")
    with pytest.raises(WorkerError) as refused:
        committee.owner.call("file.begin_download", workspace_id=committee.workspace_id,
                             document_id=file_id, manifest=listing["manifest"], version=1)
    assert refused.value.code == "unrecorded_version"
