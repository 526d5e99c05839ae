"""Workspaces through the real API: members and roles, key rotation on removal, versions,
conflicts, blocks, live notifications, and no plaintext at rest."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace

import pytest

from api import create_app
from api.realtime.channel import socketio_of
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.workspace import keys
from pycrypto_wasm.workspace.blocks import decrypt_block, encrypt_block
from pycrypto_wasm.workspace.keys import UnknownKeyError
from pycrypto_wasm.workspace.manifest import open_manifest
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import (
    WORKSPACE_NAME,
    create_workspace,
    frames,
    new_document_id,
    read_blocks,
    upload_blocks,
)

SCAN = "IRM cérébrale ".encode() * 2000
DOSSIER = {"patient_name": "Mme Zélie Marqueur", "urgency": "high", "unit": "SSR"}


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _open(workspace, member, row, keyring=None):
    authors = {m.person.user_id: m.signing.verify_key for m in workspace.known}
    return open_manifest(_unb64(row["manifest"]), keyring or workspace.keyring_of(member),
                         kind=row["kind"], document_id=row["document_id"],
                         version=row["version"], author_key=authors.__getitem__)


@pytest.fixture
def team(workspace):
    return workspace, workspace.add("contributor"), workspace.add("reader")


def test_workspace_members_read_what_a_contributor_wrote(team):
    workspace, contributor, reader = team
    document_id = new_document_id()
    assert workspace.put(contributor, document_id, 1, DOSSIER).status_code == 201
    listing = reader.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents?kind=dossier").json["documents"]
    assert [_open(workspace, reader, row).content for row in listing] == [DOSSIER]
    names = [_open(workspace, reader, w) for w in [{
        "manifest": reader.person.client.get("/api/workspaces").json["workspaces"][0]["manifest"],
        "kind": "workspace", "document_id": workspace.workspace_id, "version": 1}]]
    assert names[0].content == {"name": WORKSPACE_NAME}
    history = workspace.history(reader)
    assert history.members == {workspace.owner.person.user_id: "owner",
                               contributor.person.user_id: "contributor",
                               reader.person.user_id: "reader"}
    assert history.latest[document_id].author == contributor.person.user_id
    assert not history.forgeries


def test_a_page_reads_the_latest_version_of_the_documents_it_names(team):
    workspace, contributor, reader = team
    first, second, third = new_document_id(), new_document_id(), new_document_id()
    for document_id in (first, second, third):
        assert workspace.put(contributor, document_id, 1, DOSSIER).status_code == 201
    assert workspace.put(contributor, second, 2, {**DOSSIER, "unit": "USIC"}).status_code == 201
    path = f"/api/workspaces/{workspace.workspace_id}/documents"
    named = reader.person.client.get(f"{path}?ids={second},{third}").json
    assert sorted((row["document_id"], row["version"]) for row in named["documents"]) == sorted(
        [(second, 2), (third, 1)])
    assert named["next"] is None
    for bad in ("", f"{second},{second}", "x-1", ",".join(new_document_id() for _ in range(101))):
        response = reader.person.client.get(f"{path}?ids={bad}")
        assert (response.status_code, response.json["error"]["code"]) == (400, "bad_request")
    outsider = workspace.organization.member()
    assert outsider.client.get(f"{path}?ids={first}").status_code == 404


def test_workspace_reader_cannot_write(team):
    workspace, _, reader = team
    response = workspace.put(reader, new_document_id(), 1, DOSSIER)
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    block = upload_blocks(reader, workspace.workspace_id, [("0" * 64, b"x")])
    assert block.status_code == 403


def test_workspace_non_member_gets_404(team):
    workspace, _, _ = team
    outsider = workspace.organization.member()
    response = outsider.client.get(f"/api/workspaces/{workspace.workspace_id}")
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
    assert outsider.client.get("/api/workspaces").json["workspaces"] == []


def test_workspace_stale_version_is_refused_and_history_kept(team):
    workspace, contributor, _ = team
    document_id = new_document_id()
    workspace.put(contributor, document_id, 1, DOSSIER)
    workspace.put(workspace.owner, document_id, 2, {**DOSSIER, "urgency": "low"})
    stale = workspace.put(contributor, document_id, 2, {**DOSSIER, "unit": "USLD"})
    assert (stale.status_code, stale.json["error"]["code"]) == (409, "stale_version")
    assert workspace.put(contributor, document_id, 3, {**DOSSIER, "urgency": "low",
                                                        "unit": "USLD"}).status_code == 201
    history = contributor.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents/{document_id}/versions").json
    opened = [_open(workspace, contributor, row) for row in history["versions"]]
    assert [(v.version, v.author) for v in opened] == [
        (1, contributor.person.user_id), (2, workspace.owner.person.user_id),
        (3, contributor.person.user_id)]


def test_workspace_replayed_old_version_is_caught_by_the_client(team):
    workspace, contributor, _ = team
    document_id = new_document_id()
    workspace.put(contributor, document_id, 1, DOSSIER)
    old = contributor.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents/{document_id}/versions/1").json
    with pytest.raises(Exception, match="version 2"):
        _open(workspace, contributor, {**old, "version": 2})


def test_workspace_removal_rotates_key_and_refuses_the_removed_member(team):
    workspace, contributor, reader = team
    old_ring = workspace.keyring_of(reader)
    new_index, check = workspace.keyring.next_key()
    removal = workspace.entry(workspace.owner, "member_removed", public={
        "user_id": reader.person.user_id, "key_index": new_index, "key_check": check})
    remaining = [workspace.owner, contributor]
    grants = [{"user_id": m.person.user_id, "key_index": new_index,
               "grant": to_b64(keys.grant(workspace.owner.signing, m.box.public_key,
                                          organization=workspace.organization.organization_id,
                                          workspace=workspace.workspace_id, index=new_index,
                                          key=workspace.keyring.key(new_index)))}
              for m in remaining]
    url = f"/api/workspaces/{workspace.workspace_id}/members/{reader.person.user_id}"
    partial = workspace.owner.person.client.delete(url, json={"grants": grants[:1],
                                                              "log_entry": removal})
    assert (partial.status_code, partial.json["error"]["code"]) == (400, "bad_request")
    removed = workspace.owner.person.client.delete(url, json={"grants": grants,
                                                              "log_entry": removal})
    assert removed.status_code == 200, removed.json
    workspace.keyring.current = new_index
    assert reader.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents").status_code == 404
    document_id = new_document_id()
    workspace.put(contributor, document_id, 1, DOSSIER)
    row = contributor.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents/{document_id}/versions/1").json
    assert _open(workspace, contributor, row).key_index == new_index
    with pytest.raises(UnknownKeyError):
        _open(workspace, reader, row, keyring=old_ring)


def test_workspace_role_limits(team):
    workspace, contributor, _ = team
    manager = workspace.add("manager")
    newcomer = workspace.organization.member()

    def share(member, role):
        return member.person.client.post(f"{workspace.url}/members", json={
            "user_id": newcomer.user_id, "role": role,
            "grants": [{"user_id": newcomer.user_id, "key_index": 0, "grant": "eA"}],
            "log_entry": workspace.entry(member, "member_set",
                                         public={"user_id": newcomer.user_id, "role": role})})

    response = share(manager, "owner")
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    assert share(contributor, "reader").status_code == 403
    assert len(workspace.log()) == 4


def test_workspace_blocks_round_trip_and_are_checked(team):
    workspace, contributor, reader = team
    place = {"organization": workspace.organization.organization_id,
             "workspace": workspace.workspace_id}
    ref, ciphertext = encrypt_block(SCAN, file_id="f-1", index=0, **place)
    stored = upload_blocks(contributor, workspace.workspace_id, [(ref.block_id, ciphertext)])
    assert stored.status_code == 201
    [served] = frames(read_blocks(reader, workspace.workspace_id, [ref.block_id]).data)
    assert decrypt_block(ref, served, file_id="f-1", index=0, **place) == SCAN
    wrong = upload_blocks(contributor, workspace.workspace_id, [("ab" * 32, ciphertext)])
    assert (wrong.status_code, wrong.json["error"]["code"]) == (400, "block_mismatch")


def test_workspace_quota_is_refused(config):
    small = create_app(replace(config, organization_quota_bytes=1000))
    team = create_workspace(bootstrap(small))
    _, ciphertext = encrypt_block(bytes(2000), file_id="f-1", index=0,
                                  organization="o", workspace="w")
    block_id = hashlib.blake2b(ciphertext, digest_size=32).hexdigest()
    response = upload_blocks(team.owner, team.workspace_id, [(block_id, ciphertext)])
    assert (response.status_code, response.json["error"]["code"]) == (413, "quota_exceeded")


def test_workspace_members_hear_of_changes_live(team, app):
    workspace, contributor, reader = team
    listener = socketio_of(app).test_client(app, flask_test_client=reader.person.client)
    listener.get_received()
    document_id = new_document_id()
    workspace.put(contributor, document_id, 1, DOSSIER)
    events = [e for e in listener.get_received() if e["name"] == "workspace:changed"]
    assert events[-1]["args"][0] == {"workspace_id": workspace.workspace_id, "what": "document",
                                     "document_id": document_id, "kind": "dossier", "version": 1}


def test_workspace_nothing_readable_at_rest(team, config):
    workspace, contributor, _ = team
    workspace.put(contributor, new_document_id(), 1, DOSSIER)
    place = {"organization": workspace.organization.organization_id,
             "workspace": workspace.workspace_id}
    ref, ciphertext = encrypt_block(b"CONTENU-SECRET-DU-SCANNER" * 10, file_id="f-2", index=0,
                                    **place)
    upload_blocks(contributor, workspace.workspace_id, [(ref.block_id, ciphertext)])
    stored = b"".join(path.read_bytes() for path in config.data_dir.rglob("*") if path.is_file())
    for marker in ("Zélie Marqueur", "CONTENU-SECRET-DU-SCANNER", WORKSPACE_NAME):
        assert marker.encode() not in stored


def test_workspace_contributor_cannot_overwrite_the_workspace_manifest(team):
    workspace, contributor, _ = team
    for kind in ("dossier", "file"):
        response = workspace.put(contributor, workspace.workspace_id, 2, {"name": "Piraté"},
                                 kind=kind, **({"block_ids": []} if kind == "file" else {}))
        assert response.status_code == 400, response.json
        assert response.json["error"]["message"].startswith(f"a {kind}'s id begins with")
    versions = workspace.owner.person.client.get(
        f"{workspace.url}/documents/{workspace.workspace_id}/versions").json["versions"]
    assert [version["version"] for version in versions] == [1]


def test_workspace_manager_cannot_overwrite_a_members_grant(team):
    workspace, contributor, _ = team
    manager = workspace.add("manager")
    before = workspace.keyring_of(contributor).key(0)
    response = manager.person.client.post(f"{workspace.url}/members", json={
        "user_id": contributor.person.user_id, "role": "contributor",
        "grants": [{"user_id": contributor.person.user_id, "key_index": 0, "grant": "eA"}],
        "log_entry": workspace.entry(manager, "member_set", public={
            "user_id": contributor.person.user_id, "role": "contributor"})})
    assert response.status_code == 200, response.json
    assert workspace.keyring_of(contributor).key(0) == before


def test_workspace_revoked_member_is_not_listed_and_removing_others_needs_no_grant_for_them(
        team):
    workspace, contributor, reader = team
    revoked = workspace.organization.revoke(reader.person)
    assert revoked.status_code == 200, revoked.json
    listing = workspace.owner.person.client.get(workspace.url).json
    assert reader.person.user_id not in {member["user_id"] for member in listing["members"]}
    index, check = workspace.keyring.next_key()
    grants = [{"user_id": member.person.user_id, "key_index": index,
               "grant": to_b64(keys.grant(workspace.owner.signing, member.box.public_key,
                                          organization=workspace.organization.organization_id,
                                          workspace=workspace.workspace_id, index=index,
                                          key=workspace.keyring.key(index)))}
              for member in (workspace.owner,)]
    response = workspace.owner.person.client.delete(
        f"{workspace.url}/members/{contributor.person.user_id}", json={
            "grants": grants, "log_entry": workspace.entry(workspace.owner, "member_removed",
                                                           public={
                "user_id": contributor.person.user_id, "key_index": index,
                "key_check": check})})
    assert response.status_code == 200, response.json
