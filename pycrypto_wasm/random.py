"""Randomness from the platform's CSPRNG, through libsodium on every runtime."""

from __future__ import annotations

from pycrypto_wasm import backend
from pycrypto_wasm.backend import sizes


def random_bytes(size: int) -> bytes:
    """`size` random bytes."""
    return backend.random_bytes(size)


def random_key() -> bytes:
    """A fresh 32-byte symmetric key."""
    return backend.random_bytes(sizes.AEAD_KEY)


def random_id() -> str:
    """A random 128-bit identifier as 32 hex digits, for objects named by their creator."""
    return backend.random_bytes(16).hex()
