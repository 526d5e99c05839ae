"""Key attacks: a server that plants a key of its choosing, or undoes a rotation, gets nothing
new to read; the owner's browser says why it refused."""

from __future__ import annotations

import pytest

from pycrypto_wasm import envelope
from pycrypto_wasm.exceptions import DecryptionError
from pycrypto_wasm.random import random_key
from pycrypto_wasm.workspace import keys
from pycrypto_wasm.workspace.manifest import manifest_context
from tests.api.trust.conftest import DOSSIER
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import WorkerError


def _sealed_under(server: MaliciousServer, committee, document_id: str, key: bytes) -> bool:
    """Whether the server can open the dossier's first version with `key`."""
    sealed = server.manifest(committee.workspace_id, document_id, 1)
    _, keyring = committee.owner.stolen_keys(committee.workspace_id)
    try:
        envelope.open_(key, manifest_context(keyring, "dossier", document_id, 1), sealed[5:])
    except DecryptionError:
        return False
    return True


def test_keys_planted_grant_at_a_higher_index_is_refused_and_never_used(committee):
    server = MaliciousServer(committee.organization.app)
    removed = committee.join("contributor")
    committee.owner.unshare(committee.workspace_id, removed.user_id)
    planted = random_key()
    # A grant of a key the server chose, at the next index, signed by the removed member.
    grant = keys.grant(removed.person.bundle.signing_key,
                       committee.owner.person.bundle.encryption_key.public_key,
                       organization=committee.organization.organization_id,
                       workspace=committee.workspace_id, index=2, key=planted)
    server.sql("insert into key_grants values (?, 2, ?, ?, ?)",
               [committee.workspace_id, committee.owner.user_id, removed.user_id, grant])
    server.sql("update workspaces set key_index = 2 where id = ?", [committee.workspace_id])

    opened = committee.owner.open(committee.workspace_id)
    assert opened["key_index"] == 1
    assert any("key 2, which the workspace's history never announced" in problem
               for problem in opened["problems"])
    saved = committee.owner.save_dossier(committee.workspace_id, DOSSIER)
    assert not _sealed_under(server, committee, saved["document_id"], planted)


def test_keys_substituted_key_at_an_announced_index_is_refused(committee):
    server = MaliciousServer(committee.organization.app)
    planted = random_key()
    server.sql("delete from key_grants where workspace_id = ? and user_id = ?",
               [committee.workspace_id, committee.reader.user_id])
    grant = keys.grant(committee.manager.person.bundle.signing_key,
                       committee.reader.person.bundle.encryption_key.public_key,
                       organization=committee.organization.organization_id,
                       workspace=committee.workspace_id, index=0, key=planted)
    server.sql("insert into key_grants values (?, 0, ?, ?, ?)",
               [committee.workspace_id, committee.reader.user_id, committee.manager.user_id,
                grant])
    with pytest.raises(WorkerError) as refused:
        committee.reader.open(committee.workspace_id)
    assert "not the key its history announced: a substituted key, refused" in str(refused.value)


def test_keys_undone_rotation_stops_writes_instead_of_using_the_old_key(committee):
    server = MaliciousServer(committee.organization.app)
    removed = committee.join("contributor")
    committee.owner.unshare(committee.workspace_id, removed.user_id)
    server.sql("delete from key_grants where workspace_id = ? and key_index = 1",
               [committee.workspace_id])
    server.sql("update workspaces set key_index = 0 where id = ?", [committee.workspace_id])

    fresh = committee.owner
    fresh.forget()
    opened = fresh.open(committee.workspace_id)
    assert opened["key_index"] == 1
    with pytest.raises(WorkerError) as refused:
        fresh.save_dossier(committee.workspace_id, DOSSIER)
    assert refused.value.code == "unknown_key"
    assert "key 1 of workspace" in refused.value.message
    assert server.sql("select count(*) from documents where kind = 'dossier'")[0][0] == 0
