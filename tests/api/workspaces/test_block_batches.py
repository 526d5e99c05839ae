"""Many blocks per request, as the browser uploads and downloads them: a batch upload stores
all its blocks or none (each checked against its name, within the quota, contributors only); a
streamed read sends each block framed by its length, in the order asked, to members only.
Malformed or missing input gets a clear error."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace

from api import create_app
from api.workspaces.blocks import MAX_STREAMED_BLOCKS, MAX_UPLOADED_BLOCKS
from api.workspaces.quota import charged_bytes
from pycrypto_wasm.workspace.blocks import encrypt_block
from tests.api.conftest import ON_EVERY_BLOCK_STORE
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import (
    batch,
    create_workspace,
    frames,
    read_blocks,
    send_batch,
    upload_blocks,
)
from tests.api.workspaces.test_files import FILE_A, _block_files, _upload_block, _usage

pytestmark = ON_EVERY_BLOCK_STORE


def _encrypted(workspace, contents: list[bytes]) -> list[tuple[str, bytes]]:
    blocks = []
    for index, content in enumerate(contents):
        ref, ciphertext = encrypt_block(
            content, organization=workspace.organization.organization_id,
            workspace=workspace.workspace_id, file_id=FILE_A, index=index)
        blocks.append((ref.block_id, ciphertext))
    return blocks


def _stored(workspace, block_id: str) -> bytes:
    [data] = frames(read_blocks(workspace.owner, workspace.workspace_id, [block_id]).data)
    return data


def test_a_batch_upload_stores_every_block_once(workspace, config):
    blocks = _encrypted(workspace, [b"one", b"two" * 1000, b"three"])
    before = _usage(config, workspace)

    response = upload_blocks(workspace.owner, workspace.workspace_id, [*blocks, blocks[0]])

    assert response.status_code == 201, response.json
    for block_id, data in blocks:
        assert _stored(workspace, block_id) == data
    assert _usage(config, workspace) == before + sum(charged_bytes(len(data)) for _, data in blocks)


def test_a_batch_with_one_bad_block_stores_nothing_and_names_it(workspace, config):
    blocks = _encrypted(workspace, [b"good", b"altered on its way"])
    altered = [blocks[0], (blocks[1][0], blocks[1][1][:-1] + bytes([blocks[1][1][-1] ^ 1]))]

    response = upload_blocks(workspace.owner, workspace.workspace_id, altered)

    assert (response.status_code, response.json["error"]["code"]) == (400, "block_mismatch")
    assert "block 1 of the batch" in response.json["error"]["message"]
    assert _block_files(config) == set()


def test_a_block_named_by_the_other_formats_digest_or_of_no_format_is_refused(workspace, config):
    """Each format names its blocks by one digest (its first byte says which): a format-1 block
    named by SHA-256, or a block of an unknown format, does not match its name."""
    [(_, ciphertext)] = _encrypted(workspace, [b"format 1"])
    unknown = b"\x07" + ciphertext[1:]
    for block in ((hashlib.sha256(ciphertext).hexdigest(), ciphertext),
                  (hashlib.sha256(unknown).hexdigest(), unknown)):
        response = upload_blocks(workspace.owner, workspace.workspace_id, [block])

        assert (response.status_code, response.json["error"]["code"]) == (400, "block_mismatch")
    assert _block_files(config) == set()


def test_malformed_batches_are_refused_clearly(workspace, config):
    whole = batch(_encrypted(workspace, [b"a block"]))
    for body, status, words in ((b"", 400, "no block"), (whole[:20], 400, "no header"),
                                (whole[:-1], 400, "cut short"),
                                (whole * (MAX_UPLOADED_BLOCKS + 1), 413, "at most")):
        response = send_batch(workspace.owner, workspace.workspace_id, body)
        assert response.status_code == status, words
        assert words in response.json["error"]["message"]
    assert _block_files(config) == set()


def test_a_batch_shorter_or_longer_than_announced_is_refused(workspace, config):
    """What the body's Content-Length announces is checked before anything is read: a body cut
    short on the way is refused, and one announcing more than a request may hold is refused
    without being read."""
    whole = batch(_encrypted(workspace, [b"a block"]))
    for sent, announced, status in ((whole[:-5], len(whole), 400), (whole, 2**40, 413)):
        response = workspace.owner.person.client.post(
            f"/api/workspaces/{workspace.workspace_id}/blocks", input_stream=io.BytesIO(sent),
            environ_overrides={"CONTENT_LENGTH": str(announced)},
            content_type="application/octet-stream")

        assert response.status_code == status, response.json
    assert _block_files(config) == set()


def test_a_batch_over_the_quota_stores_nothing(config):
    small = create_app(replace(config, organization_quota_bytes=3000))
    team = create_workspace(bootstrap(small))
    blocks = _encrypted(team, [b"x" * 1000, b"y" * 1000, b"z" * 1000])

    response = upload_blocks(team.owner, team.workspace_id, blocks)

    assert (response.status_code, response.json["error"]["code"]) == (413, "quota_exceeded")
    assert _block_files(config) == set()


def test_readers_cannot_upload_blocks(workspace):
    reader = workspace.add("reader")
    blocks = _encrypted(workspace, [b"not allowed"])

    response = upload_blocks(reader, workspace.workspace_id, blocks)

    assert response.status_code == 403


def test_blocks_stream_in_the_order_asked_each_framed_by_its_length(workspace):
    first = _upload_block(workspace, workspace.owner, b"first block", FILE_A, 0)
    second = _upload_block(workspace, workspace.owner, b"second, longer block" * 50, FILE_A, 1)
    reader = workspace.add("reader")

    response = read_blocks(reader, workspace.workspace_id, [second, first, second])

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert frames(response.data) == [_stored(workspace, second), _stored(workspace, first),
                                      _stored(workspace, second)]


def test_a_missing_block_is_named_before_anything_is_sent(workspace):
    stored = _upload_block(workspace, workspace.owner, b"here", FILE_A)
    absent = "ab" * 32

    response = read_blocks(workspace.owner, workspace.workspace_id, [stored, absent])

    assert response.status_code == 404
    assert absent in response.json["error"]["message"]


def test_malformed_requests_are_refused_clearly(workspace):
    stored = _upload_block(workspace, workspace.owner, b"here", FILE_A)
    for block_ids in ([], "not a list", [stored, 7], [stored] * (MAX_STREAMED_BLOCKS + 1)):
        response = read_blocks(workspace.owner, workspace.workspace_id, block_ids)
        assert response.status_code == 400, block_ids
        assert "block_ids" in response.json["error"]["message"]
    response = read_blocks(workspace.owner, workspace.workspace_id, ["../etc/passwd"])
    assert response.status_code == 400
    assert response.json["error"]["message"] == "malformed block id"


def test_only_members_read_blocks(workspace):
    stored = _upload_block(workspace, workspace.owner, b"secret", FILE_A)
    outsider = workspace.organization.member()

    response = outsider.client.post(f"/api/workspaces/{workspace.workspace_id}/blocks/stream",
                                    json={"block_ids": [stored]})

    assert response.status_code == 404


def test_a_batch_of_format_2_blocks_is_named_by_sha256(workspace):
    blocks = [(hashlib.sha256(data).hexdigest(), data)
              for data in (b"\x02" + bytes(12) + b"sealed by webcrypto", b"\x02" + bytes(40))]
    renamed = [(hashlib.sha256(b"something else").hexdigest(), blocks[0][1])]

    assert upload_blocks(workspace.owner, workspace.workspace_id, blocks).status_code == 201
    refused = upload_blocks(workspace.owner, workspace.workspace_id, renamed)

    assert [_stored(workspace, block_id) for block_id, _ in blocks] == [d for _, d in blocks]
    assert (refused.status_code, refused.json["error"]["code"]) == (400, "block_mismatch")
