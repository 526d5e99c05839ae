"""The AEAD envelope: symmetric encryption of content bound to its context.

Format version 1: `0x01 || nonce (24) || XChaCha20-Poly1305 ciphertext and tag`, with associated
data `0x01 || context bytes`. A flipped byte, the wrong key or another context all fail with a
`DecryptionError` that names the object.
"""

from __future__ import annotations

from pycrypto_wasm import backend
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import DecryptionError
from pycrypto_wasm.framing import frame, unframe

VERSION = 1
OVERHEAD = 1 + sizes.AEAD_NONCE + sizes.AEAD_TAG


def _associated_data(context: Context) -> bytes:
    return frame(VERSION, context.to_bytes())


def seal(key: bytes, context: Context, plaintext: bytes, *, nonce: bytes | None = None) -> bytes:
    """Encrypt `plaintext` for `context`. `nonce` is for test vectors only: leave it random."""
    if nonce is None:
        nonce = backend.random_bytes(sizes.AEAD_NONCE)
    ciphertext = backend.aead_encrypt(plaintext, _associated_data(context), nonce, key)
    return frame(VERSION, nonce, ciphertext)


def open_(key: bytes, context: Context, envelope: bytes) -> bytes:
    """The plaintext of an envelope sealed for exactly this `context` with this `key`."""
    body = unframe(
        envelope,
        version=VERSION,
        min_body=sizes.AEAD_NONCE + sizes.AEAD_TAG,
        what=f"encrypted {context.describe()}",
    )
    nonce, ciphertext = body[: sizes.AEAD_NONCE], body[sizes.AEAD_NONCE :]
    plaintext = backend.aead_decrypt(ciphertext, _associated_data(context), nonce, key)
    if plaintext is None:
        raise DecryptionError(
            f"{context.describe()} could not be decrypted: it was altered, belongs elsewhere, "
            "or the key is wrong"
        )
    return plaintext
