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
from collections.abc import Callable, Iterator, Mapping, MutableMapping
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


class Directory(MutableMapping[str, DirectoryEntry]):
    """The directory checked as it is read: each user's entry is resolved the first time it is
    asked for (with the certificates of the admins who signed it), exactly as `verify_directory`
    resolves it, so that a view or a history pays only for the users it names. Entries set
    later (a revocation learned from a history) replace the resolved ones."""

    def __init__(self, root: VerifyKey, organization: str, certificates: Mapping[str, bytes],
                 revocations: Mapping[str, bytes] | None = None,
                 checks: CertificateChecks | None = None) -> None:
        self._root = root
        self._organization = organization
        self._certificates = dict(certificates)
        self._revocations = dict(revocations or {})
        self._checks = checks if checks is not None else CertificateChecks()
        # Certificates alone (what signers are judged by), then with their revocations.
        self._certified: dict[str, DirectoryEntry] = {}
        self._entries: dict[str, DirectoryEntry] = {}
        self._resolving: set[str] = set()

    def __getitem__(self, user_id: str) -> DirectoryEntry:
        if user_id in self._entries:
            return self._entries[user_id]
        if user_id not in self._certificates:
            raise KeyError(user_id)
        entry = self._resolve(user_id)
        signed = self._revocations.get(user_id)
        if signed is not None and entry.valid:
            revocation = _verified_revocation(signed, self._organization, user_id,
                                              self._resolve)
            if revocation is not None:
                entry = DirectoryEntry(user_id, entry.certificate, None, revocation)
        self._entries[user_id] = entry
        return entry

    def __setitem__(self, user_id: str, entry: DirectoryEntry) -> None:
        self._entries[user_id] = entry

    def __delitem__(self, user_id: str) -> None:
        del self._certificates[user_id]
        self._entries.pop(user_id, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._certificates)

    def __len__(self) -> int:
        return len(self._certificates)

    def add(self, certificates: Mapping[str, bytes], revocations: Mapping[str, bytes]) -> None:
        """Takes more of the listing (a page, its signers). A user listed now with another
        certificate than the one held is judged by the new one, as a fresh sign-in would judge
        them (a forged one shows as not valid instead of hiding behind the genuine one seen
        earlier), and so is everyone certified through them; a revocation not known before is
        checked at the next read (the caller passes every revocation it believes, so none is
        dropped by judging a user again)."""
        changed = {user_id for user_id, signed in certificates.items()
                   if self._certificates.get(user_id, signed) != signed}
        self._certificates.update(certificates)
        self._judge_again(changed)
        for user_id, signed in revocations.items():
            if user_id not in self._revocations:
                self._revocations[user_id] = signed
                entry = self._entries.get(user_id)
                if entry is not None and entry.revocation is None:
                    del self._entries[user_id]

    def _judge_again(self, changed: set[str]) -> None:
        """Forgets what was resolved of the users in `changed` and of everyone whose certificate
        one of them signed (transitively)."""
        stale = set(changed)
        while changed:
            changed = {user_id for user_id in self._certified
                       if user_id not in stale and self._signer_of(user_id) in stale}
            stale |= changed
        for user_id in stale:
            self._certified.pop(user_id, None)
            self._entries.pop(user_id, None)

    def _signer_of(self, user_id: str) -> str | None:
        try:
            return UserCertificate.peek(self._certificates[user_id]).signed_by
        except (CryptoError, KeyError):
            return None

    def is_of(self, root: VerifyKey, organization: str) -> bool:
        """Whether this directory is checked against `root` for `organization`."""
        return self._root.key == root.key and self._organization == organization

    def signed_revocation(self, user_id: str) -> bytes | None:
        return self._revocations.get(user_id)

    def revoked(self) -> list[DirectoryEntry]:
        """The entries with a verified revocation (resolving only those with one listed)."""
        return [entry for entry in (self[user_id] for user_id in self
                                    if user_id in self._revocations or user_id in self._entries)
                if entry.revocation is not None]

    def _resolve(self, user_id: str) -> DirectoryEntry:
        if user_id in self._certified:
            return self._certified[user_id]
        if user_id not in self._certificates:
            return DirectoryEntry(user_id, None, "no certificate")
        if user_id in self._resolving:
            return DirectoryEntry(user_id, None, "certificate chain loops")
        self._resolving.add(user_id)
        self._certified[user_id] = self._verify_one(user_id)
        self._resolving.discard(user_id)
        return self._certified[user_id]

    def _signer_key(self, signer_id: str) -> VerifyKey:
        if signer_id == ROOT_SIGNER:
            return self._root
        signer = self._resolve(signer_id)
        if signer.certificate is None or not signer.valid:
            raise CryptoError(f"its signer {signer_id} is not a verified user")
        if signer.certificate.profile != "admin":
            raise CryptoError(f"its signer {signer_id} is not an admin")
        return VerifyKey(signer.certificate.verify_key)

    def _verify_one(self, user_id: str) -> DirectoryEntry:
        signed = self._certificates[user_id]
        try:
            claims = UserCertificate.peek(signed)
            key = self._signer_key(claims.signed_by)
            certificate = self._checks.verified_certificate(
                key, certificate_context(self._organization, user_id), signed)
            if certificate.user_id != user_id or certificate.organization != self._organization:
                raise CryptoError("it names another user or organization")
        except CryptoError as error:
            return DirectoryEntry(user_id, None, f"certificate not valid: {error}")
        return DirectoryEntry(user_id, certificate)


def verify_directory(
    root: VerifyKey,
    organization: str,
    certificates: Mapping[str, bytes],
    revocations: Mapping[str, bytes] | None = None,
    checks: CertificateChecks | None = None,
) -> dict[str, DirectoryEntry]:
    """Every user's verified certificate (or why it is not), and their verified revocation;
    signatures already in `checks` are not checked again."""
    return dict(Directory(root, organization, certificates, revocations, checks))


def revoked_entries(directory: Mapping[str, DirectoryEntry]) -> list[DirectoryEntry]:
    """The entries of `directory` with a verified revocation; a lazy `Directory` resolves only
    the users it has a revocation for."""
    if isinstance(directory, Directory):
        return directory.revoked()
    return [entry for entry in directory.values() if entry.revocation is not None]


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
