"""Addressed messages: signed by their sender, then sealed to one recipient.

How one member hands another a secret (later: workspace keys, invitation material). Format
version 1: `0x01 || sealed message`, where the sealed plaintext is a signed message whose payload
is `recipient public key (32) || plaintext`. The recipient learns who sent it and that it was meant
for them; the server learns neither the content nor the sender.
"""

from __future__ import annotations

import hmac

from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import BadSignatureError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.signing import SigningKey, VerifyKey

VERSION = 1


def send(sender: SigningKey, recipient: PublicKey, context: Context, plaintext: bytes) -> bytes:
    """`plaintext` signed by `sender` and sealed to `recipient`, for `context`."""
    signed = sender.sign(context, recipient.key + plaintext)
    return frame(VERSION, recipient.seal(context, signed))


def receive(recipient: PrivateKey, sender: VerifyKey, context: Context, message: bytes) -> bytes:
    """The plaintext of a message `sender` addressed to `recipient` for `context`."""
    what = f"message {context.describe()}"
    sealed = unframe(message, version=VERSION, min_body=sizes.BOX_SEAL_OVERHEAD, what=what)
    payload = sender.verify(context, recipient.unseal(context, sealed))
    addressee = payload[: sizes.BOX_PUBLIC_KEY]
    if not hmac.compare_digest(addressee, recipient.public_key.key):
        raise BadSignatureError(f"{what} was signed for another recipient")
    return payload[sizes.BOX_PUBLIC_KEY :]
