"""The worker's workspace and dossier methods, as two members' browsers use them (CPython)."""

from __future__ import annotations

from tests.crypto.browsers import ok
from tests.workspace.conftest import listing as _listing

DOSSIER = {"patient_name": "M. Paul Exemple", "urgency": "high", "requested_unit": "SSR"}


def test_workspace_shared_member_reads_name_and_dossiers(team):
    admin, member, workspace = team
    owner_grant = {"key_index": 0, "granted_by": "u-admin", "grant": workspace["key_grant"]}
    assert ok(admin.handle("workspace.open", _listing(workspace, [owner_grant])))["name"] == (
        "Commission SSR")
    shared = ok(admin.handle("workspace.share", {"workspace_id": workspace["workspace_id"],
                                                 "user_id": "u-new", "role": "contributor"}))
    grants = [{**g, "granted_by": "u-admin"} for g in shared["grants"]]
    assert ok(member.handle("workspace.open", _listing(workspace, grants)))["name"] == (
        "Commission SSR")
    saved = ok(admin.handle("dossier.save", {"workspace_id": workspace["workspace_id"],
                                             "fields": DOSSIER}))
    read = ok(member.handle("dossier.read", {"workspace_id": workspace["workspace_id"],
                                             "documents": [{**saved, "kind": "dossier"}]}))
    assert read["dossiers"][0]["fields"] == DOSSIER
    assert read["dossiers"][0]["author_name"] == "Dr Admin"


def test_workspace_unshared_member_cannot_read_new_dossiers(team):
    admin, member, workspace = team
    owner_grant = {"key_index": 0, "granted_by": "u-admin", "grant": workspace["key_grant"]}
    ok(admin.handle("workspace.open", _listing(workspace, [owner_grant])))
    shared = ok(admin.handle("workspace.share", {"workspace_id": workspace["workspace_id"],
                                                 "user_id": "u-new", "role": "reader"}))
    ok(member.handle("workspace.open", _listing(
        workspace, [{**g, "granted_by": "u-admin"} for g in shared["grants"]])))
    rotated = ok(admin.handle("workspace.unshare", {"workspace_id": workspace["workspace_id"],
                                                    "remaining": ["u-admin"]}))
    assert rotated["key_index"] == 1
    saved = ok(admin.handle("dossier.save", {"workspace_id": workspace["workspace_id"],
                                             "fields": DOSSIER}))
    read = ok(member.handle("dossier.read", {"workspace_id": workspace["workspace_id"],
                                             "documents": [{**saved, "kind": "dossier"}]}))
    assert "key 1 of workspace" in read["dossiers"][0]["problem"]
    assert "fields" not in read["dossiers"][0]


def test_workspace_concurrent_edits_merge(team):
    admin, _, _ = team
    merged = ok(admin.handle("dossier.merge", {
        "base": {"urgency": "low", "summary": "a"},
        "ours": {"urgency": "high", "summary": "a"},
        "theirs": {"urgency": "low", "summary": "b", "status": "under_review"}}))
    assert merged == {"fields": {"status": "under_review", "summary": "b", "urgency": "high"},
                      "conflicts": []}


def test_workspace_unknown_dossier_field_is_refused(team):
    admin, _, workspace = team
    reply = admin.handle("dossier.save", {"workspace_id": workspace["workspace_id"],
                                          "fields": {"shoe_size": 42}})
    assert reply["error"]["code"] == "bad_request"


def test_workspace_members_roles_are_verified(team):
    admin, _, workspace = team
    owner_grant = {"key_index": 0, "granted_by": "u-admin", "grant": workspace["key_grant"]}
    ok(admin.handle("workspace.open", _listing(workspace, [owner_grant])))
    shared = ok(admin.handle("workspace.share", {"workspace_id": workspace["workspace_id"],
                                                 "user_id": "u-new", "role": "reader"}))
    members = [
        {"user_id": "u-admin", "role": "owner", "role_certificate": workspace["role_certificate"]},
        {"user_id": "u-new", "role": "owner", "role_certificate": shared["role_certificate"]},
    ]
    verified = ok(admin.handle("workspace.verify_members", {
        "workspace_id": workspace["workspace_id"], "first_manifest": workspace["manifest"],
        "members": members}))["members"]
    assert [(m["user_id"], m["role"], m["server_role"]) for m in verified] == [
        ("u-admin", "owner", "owner"), ("u-new", "reader", "owner")]


