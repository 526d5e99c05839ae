"""The AEAD envelope refuses every altered, moved or wrongly-keyed ciphertext, by name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pycrypto_wasm import envelope
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import (
    CryptoError,
    DecryptionError,
    MalformedError,
    UnsupportedVersionError,
)
from pycrypto_wasm.random import random_key
from tests.crypto.tampering import flip_byte

KEY = bytes(range(32))


@given(st.binary(max_size=4096))
def test_envelope_round_trip_returns_plaintext(plaintext):
    context = Context(purpose="note", object_id="n-1")
    assert envelope.open_(KEY, context, envelope.seal(KEY, context, plaintext)) == plaintext


def test_envelope_starts_with_version_and_hides_plaintext(manifest_context):
    sealed = envelope.seal(KEY, manifest_context, b"Mme Exemple")
    assert sealed[0] == envelope.VERSION
    assert b"Exemple" not in sealed
    assert len(sealed) == len(b"Mme Exemple") + envelope.OVERHEAD


def test_envelope_two_seals_differ(manifest_context):
    assert envelope.seal(KEY, manifest_context, b"x") != envelope.seal(KEY, manifest_context, b"x")


@pytest.mark.parametrize("index", [1, 12, 25, 30, -1])
def test_envelope_flipped_byte_raises_decryption_error_naming_object(manifest_context, index):
    sealed = envelope.seal(KEY, manifest_context, b"summary of admission")
    with pytest.raises(DecryptionError, match="dossier-manifest dossier-7 version 4"):
        envelope.open_(KEY, manifest_context, flip_byte(sealed, index))


@pytest.mark.parametrize(
    "other_place",
    [
        {"version": 3},
        {"object_id": "dossier-8"},
        {"workspace": "ws-2"},
        {"purpose": "file-manifest"},
    ],
)
def test_envelope_wrong_context_raises_decryption_error(manifest_context, other_place):
    sealed = envelope.seal(KEY, manifest_context, b"summary")
    moved = Context.from_fields({**manifest_context.fields(), **other_place})
    with pytest.raises(DecryptionError, match=moved.describe()):
        envelope.open_(KEY, moved, sealed)


def test_envelope_block_moved_to_another_index_is_refused(block_context):
    sealed = envelope.seal(KEY, block_context, b"block bytes")
    moved = Context.from_fields({**block_context.fields(), "block_index": 4})
    with pytest.raises(DecryptionError, match="block 4"):
        envelope.open_(KEY, moved, sealed)


def test_envelope_wrong_key_raises_decryption_error(manifest_context):
    sealed = envelope.seal(KEY, manifest_context, b"summary")
    with pytest.raises(DecryptionError):
        envelope.open_(random_key(), manifest_context, sealed)


def test_envelope_unknown_version_is_reported_as_such(manifest_context):
    sealed = envelope.seal(KEY, manifest_context, b"summary")
    with pytest.raises(UnsupportedVersionError, match="version 2"):
        envelope.open_(KEY, manifest_context, b"\x02" + sealed[1:])


@pytest.mark.parametrize("data", [b"", b"\x01", b"\x01" + bytes(39)])
def test_envelope_truncated_raises_malformed(manifest_context, data):
    with pytest.raises(MalformedError):
        envelope.open_(KEY, manifest_context, data)


def test_envelope_errors_share_one_root(manifest_context):
    with pytest.raises(CryptoError):
        envelope.open_(KEY, manifest_context, b"\x01")
    with pytest.raises(ValueError):
        envelope.open_(KEY, manifest_context, b"\x01")
