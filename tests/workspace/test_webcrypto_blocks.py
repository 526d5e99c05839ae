"""Format-2 file blocks: the layout the worker's WebCrypto follows (Padmé-padded last block,
associated data binding each block to its place), the manifest's references to them, and the
service methods the worker records and reads them with. Format-1 blocks stay readable."""

from __future__ import annotations

import hashlib
import os

import pytest

from pycrypto_wasm.exceptions import MalformedError, UnsupportedVersionError
from pycrypto_wasm.workspace import webcrypto_blocks
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE, BlockRef, decrypt_block, encrypt_block
from tests.crossruntime.vectors import seal_webcrypto_block
from tests.crypto.browsers import ok

PLACE = {"organization": "org-1", "workspace": "ws-1"}


@pytest.mark.parametrize(("length", "padded"), [
    (0, 0), (1, 1), (9, 10), (1000, 1024), (1025, 1088), (524288, 524288), (524289, 540672),
])
def test_padme_known_lengths(length, padded):
    assert webcrypto_blocks.padme(length) == padded


def test_padme_overhead_stays_under_twelve_percent():
    for length in [*range(1, 5000), *range(10**6, 10**6 + 5000, 7), 10**9 + 12345]:
        padded = webcrypto_blocks.padme(length)
        assert length <= padded <= length * 1.12


def test_padded_last_block_hides_the_exact_size_of_files():
    sizes = range(3 * BLOCK_SIZE + 1000, 3 * BLOCK_SIZE + 9000)
    stored = {3 * BLOCK_SIZE + webcrypto_blocks.padded_last_block(size) for size in sizes}
    assert len(stored) == 1
    assert webcrypto_blocks.padded_last_block(BLOCK_SIZE * 200 - 5) == BLOCK_SIZE
    assert webcrypto_blocks.padded_last_block(0) == 0


def test_associated_data_names_the_file_and_ends_with_the_index():
    prefix = webcrypto_blocks.associated_data_prefix(file_id="f-1", **PLACE)
    other = webcrypto_blocks.associated_data_prefix(file_id="f-2", **PLACE)
    assert prefix != other and prefix[0] == webcrypto_blocks.FORMAT
    assert webcrypto_blocks.associated_data(prefix, 258) == prefix + bytes(6) + b"\x01\x02"


def test_block_ref_of_format_2_round_trips_and_format_1_stays_unmarked():
    ref = webcrypto_blocks.block_ref(key=bytes(32), digest=bytes(range(32)), size=5)
    assert ref.block_id == bytes(range(32)).hex() and ref.format == 2
    assert BlockRef.from_value(ref.to_value()) == ref
    old, _ = encrypt_block(b"old", file_id="f-1", index=0, **PLACE)
    assert "format" not in old.to_value()
    assert BlockRef.from_value(old.to_value()).format == 1


def test_block_ref_of_unknown_format_or_bad_lengths_is_refused():
    value = webcrypto_blocks.block_ref(key=bytes(32), digest=bytes(32), size=5).to_value()
    with pytest.raises(UnsupportedVersionError):
        BlockRef.from_value({**value, "format": 9})
    with pytest.raises(MalformedError):
        webcrypto_blocks.block_ref(key=bytes(16), digest=bytes(32), size=5)


def test_format_1_decrypt_refuses_a_format_2_reference():
    ref = webcrypto_blocks.block_ref(key=bytes(32), digest=bytes(32), size=5)
    with pytest.raises(UnsupportedVersionError, match="block 0 of file f-1"):
        decrypt_block(ref, b"\x02" + bytes(40), file_id="f-1", index=0, **PLACE)


def test_service_file_in_format_2_blocks_lists_what_the_worker_needs(team):
    admin, _, workspace = team
    workspace_id = workspace.workspace_id
    workspace.open(admin, "u-admin")
    content = os.urandom(BLOCK_SIZE + 3000)
    begun = ok(admin.handle("file.begin_upload", {
        "workspace_id": workspace_id, "name": "scanner.dcm", "mime": "application/dicom",
        "size": len(content)}))
    layout = ok(admin.handle("file.upload_layout", {"file_id": begun["file_id"]}))
    assert layout["last_padded_size"] == webcrypto_blocks.padded_last_block(len(content))
    stored, keys = {}, []
    for index in range(begun["block_count"]):
        plaintext = content[index * BLOCK_SIZE:(index + 1) * BLOCK_SIZE]
        key = os.urandom(32)
        block = seal_webcrypto_block(
            plaintext, key=key, nonce=os.urandom(12), prefix=layout["prefix"], index=index,
            padded_size=layout["last_padded_size"] if index else len(plaintext))
        digest = hashlib.sha256(block).digest()
        recorded = ok(admin.handle("file.record_block", {
            "file_id": begun["file_id"], "index": index, "key": key, "digest": digest}))
        assert recorded["block_id"] == digest.hex()
        stored[digest.hex()] = block
        keys.append(key)
    manifest = workspace.store(admin, ok(admin.handle("file.finish_upload",
                                                      {"file_id": begun["file_id"]})))
    ok(admin.handle("file.end_transfer", {"file_id": begun["file_id"]}))
    download = ok(admin.handle("file.begin_download", {"workspace_id": workspace_id,
                                                       **manifest}))
    opened = ok(admin.handle("file.download_keys", {"file_id": download["file_id"]}))

    assert opened["prefix"] == layout["prefix"]
    assert [(b["format"], b["key"], b["size"], b["padded_size"]) for b in opened["blocks"]] == [
        (2, keys[0], BLOCK_SIZE, BLOCK_SIZE), (2, keys[1], 3000, layout["last_padded_size"])]
    assert [b["digest"].hex() for b in opened["blocks"]] == download["block_ids"]
    assert set(download["block_ids"]) == set(stored)
    refused = admin.handle("file.decrypt_block", {
        "file_id": download["file_id"], "index": 0, "ciphertext": stored[download["block_ids"][0]]})
    assert refused["error"]["code"] == "unsupported_version"


def test_service_record_block_refuses_bad_input(team):
    admin, _, workspace = team
    workspace.open(admin, "u-admin")
    begun = ok(admin.handle("file.begin_upload", {
        "workspace_id": workspace.workspace_id, "name": "a", "size": 10}))
    for bad in ({"index": 1, "key": bytes(32), "digest": bytes(32)},
                {"index": 0, "key": bytes(31), "digest": bytes(32)},
                {"index": 0, "key": bytes(32)}):
        reply = admin.handle("file.record_block", {"file_id": begun["file_id"], **bad})
        assert reply["ok"] is False and reply["error"]["code"] in {"bad_request", "malformed"}
