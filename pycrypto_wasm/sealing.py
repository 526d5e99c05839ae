"""X25519 encryption keys, and sealed boxes bound to their context.

Sealed message, format version 1: `0x01 || crypto_box_seal(context digest (32) || plaintext)`.
Only the holder of the private key opens it, and only for the context it was sealed for. The
context digest is BLAKE2b of `0x01 || context bytes`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import ClassVar

from pycrypto_wasm import backend, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import DecryptionError, KeyFormatError, WrongContextError
from pycrypto_wasm.framing import frame, unframe

VERSION = 1
_DIGEST_SIZE = 32


def _context_digest(context: Context) -> bytes:
    return hashing.blake2b(frame(VERSION, context.to_bytes()), size=_DIGEST_SIZE)


@dataclass(frozen=True)
class PublicKey:
    """An X25519 public key: anyone may seal to it."""

    SIZE: ClassVar[int] = sizes.BOX_PUBLIC_KEY
    key: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) != self.SIZE:
            raise KeyFormatError(f"a public key is {self.SIZE} bytes")

    def fingerprint(self) -> str:
        return hashing.fingerprint(self.key)

    def seal(self, context: Context, plaintext: bytes) -> bytes:
        """`plaintext`, readable only by this key's owner, for `context`."""
        return frame(VERSION, backend.box_seal(_context_digest(context) + plaintext, self.key))


@dataclass(frozen=True)
class PrivateKey:
    """An X25519 private key, made from a 32-byte seed."""

    SEED_SIZE: ClassVar[int] = sizes.BOX_SEED
    seed: bytes = field(repr=False)
    _secret_key: bytes = field(init=False, repr=False, compare=False)
    public_key: PublicKey = field(init=False)

    def __post_init__(self) -> None:
        public_key, secret_key = backend.box_seed_keypair(self.seed)
        object.__setattr__(self, "_secret_key", secret_key)
        object.__setattr__(self, "public_key", PublicKey(public_key))

    @classmethod
    def generate(cls) -> PrivateKey:
        return cls(backend.random_bytes(cls.SEED_SIZE))

    def unseal(self, context: Context, sealed: bytes) -> bytes:
        """The plaintext of a message sealed to this key for `context`."""
        what = f"sealed {context.describe()}"
        body = unframe(sealed, version=VERSION, min_body=sizes.BOX_SEAL_OVERHEAD, what=what)
        opened = backend.box_seal_open(body, self.public_key.key, self._secret_key)
        if opened is None or len(opened) < _DIGEST_SIZE:
            raise DecryptionError(
                f"{context.describe()} could not be opened: it was altered or is not addressed "
                "to this key"
            )
        if not hmac.compare_digest(opened[:_DIGEST_SIZE], _context_digest(context)):
            raise WrongContextError(f"{what} was sealed for another place")
        return opened[_DIGEST_SIZE:]
