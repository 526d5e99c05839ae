"""BLAKE2b hashing and libsodium's BLAKE2b key derivation."""

from __future__ import annotations

from pycrypto_wasm import backend
from pycrypto_wasm.backend import sizes


def blake2b(data: bytes, *, key: bytes | None = None, size: int = sizes.HASH) -> bytes:
    """BLAKE2b of `data`, `size` bytes long, keyed when `key` is given."""
    return backend.generichash(data, key, size)


def derive_subkey(master_key: bytes, *, subkey_id: int, context: str, size: int = 32) -> bytes:
    """Subkey number `subkey_id` of `master_key` for an 8-character ASCII `context`."""
    context_bytes = context.encode("ascii")
    return backend.kdf_derive_from_key(size, subkey_id, context_bytes, master_key)


def fingerprint(public_key: bytes) -> str:
    """A short, readable fingerprint of a public key: 16 bytes of BLAKE2b as grouped hex."""
    digest = blake2b(public_key, size=16).hex()
    return " ".join(digest[index : index + 4] for index in range(0, len(digest), 4))
