"""Verifying an organization's directory against its root verify key, trusting nothing else.

Each certificate must verify with the key that its `signed_by` names: the root key, or the
verify key of an admin whose own certificate verifies (recursively) and who was not revoked
before issuing it. A revocation counts only if a verified admin signed it. The server supplies
the certificates; a substituted key, profile or name breaks a signature, and the user is reported
invalid with the reason rather than trusted.

A `CertificateChecks` kept by the caller (the worker, for its sign-in) remembers each signature
it checked, by the signer's key and the certificate's hash: a certificate already verified under
the same key is not checked again. Every other rule (who signed, admin, revoked before) is applied
on every call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity.certificates import (
    ROOT_SIGNER,
    RevocationCertificate,
    UserCertificate,
    certificate_context,
    revocation_context,
)
from pycrypto_wasm.signing import VerifyKey


@dataclass(frozen=True)
class DirectoryEntry:
    """What a client may believe about one user."""

    user_id: str
    certificate: UserCertificate | None
    problem: str | None = None
    revocation: RevocationCertificate | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def active(self) -> bool:
        return self.valid and self.revocation is None


@dataclass
class CertificateChecks:
    """Certificates whose signature was checked, by (signer's verify key, context, SHA-256 of
    the signed certificate), and how many signatures were checked in all."""

    verified: dict[tuple[bytes, Context, bytes], UserCertificate] = field(default_factory=dict)
    count: int = 0

    def verified_certificate(self, key: VerifyKey, context: Context,
                             signed: bytes) -> UserCertificate:
        remembered = (key.key, context, hashlib.sha256(signed).digest())
        if remembered not in self.verified:
            self.count += 1
            self.verified[remembered] = UserCertificate.from_value(
                key.verify_object(context, signed))
        return self.verified[remembered]


def verify_directory(
    root: VerifyKey,
    organization: str,
    certificates: Mapping[str, bytes],
    revocations: Mapping[str, bytes] | None = None,
    checks: CertificateChecks | None = None,
) -> dict[str, DirectoryEntry]:
    """Every user's verified certificate (or why it is not), and their verified revocation;
    signatures already in `checks` are not checked again."""
    checks = checks if checks is not None else CertificateChecks()
    entries: dict[str, DirectoryEntry] = {}
    resolving: set[str] = set()

    def resolve(user_id: str) -> DirectoryEntry:
        if user_id in entries:
            return entries[user_id]
        if user_id not in certificates:
            return DirectoryEntry(user_id, None, "no certificate")
        if user_id in resolving:
            return DirectoryEntry(user_id, None, "certificate chain loops")
        resolving.add(user_id)
        entries[user_id] = _verify_one(user_id)
        resolving.discard(user_id)
        return entries[user_id]

    def signer_key(signer_id: str, issued_at: int) -> VerifyKey:
        if signer_id == ROOT_SIGNER:
            return root
        signer = resolve(signer_id)
        if signer.certificate is None or not signer.valid:
            raise CryptoError(f"its signer {signer_id} is not a verified user")
        if signer.certificate.profile != "admin":
            raise CryptoError(f"its signer {signer_id} is not an admin")
        if signer.revocation is not None and signer.revocation.revoked_at <= issued_at:
            raise CryptoError(f"its signer {signer_id} was revoked before signing it")
        return VerifyKey(signer.certificate.verify_key)

    def _verify_one(user_id: str) -> DirectoryEntry:
        signed = certificates[user_id]
        try:
            claims = UserCertificate.peek(signed)
            key = signer_key(claims.signed_by, claims.issued_at)
            certificate = checks.verified_certificate(
                key, certificate_context(organization, user_id), signed)
            if certificate.user_id != user_id or certificate.organization != organization:
                raise CryptoError("it names another user or organization")
        except CryptoError as error:
            return DirectoryEntry(user_id, None, f"certificate not valid: {error}")
        return DirectoryEntry(user_id, certificate)

    for user_id in certificates:
        resolve(user_id)
    for user_id, signed in (revocations or {}).items():
        entry = entries.get(user_id)
        if entry is None or not entry.valid:
            continue
        revocation = _verified_revocation(signed, organization, user_id, resolve)
        if revocation is not None:
            entries[user_id] = DirectoryEntry(user_id, entry.certificate, None, revocation)
    return entries


def verify_revocation(signed: bytes, organization: str, user_id: str,
                      directory: Mapping[str, DirectoryEntry]) -> RevocationCertificate | None:
    """A revocation of `user_id` signed by an admin of the verified `directory`, or None."""
    return _verified_revocation(
        signed, organization, user_id,
        lambda signer: directory.get(signer) or DirectoryEntry(signer, None, "no certificate"))


def _verified_revocation(
    signed: bytes, organization: str, user_id: str, resolve: Callable[[str], DirectoryEntry]
) -> RevocationCertificate | None:
    try:
        claims = RevocationCertificate.peek(signed)
        signer = resolve(claims.revoked_by)
        if not signer.valid or signer.certificate is None or signer.certificate.profile != "admin":
            return None
        value = VerifyKey(signer.certificate.verify_key).verify_object(
            revocation_context(organization, user_id), signed
        )
        return RevocationCertificate.from_value(value)
    except CryptoError:
        return None
