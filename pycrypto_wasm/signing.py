"""Ed25519 signing keys, and signed messages bound to their context.

Signed message, format version 1: `0x01 || signature (64) || payload`. The signature covers
`"paravent-signed" 0x00 || 0x01 || context bytes 0x00 || payload`, so a signature made for one
place does not verify in another. `sign_object` / `verify_object` sign canonical encodings;
`verify_claimed` verifies one with the key its own claims pick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pycrypto_wasm import backend, canonical, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import BadSignatureError, KeyFormatError
from pycrypto_wasm.framing import frame, unframe

VERSION = 1
_DOMAIN = b"paravent-signed\x00"


def _signed_bytes(context: Context, payload: bytes) -> bytes:
    return _DOMAIN + frame(VERSION, context.to_bytes(), b"\x00", payload)


def unverified_payload(signed: bytes) -> Any:
    """The canonical value inside a signed object, NOT verified: only to learn who signed it,
    so as to pick the key that must then verify it."""
    body = unframe(signed, version=VERSION, min_body=sizes.SIGNATURE, what="signed object")
    return canonical.decode(body[sizes.SIGNATURE :])


@dataclass(frozen=True)
class VerifyKey:
    """An Ed25519 public key."""

    SIZE: ClassVar[int] = sizes.SIGN_PUBLIC_KEY
    key: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) != self.SIZE:
            raise KeyFormatError(f"a verify key is {self.SIZE} bytes")

    def fingerprint(self) -> str:
        return hashing.fingerprint(self.key)

    def verify(self, context: Context, signed: bytes) -> bytes:
        """The payload of a message this key signed for `context`."""
        body = unframe(
            signed, version=VERSION, min_body=sizes.SIGNATURE, what=f"signed {context.describe()}"
        )
        signature, payload = body[: sizes.SIGNATURE], body[sizes.SIGNATURE :]
        if not backend.sign_verify_detached(signature, _signed_bytes(context, payload), self.key):
            raise BadSignatureError(
                f"the signature on {context.describe()} is not valid for key {self.fingerprint()}"
            )
        return payload

    def verify_object(self, context: Context, signed: bytes) -> Any:
        """The value of an object this key signed with `SigningKey.sign_object`."""
        return canonical.decode(self.verify(context, signed))


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 signing key, made from a 32-byte seed."""

    SEED_SIZE: ClassVar[int] = sizes.SIGN_SEED
    seed: bytes = field(repr=False)
    _secret_key: bytes = field(init=False, repr=False, compare=False)
    verify_key: VerifyKey = field(init=False)

    def __post_init__(self) -> None:
        public_key, secret_key = backend.sign_seed_keypair(self.seed)
        object.__setattr__(self, "_secret_key", secret_key)
        object.__setattr__(self, "verify_key", VerifyKey(public_key))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(backend.random_bytes(cls.SEED_SIZE))

    def sign(self, context: Context, payload: bytes) -> bytes:
        """`payload`, signed for `context`."""
        signature = backend.sign_detached(_signed_bytes(context, payload), self._secret_key)
        return frame(VERSION, signature, payload)

    def sign_object(self, context: Context, value: Any) -> bytes:
        """The canonical encoding of `value`, signed for `context`."""
        return self.sign(context, canonical.encode(value))


def verify_claimed(context: Context, signed: bytes, signer: Callable[[Any], VerifyKey]) -> Any:
    """The value of an object signed with `SigningKey.sign_object` by the key `signer` picks from
    that value's own claims (its author): decoded once, and believed only once the signature over
    its very bytes verifies with that key. `signer` raises if the claims name no one."""
    value = unverified_payload(signed)
    signer(value).verify(context, signed)
    return value
