"""The user's key bundle, and its wrapping by a passkey's PRF output or by the recovery code.

The bundle holds what a user's browser needs to act: the seeds of their signing and encryption
keys, and the organization's root verify key (so a client never has to take the root key from
the server). It is stored on the server only wrapped. Format version 1 of a wrapped bundle:
`0x01 || salt (32) || envelope`, the envelope keyed with HKDF-SHA256(secret, salt, info) where the
secret is the PRF output (info "paravent passkey v1") or the recovery secret (info "paravent
recovery v1"), and bound to the organization and user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from pycrypto_wasm import canonical, envelope
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.hkdf import hkdf_sha256
from pycrypto_wasm.random import random_bytes
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey, VerifyKey

WRAP_VERSION = 1
PASSKEY_INFO = b"paravent passkey v1"
RECOVERY_INFO = b"paravent recovery v1"
_SALT_SIZE = 32
PRF_MIN_SIZE = 32


@dataclass(frozen=True)
class KeyBundle:
    """A user's private keys and the root verify key they trust."""

    organization: str
    user_id: str
    signing_seed: bytes = field(repr=False)
    encryption_seed: bytes = field(repr=False)
    root_verify_key: bytes

    @classmethod
    def generate(cls, organization: str, user_id: str, root_verify_key: bytes) -> KeyBundle:
        return cls(
            organization, user_id, random_bytes(sizes.SIGN_SEED), random_bytes(sizes.BOX_SEED),
            root_verify_key,
        )

    # Each key pair is made from its seed once per bundle (libsodium's seed-to-key derivation
    # costs more than most uses of the key): a workspace opened, a write signed, a grant accepted.
    @cached_property
    def signing_key(self) -> SigningKey:
        return SigningKey(self.signing_seed)

    @cached_property
    def encryption_key(self) -> PrivateKey:
        return PrivateKey(self.encryption_seed)

    @property
    def root(self) -> VerifyKey:
        return VerifyKey(self.root_verify_key)

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "organization": self.organization,
                "user_id": self.user_id,
                "signing_seed": self.signing_seed,
                "encryption_seed": self.encryption_seed,
                "root_verify_key": self.root_verify_key,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyBundle:
        value = canonical.decode(data)
        try:
            return cls(
                value["organization"], value["user_id"], value["signing_seed"],
                value["encryption_seed"], value["root_verify_key"],
            )
        except (KeyError, TypeError) as error:
            raise MalformedError("not a key bundle") from error


def _context(organization: str, user_id: str) -> Context:
    return Context(purpose="key-bundle", organization=organization, object_id=user_id)


def wrap(bundle: KeyBundle, secret: bytes, info: bytes) -> bytes:
    """The bundle, encrypted under a key derived from `secret` (a PRF output, a recovery secret)."""
    if len(secret) < PRF_MIN_SIZE:
        raise MalformedError("the wrapping secret is too short")
    salt = random_bytes(_SALT_SIZE)
    key = hkdf_sha256(secret, salt=salt, info=info)
    sealed = envelope.seal(key, _context(bundle.organization, bundle.user_id), bundle.to_bytes())
    return frame(WRAP_VERSION, salt, sealed)


def unwrap(wrapped: bytes, secret: bytes, info: bytes, organization: str, user_id: str) -> (
    KeyBundle
):
    """The bundle of `user_id`; a wrong secret or a bundle of someone else fails to decrypt."""
    body = unframe(
        wrapped, version=WRAP_VERSION, min_body=_SALT_SIZE + envelope.OVERHEAD, what="key bundle"
    )
    key = hkdf_sha256(secret, salt=body[:_SALT_SIZE], info=info)
    bundle = KeyBundle.from_bytes(
        envelope.open_(key, _context(organization, user_id), body[_SALT_SIZE:])
    )
    if (bundle.organization, bundle.user_id) != (organization, user_id):
        raise MalformedError("the key bundle belongs to another user")
    return bundle
