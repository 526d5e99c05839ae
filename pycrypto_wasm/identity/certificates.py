"""User certificates and revocation certificates: signed statements about a user's keys and role.

A user certificate says: in this organization, this user (name, e-mail, site, profile) owns these
two public keys. It is signed by the organization's root key (the bootstrapping admin's own
certificate) or by an admin. A revocation certificate, signed by an admin, says the user is no
longer a member. Both are canonical signed objects bound to their organization and user.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.signing import SigningKey, VerifyKey, unverified_payload

PROFILES = ("admin", "member", "external")
ROOT_SIGNER = "root"


def certificate_context(organization: str, user_id: str) -> Context:
    return Context(purpose="user-certificate", organization=organization, object_id=user_id)


def revocation_context(organization: str, user_id: str) -> Context:
    return Context(purpose="user-revocation", organization=organization, object_id=user_id)


def _require_str(value: dict[str, Any], name: str) -> str:
    item = value.get(name)
    if not isinstance(item, str):
        raise MalformedError(f"certificate field {name!r} must be text")
    return item


def _require_int(value: dict[str, Any], name: str) -> int:
    item = value.get(name)
    if not isinstance(item, int) or isinstance(item, bool):
        raise MalformedError(f"certificate field {name!r} must be an integer")
    return item


def _require_key(value: dict[str, Any], name: str) -> bytes:
    item = value.get(name)
    if not isinstance(item, bytes) or len(item) != sizes.SIGN_PUBLIC_KEY:
        raise MalformedError(f"certificate field {name!r} must be a 32-byte key")
    return item


@dataclass(frozen=True, kw_only=True)
class UserCertificate:
    organization: str
    user_id: str
    display_name: str
    email: str
    site: str
    profile: str
    verify_key: bytes
    public_key: bytes
    signed_by: str
    issued_at: int

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise MalformedError(f"unknown profile {self.profile!r}")

    @property
    def context(self) -> Context:
        return certificate_context(self.organization, self.user_id)

    def sign(self, signer: SigningKey) -> bytes:
        return signer.sign_object(self.context, asdict(self))

    @classmethod
    def from_value(cls, value: Any) -> UserCertificate:
        if not isinstance(value, dict):
            raise MalformedError("a certificate is an object")
        return cls(
            organization=_require_str(value, "organization"),
            user_id=_require_str(value, "user_id"),
            display_name=_require_str(value, "display_name"),
            email=_require_str(value, "email"),
            site=_require_str(value, "site"),
            profile=_require_str(value, "profile"),
            verify_key=_require_key(value, "verify_key"),
            public_key=_require_key(value, "public_key"),
            signed_by=_require_str(value, "signed_by"),
            issued_at=_require_int(value, "issued_at"),
        )

    @classmethod
    def peek(cls, signed: bytes) -> UserCertificate:
        """The certificate's claims, NOT verified (see trust.py for verification)."""
        return cls.from_value(unverified_payload(signed))

    @classmethod
    def verified(cls, signed: bytes, signer: VerifyKey, organization: str, user_id: str) -> (
        UserCertificate
    ):
        value = signer.verify_object(certificate_context(organization, user_id), signed)
        return cls.from_value(value)


@dataclass(frozen=True, kw_only=True)
class RevocationCertificate:
    organization: str
    user_id: str
    revoked_by: str
    revoked_at: int

    @property
    def context(self) -> Context:
        return revocation_context(self.organization, self.user_id)

    def sign(self, signer: SigningKey) -> bytes:
        return signer.sign_object(self.context, asdict(self))

    @classmethod
    def from_value(cls, value: Any) -> RevocationCertificate:
        if not isinstance(value, dict):
            raise MalformedError("a revocation is an object")
        return cls(
            organization=_require_str(value, "organization"),
            user_id=_require_str(value, "user_id"),
            revoked_by=_require_str(value, "revoked_by"),
            revoked_at=_require_int(value, "revoked_at"),
        )

    @classmethod
    def peek(cls, signed: bytes) -> RevocationCertificate:
        return cls.from_value(unverified_payload(signed))
