"""No acknowledged block is lost: an upload refused at the quota keeps the blocks another upload
recorded meanwhile; a recorded block whose bytes are missing fails loudly when read, never as a
short 200; file versions only name blocks of their workspace; what a crash leaves in the block
store, and blocks no row records, are collected."""

from __future__ import annotations

import http.client
import os
import threading
import time
from dataclasses import replace

import pytest

from api import create_app
from api.identity.sessions import COOKIE
from api.storage.blocks import BlockStore
from api.storage.blocks.configured import open_block_store
from api.workspaces.blocks import READ_AHEAD
from api.workspaces.collection import UNRECORDED_GRACE_SECONDS, collect_garbage
from api.workspaces.quota import charged_bytes
from e2e.harness.server import serving_in_thread
from pycrypto_wasm.workspace.blocks import encrypt_block
from tests.api.conftest import ON_EVERY_BLOCK_STORE, same_origin_client
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import create_workspace, frames, read_blocks, upload_blocks
from tests.api.workspaces.test_files import FILE_A, _block_files, _put_file, _upload_block


def _block(content: bytes, index: int = 0) -> tuple[str, bytes]:
    ref, ciphertext = encrypt_block(content, organization="o", workspace="w", file_id=FILE_A,
                                    index=index)
    return ref.block_id, ciphertext


class _Wrapped:
    """The app's block store, with one moment of a concurrent request played in between."""

    def __init__(self, store: BlockStore) -> None:
        self.store = store

    def __getattr__(self, name: str):
        return getattr(self.store, name)


class _PausingBlockStore(_Wrapped):
    """Writing `pause_after` waits until `resume` is set: where a concurrent upload gets in."""

    def __init__(self, store: BlockStore, pause_after: str) -> None:
        super().__init__(store)
        self.pause_after = pause_after
        self.paused = threading.Event()
        self.resume = threading.Event()

    def put(self, workspace_id: str, block_id: str, data: bytes | memoryview) -> None:
        self.store.put(workspace_id, block_id, data)
        if block_id == self.pause_after:
            self.paused.set()
            assert self.resume.wait(30)


@ON_EVERY_BLOCK_STORE
def test_an_upload_refused_at_the_quota_keeps_a_block_another_upload_recorded(config):
    shared, first_only, second_only = (_block(b"shared scan"), _block(b"page A", 1),
                                       _block(b"page B", 2))
    quota = sum(charged_bytes(len(data)) for _, data in (shared, first_only, second_only)) - 1
    app = create_app(replace(config, organization_quota_bytes=quota))
    team = create_workspace(bootstrap(app))
    pausing = _PausingBlockStore(app.extensions["paravent_blocks"], first_only[0])
    app.extensions["paravent_blocks"] = pausing
    second_browser = same_origin_client(app)
    second_browser.set_cookie(COOKIE, team.owner.person.client.get_cookie(COOKIE).value)
    first_status: list[int] = []

    def first_upload() -> None:
        first_status.append(upload_blocks(team.owner, team.workspace_id,
                                          [shared, first_only]).status_code)

    first = threading.Thread(target=first_upload)
    first.start()
    assert pausing.paused.wait(30)
    second = second_browser.post(f"/api/workspaces/{team.workspace_id}/blocks",
                                 data=b"".join(bytes.fromhex(i) + len(d).to_bytes(4, "big") + d
                                               for i, d in (shared, second_only)),
                                 content_type="application/octet-stream")
    pausing.resume.set()
    first.join(30)

    assert (second.status_code, first_status) == (201, [413])
    response = read_blocks(team.owner, team.workspace_id, [shared[0], second_only[0]])
    assert response.status_code == 200
    assert frames(response.data) == [shared[1], second_only[1]]


