"""File blocks are checked before use; concurrent dossier edits merge without loss."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import DecryptionError
from pycrypto_wasm.workspace.blocks import (
    BlockRef,
    TamperedBlockError,
    decrypt_block,
    encrypt_block,
)
from pycrypto_wasm.workspace.merge import Conflict, merge_fields
from tests.crypto.tampering import flip_byte

PLACE = {"organization": "org-1", "workspace": "ws-1"}


def test_blocks_round_trip_and_hide_content():
    ref, ciphertext = encrypt_block(b"scan " * 1000, file_id="f-1", index=0, **PLACE)
    assert b"scan" not in ciphertext
    assert decrypt_block(ref, ciphertext, file_id="f-1", index=0, **PLACE) == b"scan " * 1000
    assert BlockRef.from_value(ref.to_value()) == ref


def test_blocks_altered_byte_is_named():
    ref, ciphertext = encrypt_block(b"x" * 100, file_id="f-1", index=2, **PLACE)
    with pytest.raises(TamperedBlockError, match="block 2 of file f-1"):
        decrypt_block(ref, flip_byte(ciphertext, 30), file_id="f-1", index=2, **PLACE)


def test_blocks_swapped_between_files_is_refused():
    ref_a, block_a = encrypt_block(b"a" * 10, file_id="f-a", index=0, **PLACE)
    _, block_b = encrypt_block(b"b" * 10, file_id="f-b", index=0, **PLACE)
    with pytest.raises(TamperedBlockError):
        decrypt_block(ref_a, block_b, file_id="f-a", index=0, **PLACE)
    with pytest.raises(DecryptionError, match="file-block f-b block 0"):
        decrypt_block(ref_a, block_a, file_id="f-b", index=0, **PLACE)


def test_merge_independent_fields_both_survive():
    base = {"urgency": "low", "unit": "SSR", "summary": "initial"}
    ours = {**base, "urgency": "high"}
    theirs = {**base, "summary": "updated by Dr B"}
    merged = merge_fields(base, ours, theirs)
    assert merged.fields == {"urgency": "high", "unit": "SSR", "summary": "updated by Dr B"}
    assert merged.conflicts == []


def test_merge_true_conflict_keeps_both_values():
    base = {"unit": "SSR"}
    merged = merge_fields(base, {"unit": "USLD"}, {"unit": "EHPAD"})
    assert merged.fields == {"unit": "USLD"}
    assert merged.conflicts == [Conflict("unit", "USLD", "EHPAD")]


def test_merge_deletion_on_one_side_applies():
    merged = merge_fields({"a": 1, "b": 2}, {"a": 1}, {"a": 1, "b": 2})
    assert merged.fields == {"a": 1}