def test_workspace_file_uploaded_in_blocks_downloads_identical(team):
    admin, _, workspace = team
    owner_grant = {"key_index": 0, "granted_by": "u-admin", "grant": workspace["key_grant"]}
    ok(admin.handle("workspace.open", _listing(workspace, [owner_grant])))
    content = bytes(range(256)) * 5000
    begun = ok(admin.handle("file.begin_upload", {
        "workspace_id": workspace["workspace_id"], "name": "irm.pdf", "mime": "application/pdf",
        "size": len(content)}))
    stored = {}
    size = begun["block_size"]
    for index in range(begun["block_count"]):
        block = ok(admin.handle("file.encrypt_block", {
            "file_id": begun["file_id"], "index": index,
            "data": memoryview(content[index * size:(index + 1) * size])}))
        stored[block["block_id"]] = block["ciphertext"]
    manifest = ok(admin.handle("file.finish_upload", {"file_id": begun["file_id"]}))
    download = ok(admin.handle("file.begin_download", {
        "workspace_id": workspace["workspace_id"], **manifest}))
    assert (download["name"], download["size"]) == ("irm.pdf", len(content))
    parts = [ok(admin.handle("file.decrypt_block", {
        "file_id": download["file_id"], "index": index, "ciphertext": stored[block_id]}))["data"]
        for index, block_id in enumerate(download["block_ids"])]
    assert b"".join(parts) == content
    swapped = admin.handle("file.decrypt_block", {
        "file_id": download["file_id"], "index": 0,
        "ciphertext": stored[download["block_ids"][1]]})
    assert swapped["error"]["code"] == "tampered_block"
    assert "block 0 of file" in swapped["error"]["message"]
    assert "irm.pdf" in swapped["error"]["message"]
    assert manifest["block_ids"] == download["block_ids"]

    latest = {"manifest": manifest["manifest"], "version": 1}
    deleted = ok(admin.handle("file.revise", {
        "workspace_id": workspace["workspace_id"], "document_id": manifest["document_id"],
        "expected_version": 1, "source": latest, "deleted": True}))
    assert (deleted["version"], deleted["deleted"]) == (2, True)
    assert deleted["block_ids"] == manifest["block_ids"]
    history = [latest, {"manifest": deleted["manifest"], "version": 2}]
    described = ok(admin.handle("file.describe", {
        "workspace_id": workspace["workspace_id"],
        "documents": [{**entry, "document_id": manifest["document_id"]} for entry in history]}))
    assert [(f["version"], f["deleted"], f["name"]) for f in described["files"]] == [
        (1, False, "irm.pdf"), (2, True, "irm.pdf")]
    replayed = admin.handle("file.revise", {
        "workspace_id": workspace["workspace_id"], "document_id": manifest["document_id"],
        "expected_version": 2, "source": {**latest, "version": 2}, "deleted": False})
    assert replayed["ok"] is False


def test_workspace_name_and_workflow_are_a_new_signed_manifest_version(team):
    admin, _, workspace = team
    owner_grant = {"key_index": 0, "granted_by": "u-admin", "grant": workspace["key_grant"]}
    ok(admin.handle("workspace.open", _listing(workspace, [owner_grant])))
    opened = ok(admin.handle("workspace.open", _listing(workspace, [owner_grant])))
    stricter = {**opened["workflow"], "quorum": 2}
    renamed = ok(admin.handle("workspace.save_settings", {
        "workspace_id": workspace["workspace_id"], "expected_version": 1,
        "name": "Commission SSR — 2027", "workflow": stricter}))
    assert renamed["version"] == 2
    reopened = ok(admin.handle("workspace.open", {
        **_listing(workspace, [owner_grant], version=2), "manifest": renamed["manifest"]}))
    assert reopened["name"] == "Commission SSR — 2027"
    assert reopened["workflow"]["quorum"] == 2
    invalid = admin.handle("workspace.save_settings", {
        "workspace_id": workspace["workspace_id"], "expected_version": 2, "name": "x",
        "workflow": {**stricter, "policy": {**stricter["policy"], "decision": "reader"}}})
    assert invalid["ok"] is False
    replayed = admin.handle("workspace.open", _listing(workspace, [owner_grant], version=2))
    assert replayed["ok"] is False
