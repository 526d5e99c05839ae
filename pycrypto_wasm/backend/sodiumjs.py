"""The Pyodide runtime of the backend: libsodium.js through the JavaScript bridge.

The worker (and the Node test runner) registers `web/worker/sodium-bridge.js` as the JS module
`paravent_sodium` before importing this package. Python bytes reach it as buffer proxies that it
reads in place; results are written into preallocated `bytearray`s, so no byte is converted one by
one. Called only by `pycrypto_wasm.backend`, which has already checked every length.
"""

from __future__ import annotations

from typing import Any

import paravent_sodium as _bridge  # type: ignore[import-not-found]

from pycrypto_wasm.backend import sizes

RUNTIME_NAME = f"libsodium.js {_bridge.version()}"


def random_bytes(size: int) -> bytes:
    out = bytearray(size)
    _bridge.randomBytes(out)
    return bytes(out)


def aead_encrypt(message: bytes, aad: bytes, nonce: bytes, key: bytes) -> bytes:
    out = bytearray(len(message) + sizes.AEAD_TAG)
    _bridge.aeadEncrypt(out, message, aad, nonce, key)
    return bytes(out)


def aead_decrypt(ciphertext: bytes, aad: bytes, nonce: bytes, key: bytes) -> bytes | None:
    out = bytearray(len(ciphertext) - sizes.AEAD_TAG)
    if not _bridge.aeadDecrypt(out, ciphertext, aad, nonce, key):
        return None
    return bytes(out)


def _seed_keypair(derive: Any, public_size: int, secret_size: int, seed: bytes) -> (
    tuple[bytes, bytes]
):
    public_key, secret_key = bytearray(public_size), bytearray(secret_size)
    derive(public_key, secret_key, seed)
    return bytes(public_key), bytes(secret_key)


def sign_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    return _seed_keypair(
        _bridge.signSeedKeypair, sizes.SIGN_PUBLIC_KEY, sizes.SIGN_SECRET_KEY, seed
    )


def sign_detached(message: bytes, secret_key: bytes) -> bytes:
    out = bytearray(sizes.SIGNATURE)
    _bridge.signDetached(out, message, secret_key)
    return bytes(out)


def sign_verify_detached(signature: bytes, message: bytes, public_key: bytes) -> bool:
    return bool(_bridge.signVerifyDetached(signature, message, public_key))


def box_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    return _seed_keypair(_bridge.boxSeedKeypair, sizes.BOX_PUBLIC_KEY, sizes.BOX_SECRET_KEY, seed)


def box_seal(message: bytes, public_key: bytes) -> bytes:
    out = bytearray(len(message) + sizes.BOX_SEAL_OVERHEAD)
    _bridge.boxSeal(out, message, public_key)
    return bytes(out)


def box_seal_open(ciphertext: bytes, public_key: bytes, secret_key: bytes) -> bytes | None:
    out = bytearray(len(ciphertext) - sizes.BOX_SEAL_OVERHEAD)
    if not _bridge.boxSealOpen(out, ciphertext, public_key, secret_key):
        return None
    return bytes(out)


def generichash(message: bytes, key: bytes | None, size: int) -> bytes:
    out = bytearray(size)
    _bridge.generichash(out, message, key)
    return bytes(out)


def kdf_derive_from_key(size: int, subkey_id: int, context: bytes, key: bytes) -> bytes:
    out = bytearray(size)
    _bridge.kdfDeriveFromKey(out, subkey_id, context, key)
    return bytes(out)


def pwhash_argon2id(size: int, password: bytes, salt: bytes, opslimit: int,
                    memlimit: int) -> bytes:
    out = bytearray(size)
    _bridge.pwhashArgon2id(out, password, salt, opslimit, memlimit)
    return bytes(out)
