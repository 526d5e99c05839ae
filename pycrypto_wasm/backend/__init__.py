"""libsodium, with the same small API on every runtime.

Under CPython the functions come from PyNaCl; under Pyodide (`sys.platform == "emscripten"`) from
libsodium.js through the JavaScript bridge `web/worker/sodium-bridge.js`. This module checks every
length before calling either, so both runtimes accept and refuse exactly the same inputs, and it is
the only place in the package that knows which runtime it runs on.
"""

from __future__ import annotations

import sys

from pycrypto_wasm.backend import sizes
from pycrypto_wasm.exceptions import KeyFormatError

if sys.platform == "emscripten":
    from pycrypto_wasm.backend import sodiumjs as _runtime
else:
    from pycrypto_wasm.backend import pynacl as _runtime

RUNTIME_NAME: str = _runtime.RUNTIME_NAME


def _require(name: str, value: object, size: int | None = None) -> bytes:
    if not isinstance(value, bytes):
        raise KeyFormatError(f"{name} must be bytes, not {type(value).__name__}")
    if size is not None and len(value) != size:
        raise KeyFormatError(f"{name} must be {size} bytes long, not {len(value)}")
    return value


def random_bytes(size: int) -> bytes:
    """`size` bytes from the platform's CSPRNG (libsodium's randombytes_buf)."""
    if size < 0:
        raise ValueError("size must not be negative")
    return _runtime.random_bytes(size)


def aead_encrypt(message: bytes, aad: bytes, nonce: bytes, key: bytes) -> bytes:
    """XChaCha20-Poly1305-IETF: ciphertext followed by its 16-byte tag."""
    _require("message", message)
    _require("associated data", aad)
    _require("nonce", nonce, sizes.AEAD_NONCE)
    _require("key", key, sizes.AEAD_KEY)
    return _runtime.aead_encrypt(message, aad, nonce, key)


def aead_decrypt(ciphertext: bytes, aad: bytes, nonce: bytes, key: bytes) -> bytes | None:
    """The plaintext, or None when the ciphertext does not authenticate."""
    _require("ciphertext", ciphertext)
    _require("associated data", aad)
    _require("nonce", nonce, sizes.AEAD_NONCE)
    _require("key", key, sizes.AEAD_KEY)
    if len(ciphertext) < sizes.AEAD_TAG:
        return None
    return _runtime.aead_decrypt(ciphertext, aad, nonce, key)


def sign_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    """Ed25519 (public key, 64-byte secret key) from a 32-byte seed."""
    _require("seed", seed, sizes.SIGN_SEED)
    return _runtime.sign_seed_keypair(seed)


def sign_detached(message: bytes, secret_key: bytes) -> bytes:
    """A 64-byte Ed25519 signature of `message`."""
    _require("message", message)
    _require("signing key", secret_key, sizes.SIGN_SECRET_KEY)
    return _runtime.sign_detached(message, secret_key)


def sign_verify_detached(signature: bytes, message: bytes, public_key: bytes) -> bool:
    """Whether `signature` is a valid Ed25519 signature of `message` by `public_key`."""
    _require("message", message)
    _require("verify key", public_key, sizes.SIGN_PUBLIC_KEY)
    if not isinstance(signature, bytes) or len(signature) != sizes.SIGNATURE:
        return False
    return _runtime.sign_verify_detached(signature, message, public_key)


def box_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    """X25519 (public key, secret key) from a 32-byte seed."""
    _require("seed", seed, sizes.BOX_SEED)
    return _runtime.box_seed_keypair(seed)


def box_seal(message: bytes, public_key: bytes) -> bytes:
    """An anonymous sealed box of `message` to an X25519 public key."""
    _require("message", message)
    _require("public key", public_key, sizes.BOX_PUBLIC_KEY)
    return _runtime.box_seal(message, public_key)


def box_seal_open(ciphertext: bytes, public_key: bytes, secret_key: bytes) -> bytes | None:
    """The sealed box's plaintext, or None when it does not open with this key pair."""
    _require("ciphertext", ciphertext)
    _require("public key", public_key, sizes.BOX_PUBLIC_KEY)
    _require("secret key", secret_key, sizes.BOX_SECRET_KEY)
    if len(ciphertext) < sizes.BOX_SEAL_OVERHEAD:
        return None
    return _runtime.box_seal_open(ciphertext, public_key, secret_key)


def generichash(message: bytes, key: bytes | None = None, size: int = sizes.HASH) -> bytes:
    """BLAKE2b of `message`, optionally keyed, `size` bytes long."""
    _require("message", message)
    if key is not None:
        _require("hash key", key)
        if not sizes.HASH_KEY_MIN <= len(key) <= sizes.HASH_KEY_MAX:
            raise KeyFormatError(f"hash key must be 16 to 64 bytes long, not {len(key)}")
    if not sizes.HASH_MIN <= size <= sizes.HASH_MAX:
        raise ValueError(f"hash size must be {sizes.HASH_MIN} to {sizes.HASH_MAX} bytes")
    return _runtime.generichash(message, key, size)


def kdf_derive_from_key(size: int, subkey_id: int, context: bytes, key: bytes) -> bytes:
    """libsodium's crypto_kdf (BLAKE2b): subkey `subkey_id` of `key` for an 8-byte context."""
    _require("kdf context", context, sizes.KDF_CONTEXT)
    _require("kdf key", key, sizes.KDF_KEY)
    if not sizes.KDF_SUBKEY_MIN <= size <= sizes.KDF_SUBKEY_MAX:
        raise ValueError(f"subkey size must be {sizes.KDF_SUBKEY_MIN} to {sizes.KDF_SUBKEY_MAX}")
    if not 0 <= subkey_id <= sizes.KDF_SUBKEY_ID_MAX:
        raise ValueError("subkey id must be between 0 and 2**53 - 1")
    return _runtime.kdf_derive_from_key(size, subkey_id, context, key)


def pwhash_argon2id(size: int, password: bytes, salt: bytes, opslimit: int,
                    memlimit: int) -> bytes:
    """libsodium's crypto_pwhash with ALG_ARGON2ID13: `size` bytes from a human-chosen secret."""
    _require("password", password)
    _require("salt", salt, sizes.PWHASH_SALT)
    if not sizes.PWHASH_MIN <= size <= sizes.PWHASH_MAX:
        raise ValueError(f"pwhash size must be {sizes.PWHASH_MIN} to {sizes.PWHASH_MAX} bytes")
    if not sizes.PWHASH_OPSLIMIT_MIN <= opslimit <= sizes.PWHASH_OPSLIMIT_MAX:
        raise ValueError("pwhash opslimit is out of libsodium's bounds")
    if not sizes.PWHASH_MEMLIMIT_MIN <= memlimit <= sizes.PWHASH_MEMLIMIT_MAX:
        raise ValueError("pwhash memlimit is out of bounds")
    return _runtime.pwhash_argon2id(size, password, salt, opslimit, memlimit)
