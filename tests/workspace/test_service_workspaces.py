"""The worker's workspace and dossier methods, as two members' browsers use them (CPython)."""

from __future__ import annotations

from tests.crypto.browsers import ok

DOSSIER = {"patient_name": "M. Paul Exemple", "urgency": "high", "requested_unit": "SSR"}


def test_workspace_shared_member_reads_name_and_dossiers(team):
    admin, member, workspace = team
    assert workspace.open(admin, "u-admin")["name"] == "Commission SSR"
    workspace.share(admin, "u-admin", "u-new", "contributor")
    assert workspace.open(member, "u-new")["name"] == "Commission SSR"
    saved = workspace.store(admin, ok(admin.handle("dossier.save", {
        "workspace_id": workspace.workspace_id, "fields": DOSSIER})))
    workspace.sync(member)
    read = ok(member.handle("dossier.read", {"workspace_id": workspace.workspace_id,
                                             "documents": [{**saved, "kind": "dossier"}]}))
    assert read["dossiers"][0]["fields"] == DOSSIER
    assert read["dossiers"][0]["author_name"] == "Dr Admin"


def test_workspace_unshared_member_cannot_read_new_dossiers(team):
    admin, member, workspace = team
    workspace.open(admin, "u-admin")
    workspace.share(admin, "u-admin", "u-new", "reader")
    workspace.open(member, "u-new")
    rotated = workspace.store(admin, ok(admin.handle("workspace.unshare", {
        "workspace_id": workspace.workspace_id, "user_id": "u-new"})), "u-admin")
    assert (rotated["key_index"], rotated["remaining"]) == (1, ["u-admin"])
    saved = workspace.store(admin, ok(admin.handle("dossier.save", {
        "workspace_id": workspace.workspace_id, "fields": DOSSIER})))
    # Even served the whole log and the new version, the removed member holds no key 1.
    reopened = workspace.open(member, "u-new")
    assert (reopened["role"], reopened["key_index"]) == (None, 1)
    read = ok(member.handle("dossier.read", {"workspace_id": workspace.workspace_id,
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
    workspace.open(admin, "u-admin")
    reply = admin.handle("dossier.save", {"workspace_id": workspace.workspace_id,
                                          "fields": {"shoe_size": 42}})
    assert reply["error"]["code"] == "bad_request"
    assert "shoe_size" in reply["error"]["message"]


def test_workspace_members_roles_are_what_the_history_proves(team):
    admin, member, workspace = team
    workspace.open(admin, "u-admin")
    workspace.share(admin, "u-admin", "u-new", "reader")
    opened = workspace.open(member, "u-new")
    assert [(m["user_id"], m["display_name"], m["role"]) for m in opened["members"]] == [
        ("u-admin", "Dr Admin", "owner"), ("u-new", "Mme Durand", "reader")]
    assert opened["role"] == "reader" and opened["chain"]["verified"]
    promoted = member.handle("workspace.share", {"workspace_id": workspace.workspace_id,
                                                 "user_id": "u-new", "role": "owner"})
    assert promoted["error"]["code"] == "forbidden"


def test_workspace_file_uploaded_in_blocks_downloads_identical(team):
    admin, _, workspace = team
    workspace.open(admin, "u-admin")
    content = bytes(range(256)) * 5000
    begun = ok(admin.handle("file.begin_upload", {
        "workspace_id": workspace.workspace_id, "name": "irm.pdf", "mime": "application/pdf",
        "size": len(content)}))
    stored = {}
    size = begun["block_size"]
    for index in range(begun["block_count"]):
        block = ok(admin.handle("file.encrypt_block", {
            "file_id": begun["file_id"], "index": index,
            "data": memoryview(content[index * size:(index + 1) * size])}))
        stored[block["block_id"]] = block["ciphertext"]
    manifest = workspace.store(admin, ok(admin.handle("file.finish_upload",
                                                      {"file_id": begun["file_id"]})))
    ok(admin.handle("file.end_transfer", {"file_id": begun["file_id"]}))
    download = ok(admin.handle("file.begin_download", {
        "workspace_id": workspace.workspace_id, **manifest}))
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
    deleted = workspace.store(admin, ok(admin.handle("file.revise", {
        "workspace_id": workspace.workspace_id, "document_id": manifest["document_id"],
        "expected_version": 1, "source": latest, "deleted": True})))
    assert (deleted["version"], deleted["deleted"]) == (2, True)
    assert deleted["block_ids"] == manifest["block_ids"]
    history = [latest, {"manifest": deleted["manifest"], "version": 2}]
    described = ok(admin.handle("file.describe", {
        "workspace_id": workspace.workspace_id,
        "documents": [{**entry, "document_id": manifest["document_id"]} for entry in history]}))
    assert [(f["version"], f["deleted"], f["name"]) for f in described["files"]] == [
        (1, False, "irm.pdf"), (2, True, "irm.pdf")]
    replayed = admin.handle("file.revise", {
        "workspace_id": workspace.workspace_id, "document_id": manifest["document_id"],
        "expected_version": 2, "source": {**latest, "version": 2}, "deleted": False})
    assert replayed["ok"] is False


def test_workspace_name_and_workflow_are_a_new_signed_manifest_version(team):
    admin, _, workspace = team
    opened = workspace.open(admin, "u-admin")
    stricter = {**opened["workflow"], "quorum": 2}
    renamed = workspace.store(admin, ok(admin.handle("workspace.save_settings", {
        "workspace_id": workspace.workspace_id, "name": "Commission SSR — 2027",
        "workflow": stricter})))
    assert renamed["version"] == 2
    first_manifest = workspace.manifest
    workspace.manifest, workspace.manifest_version = renamed["manifest"], 2
    reopened = workspace.open(admin, "u-admin")
    assert reopened["name"] == "Commission SSR — 2027"
    assert reopened["workflow"]["quorum"] == 2
    invalid = admin.handle("workspace.save_settings", {
        "workspace_id": workspace.workspace_id, "name": "x",
        "workflow": {**stricter, "policy": {**stricter["policy"], "decision": "reader"}}})
    assert invalid["ok"] is False
    replayed = admin.handle("workspace.open", workspace.listing("u-admin",
                                                                manifest=first_manifest))
    assert replayed["ok"] is False
    assert "not the version the workspace's history recorded" in replayed["error"]["message"]
