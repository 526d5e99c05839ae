"""File versions through the real API: the blocks each version lists must be stored, deletion
keeps history, the organization's storage total follows blocks in and out, and the collector
removes only what no version uses."""

from __future__ import annotations

import http.client
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from api import create_app
from api.identity.sessions import COOKIE
from api.storage.blocks.configured import open_block_store
from api.storage.sqlstore import open_store
from api.workspaces.collection import UPLOAD_GRACE_SECONDS, collect_garbage
from api.workspaces.quota import MIN_CHARGED_BLOCK_BYTES, charged_bytes
from e2e.harness.server import serving_in_thread
from pycrypto_wasm.workspace.blocks import encrypt_block
from tests.api.conftest import ON_EVERY_BLOCK_STORE
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import batch, create_workspace, upload_blocks

pytestmark = ON_EVERY_BLOCK_STORE
DAY = 86400
FILE_A = "f-111111111111111111111111"
FILE_B = "f-222222222222222222222222"
FILE_BIG = "f-333333333333333333333333"
FILE_C = "f-444444444444444444444444"
FILE_D = "f-555555555555555555555555"
FILE_E = "f-666666666666666666666666"


def _upload_block(workspace, member, content: bytes, file_id: str, index: int = 0) -> str:
    ref, ciphertext = encrypt_block(
        content,
        organization=workspace.organization.organization_id,
        workspace=workspace.workspace_id,
        file_id=file_id,
        index=index,
    )
    response = upload_blocks(member, workspace.workspace_id, [(ref.block_id, ciphertext)])
    assert response.status_code == 201, response.json
    return ref.block_id


def _put_file(workspace, member, file_id, version, block_ids, deleted=False):
    return workspace.put(member, file_id, version, {"name": "bilan.pdf", "deleted": deleted},
                         kind="file", block_ids=block_ids, deleted=deleted)


def _usage(config, workspace) -> int:
    store = open_store(config)
    try:
        return store.workspaces.organization_usage(workspace.organization.organization_id)
    finally:
        store.close()


def _block_files(config) -> set[str]:
    """The names of what the block store holds."""
    return {entry.name for entry in open_block_store(config).entries()}


def test_file_version_must_list_stored_blocks(workspace):
    owner = workspace.owner
    stored = _upload_block(workspace, owner, b"page 1", FILE_A)
    missing = _put_file(workspace, owner, FILE_A, 1, [stored, "cd" * 32])
    assert (missing.status_code, missing.json["error"]["code"]) == (400, "missing_blocks")
    unlisted = owner.person.client.put(
        f"/api/workspaces/{workspace.workspace_id}/documents/{FILE_A}",
        json={"kind": "file", "expected_version": 0, "manifest": "eA"},
    )
    assert unlisted.status_code == 400
    assert _put_file(workspace, owner, FILE_A, 1, [stored]).status_code == 201


def test_file_deletion_is_a_new_version_and_history_stays(workspace):
    owner = workspace.owner
    block = _upload_block(workspace, owner, b"scan", FILE_B)
    assert _put_file(workspace, owner, FILE_B, 1, [block]).status_code == 201
    assert _put_file(workspace, owner, FILE_B, 2, [block], deleted=True).status_code == 201
    listing = owner.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents?kind=file"
    ).json["documents"]
    assert [(d["version"], d["deleted"]) for d in listing] == [(2, True)]
    history = owner.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents/{FILE_B}/versions"
    ).json["versions"]
    assert [d["deleted"] for d in history] == [False, True]
    dossier = owner.person.client.put(
        f"/api/workspaces/{workspace.workspace_id}/documents/d-x",
        json={"kind": "dossier", "expected_version": 0, "manifest": "eA", "deleted": True},
    )
    assert dossier.status_code == 400


def test_file_too_large_is_refused(config):
    small = create_app(replace(config, max_file_bytes=MIN_CHARGED_BLOCK_BYTES * 2))
    team = create_workspace(bootstrap(small))
    blocks = [_upload_block(team, team.owner, bytes([n]), FILE_BIG, n) for n in range(3)]
    response = _put_file(team, team.owner, FILE_BIG, 1, blocks)
    assert (response.status_code, response.json["error"]["code"]) == (413, "file_too_large")


def test_storage_total_counts_each_block_once(workspace, config):
    owner = workspace.owner
    before = _usage(config, workspace)
    ref, ciphertext = encrypt_block(
        b"x" * 1000, organization="o", workspace="w", file_id="f", index=0
    )
    upload_blocks(owner, workspace.workspace_id, [(ref.block_id, ciphertext)])
    upload_blocks(owner, workspace.workspace_id, [(ref.block_id, ciphertext)])
    assert _usage(config, workspace) == before + charged_bytes(len(ciphertext))


def test_collection_keeps_what_versions_use_and_removes_the_rest(workspace, config):
    owner = workspace.owner
    kept = _upload_block(workspace, owner, b"kept", FILE_C)
    assert _put_file(workspace, owner, FILE_C, 1, [kept]).status_code == 201
    abandoned = _upload_block(workspace, owner, b"upload never finished", FILE_D)
    deleted = _upload_block(workspace, owner, b"deleted file", FILE_E)
    assert _put_file(workspace, owner, FILE_E, 1, [deleted]).status_code == 201
    assert _put_file(workspace, owner, FILE_E, 2, [deleted], deleted=True).status_code == 201
    usage = _usage(config, workspace)

    soon = collect_garbage(config, now=time.time() + 60)
    assert (soon.files, soon.blocks) == (0, 0), "a fresh upload and a fresh deletion stay"

    later = time.time() + UPLOAD_GRACE_SECONDS + 60
    first = collect_garbage(config, now=later)
    assert (first.files, first.blocks) == (0, 1)
    assert abandoned not in _block_files(config)
    assert {kept, deleted} <= _block_files(config)

    after_retention = time.time() + config.deleted_file_retention_days * DAY + 60
    second = collect_garbage(config, now=after_retention)
    assert (second.files, second.blocks) == (1, 1)
    assert deleted not in _block_files(config)
    assert kept in _block_files(config)
    assert _usage(config, workspace) == usage - first.bytes - second.bytes
    gone = owner.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents/{FILE_E}/versions"
    )
    assert gone.status_code == 404


def test_concurrent_block_uploads_over_http_all_land(workspace, config):
    """Eight uploads at once through a real threaded server: every block is stored and
    counted once, none refused because SQLite was busy."""
    owner = workspace.owner
    headers = {"Cookie": f"{COOKIE}={owner.person.client.get_cookie(COOKIE).value}",
               "Origin": config.public_origin, "Content-Type": "application/octet-stream"}
    blocks = [encrypt_block(bytes([n]) * 4096, organization="o", workspace="w",
                            file_id=FILE_A, index=n) for n in range(64)]
    before = _usage(config, workspace)

    with serving_in_thread(owner.person.client.application) as port:
        def upload(ref_and_ciphertext) -> int:
            ref, ciphertext = ref_and_ciphertext
            connection = http.client.HTTPConnection("127.0.0.1", port)
            try:
                connection.request("POST", f"/api/workspaces/{workspace.workspace_id}/blocks",
                                   body=batch([(ref.block_id, ciphertext)]), headers=headers)
                return connection.getresponse().status
            finally:
                connection.close()

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(upload, blocks))
    assert statuses == [201] * len(blocks)
    assert _usage(config, workspace) == before + sum(len(c) for _, c in blocks)
