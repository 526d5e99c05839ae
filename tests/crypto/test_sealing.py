"""Sealed boxes and addressed messages open only for their recipient, sender and context."""

from __future__ import annotations

import pytest

from pycrypto_wasm import addressed, sealing, signing
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import BadSignatureError, DecryptionError, WrongContextError
from tests.crypto.tampering import flip_byte

RECIPIENT = sealing.PrivateKey(bytes([2]) * 32)
SENDER = signing.SigningKey(bytes([3]) * 32)
WORKSPACE_KEY = bytes(range(32))


def test_sealing_round_trip_returns_plaintext(manifest_context):
    sealed = RECIPIENT.public_key.seal(manifest_context, WORKSPACE_KEY)
    assert RECIPIENT.unseal(manifest_context, sealed) == WORKSPACE_KEY


def test_sealing_other_context_raises_wrong_context(manifest_context):
    sealed = RECIPIENT.public_key.seal(manifest_context, WORKSPACE_KEY)
    with pytest.raises(WrongContextError, match="sealed for another place"):
        RECIPIENT.unseal(Context(purpose="dossier-manifest"), sealed)


def test_sealing_other_recipient_raises_decryption_error(manifest_context):
    sealed = RECIPIENT.public_key.seal(manifest_context, WORKSPACE_KEY)
    with pytest.raises(DecryptionError, match="not addressed to this key"):
        sealing.PrivateKey.generate().unseal(manifest_context, sealed)


def test_sealing_flipped_byte_raises_decryption_error(manifest_context):
    sealed = RECIPIENT.public_key.seal(manifest_context, WORKSPACE_KEY)
    with pytest.raises(DecryptionError):
        RECIPIENT.unseal(manifest_context, flip_byte(sealed, -5))


def test_addressed_round_trip_returns_plaintext(manifest_context):
    message = addressed.send(SENDER, RECIPIENT.public_key, manifest_context, WORKSPACE_KEY)
    assert addressed.receive(RECIPIENT, SENDER.verify_key, manifest_context, message) == (
        WORKSPACE_KEY
    )


def test_addressed_from_unexpected_sender_raises_bad_signature(manifest_context):
    impostor = signing.SigningKey.generate()
    message = addressed.send(impostor, RECIPIENT.public_key, manifest_context, WORKSPACE_KEY)
    with pytest.raises(BadSignatureError):
        addressed.receive(RECIPIENT, SENDER.verify_key, manifest_context, message)


def test_addressed_resealed_to_another_recipient_is_refused(manifest_context):
    """A recipient cannot forward a signed message to a third party as if sent to them."""
    third = sealing.PrivateKey.generate()
    message = addressed.send(SENDER, RECIPIENT.public_key, manifest_context, WORKSPACE_KEY)
    signed = RECIPIENT.unseal(manifest_context, message[1:])
    forwarded = bytes([addressed.VERSION]) + third.public_key.seal(manifest_context, signed)
    with pytest.raises(BadSignatureError, match="another recipient"):
        addressed.receive(third, SENDER.verify_key, manifest_context, forwarded)
