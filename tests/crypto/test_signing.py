"""Signatures verify only with the signer's key, over the exact payload and context."""

from __future__ import annotations

import pytest

from pycrypto_wasm import signing
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import BadSignatureError, CanonicalEncodingError
from tests.crypto.tampering import flip_byte

SIGNER = signing.SigningKey(bytes([1]) * 32)
CERTIFICATE = {"user_id": "u-1", "role": "member", "public_key": bytes(32)}


def test_signing_round_trip_returns_payload(manifest_context):
    assert SIGNER.verify_key.verify(manifest_context, SIGNER.sign(manifest_context, b"p")) == b"p"


def test_signing_object_round_trip_returns_value(manifest_context):
    signed = SIGNER.sign_object(manifest_context, CERTIFICATE)
    assert SIGNER.verify_key.verify_object(manifest_context, signed) == CERTIFICATE


@pytest.mark.parametrize("index", [1, 40, -1])
def test_signing_flipped_byte_raises_bad_signature(manifest_context, index):
    signed = SIGNER.sign(manifest_context, b"decision: accepted")
    with pytest.raises(BadSignatureError, match="dossier-manifest dossier-7"):
        SIGNER.verify_key.verify(manifest_context, flip_byte(signed, index))


def test_signing_other_context_raises_bad_signature(manifest_context):
    signed = SIGNER.sign(manifest_context, b"decision: accepted")
    elsewhere = Context(purpose="dossier-manifest", workspace="ws-1", object_id="dossier-8")
    with pytest.raises(BadSignatureError):
        SIGNER.verify_key.verify(elsewhere, signed)


def test_signing_other_key_raises_bad_signature_with_fingerprint(manifest_context):
    other = signing.SigningKey.generate()
    signed = other.sign(manifest_context, b"decision")
    with pytest.raises(BadSignatureError, match=SIGNER.verify_key.fingerprint()):
        SIGNER.verify_key.verify(manifest_context, signed)


def test_signing_key_repr_hides_seed():
    assert bytes([1]).hex() * 32 not in repr(SIGNER)
    assert "seed" not in repr(SIGNER)


def test_signing_object_refuses_non_canonical_body(manifest_context):
    spaced = SIGNER.sign(manifest_context, b'{"role": "admin"}')
    with pytest.raises(CanonicalEncodingError):
        SIGNER.verify_key.verify_object(manifest_context, spaced)