@ON_EVERY_BLOCK_STORE
def test_a_recorded_block_missing_from_storage_is_an_error_before_anything_is_sent(
        workspace, config):
    kept = _upload_block(workspace, workspace.owner, b"kept", FILE_A, 0)
    lost = _upload_block(workspace, workspace.owner, b"lost", FILE_A, 1)
    app = workspace.owner.person.client.application
    app.extensions["paravent_blocks"].delete(workspace.workspace_id, lost)

    response = read_blocks(workspace.owner, workspace.workspace_id, [kept, lost])

    assert (response.status_code, response.json["error"]["code"]) == (500, "block_lost")
    assert lost in response.json["error"]["message"]


class _LostOnceReadingBegins(_Wrapped):
    """`lost` is there when the read begins, and gone once its first block is read."""

    def __init__(self, store: BlockStore, first: str, lost: str) -> None:
        super().__init__(store)
        self.first, self.lost = first, lost

    def get(self, workspace_id: str, block_id: str) -> bytes | None:
        if block_id == self.first:
            self.store.delete(workspace_id, self.lost)
        return self.store.get(workspace_id, block_id)


@ON_EVERY_BLOCK_STORE
def test_a_block_lost_during_a_streamed_read_aborts_the_response(workspace, config):
    # Past the blocks read before the response starts, and past those read ahead of them.
    kept = [_upload_block(workspace, workspace.owner, b"kept %d" % index * 1000, FILE_A, index)
            for index in range(2 * READ_AHEAD)]
    lost = _upload_block(workspace, workspace.owner, b"lost" * 1000, FILE_A, 2 * READ_AHEAD)
    app = workspace.owner.person.client.application
    app.extensions["paravent_blocks"] = _LostOnceReadingBegins(
        app.extensions["paravent_blocks"], kept[0], lost)
    block_ids = ", ".join(f'"{block_id}"' for block_id in [*kept, lost])
    cookie = workspace.owner.person.client.get_cookie(COOKIE).value

    with serving_in_thread(app) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", f"/api/workspaces/{workspace.workspace_id}/blocks/stream",
                           body=f'{{"block_ids": [{block_ids}]}}',
                           headers={"Cookie": f"{COOKIE}={cookie}", "Origin": config.public_origin,
                                    "Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        connection.close()


@ON_EVERY_BLOCK_STORE
def test_a_file_version_naming_another_workspaces_block_is_refused(workspace):
    elsewhere = create_workspace(workspace.organization)
    foreign = _upload_block(elsewhere, elsewhere.owner, b"other workspace", FILE_A)

    response = _put_file(workspace, workspace.owner, FILE_A, 1, [foreign])

    assert (response.status_code, response.json["error"]["code"]) == (400, "missing_blocks")


@ON_EVERY_BLOCK_STORE
def test_collection_removes_blocks_no_row_records_once_past_the_grace(workspace, config):
    recorded = _upload_block(workspace, workspace.owner, b"recorded", FILE_A)
    unrecorded_id, unrecorded = _block(b"written, never recorded")
    open_block_store(config).put(workspace.workspace_id, unrecorded_id, unrecorded)

    assert collect_garbage(config).unrecorded == 0, "an upload may be recording it right now"
    collected = collect_garbage(config, now=time.time() + UNRECORDED_GRACE_SECONDS + 60)

    assert collected.unrecorded == 1
    assert _block_files(config) == {recorded}
    [data] = frames(read_blocks(workspace.owner, workspace.workspace_id, [recorded]).data)
    assert len(data) > 0


def _age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.parametrize("blocks", ["folder"], indirect=True)
def test_collection_removes_what_a_crash_left_in_the_block_folder(workspace, config):
    recorded = _upload_block(workspace, workspace.owner, b"recorded", FILE_A)
    folder = config.blocks_dir / workspace.workspace_id / recorded[:2]
    leftover = folder / ".incoming-crashed"
    leftover.write_bytes(b"half a block")
    fresh = folder / ".incoming-writing"
    fresh.write_bytes(b"an upload in progress")
    _age(leftover, UNRECORDED_GRACE_SECONDS + 60)

    assert collect_garbage(config).unrecorded == 1
    assert (leftover.exists(), fresh.exists()) == (False, True)
    assert _block_files(config) == {recorded, fresh.name}
