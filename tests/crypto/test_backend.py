"""The backend refuses wrong-sized inputs the same way on every runtime."""

from __future__ import annotations

import pytest

from pycrypto_wasm import backend, hashing, hkdf
from pycrypto_wasm.exceptions import KeyFormatError


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: backend.aead_encrypt(b"m", b"", bytes(24), bytes(31)), "key must be 32"),
        (lambda: backend.aead_encrypt(b"m", b"", bytes(12), bytes(32)), "nonce must be 24"),
        (lambda: backend.sign_seed_keypair(bytes(16)), "seed must be 32"),
        (lambda: backend.box_seal(b"m", bytes(31)), "public key must be 32"),
        (lambda: backend.aead_encrypt("text", b"", bytes(24), bytes(32)), "must be bytes"),
        (lambda: backend.generichash(b"m", key=bytes(8)), "16 to 64"),
    ],
)
def test_backend_wrong_inputs_raise_key_format_error(call, message):
    with pytest.raises(KeyFormatError, match=message):
        call()


def test_backend_short_ciphertexts_do_not_open():
    assert backend.aead_decrypt(bytes(15), b"", bytes(24), bytes(32)) is None
    assert backend.box_seal_open(bytes(47), bytes(32), bytes(32)) is None


def test_backend_random_bytes_are_fresh():
    assert backend.random_bytes(32) != backend.random_bytes(32)
    assert len(backend.random_bytes(0)) == 0


def test_kdf_subkeys_differ_by_id_and_context():
    key = bytes(32)
    subkeys = {
        hashing.derive_subkey(key, subkey_id=1, context="paravent"),
        hashing.derive_subkey(key, subkey_id=2, context="paravent"),
        hashing.derive_subkey(key, subkey_id=1, context="blockkey"),
    }
    assert len(subkeys) == 3


def test_hkdf_refuses_impossible_lengths():
    with pytest.raises(ValueError, match="8160"):
        hkdf.hkdf_sha256(b"k", salt=b"", info=b"", length=8161)


def test_fingerprint_is_grouped_hex():
    assert len(hashing.fingerprint(bytes(32)).split(" ")) == 8
