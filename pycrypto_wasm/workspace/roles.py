"""Workspace role certificates: who may do what in a workspace, as every client checks it.

The creator's owner certificate signs itself; every other role certificate is signed by a member
whose own role allows granting it: an owner grants any role, a manager any role below owner. An
external user can be neither owner nor manager. The server enforces roles too, but clients
believe only what these signatures prove.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError, MalformedError
from pycrypto_wasm.identity.trust import DirectoryEntry
from pycrypto_wasm.signing import SigningKey, VerifyKey, unverified_payload

ROLES = ("reader", "contributor", "manager", "owner")


def role_rank(role: str) -> int:
    return ROLES.index(role)


def may_grant(granter_role: str, role: str) -> bool:
    return granter_role == "owner" or (
        granter_role == "manager" and role_rank(role) < role_rank("owner")
    )


@dataclass(frozen=True, kw_only=True)
class RoleCertificate:
    organization: str
    workspace: str
    user_id: str
    role: str
    granted_by: str
    granted_at: int

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise MalformedError(f"unknown workspace role {self.role!r}")

    @property
    def context(self) -> Context:
        return Context(purpose="workspace-role", organization=self.organization,
                       workspace=self.workspace, object_id=self.user_id)

    def sign(self, granter: SigningKey) -> bytes:
        return granter.sign_object(self.context, asdict(self))

    @classmethod
    def issue(cls, granter: SigningKey, *, organization: str, workspace: str, user_id: str,
              role: str, granted_by: str) -> bytes:
        return cls(organization=organization, workspace=workspace, user_id=user_id, role=role,
                   granted_by=granted_by, granted_at=int(time.time())).sign(granter)


@dataclass(frozen=True)
class VerifiedRole:
    user_id: str
    role: str | None
    problem: str | None = None


def verify_roles(
    *, organization: str, workspace: str, creator: str, certificates: Mapping[str, bytes],
    directory: Mapping[str, DirectoryEntry],
) -> dict[str, VerifiedRole]:
    """Every member's role, or why it cannot be believed. `creator` is the verified author of
    the workspace manifest's first version."""
    verified: dict[str, VerifiedRole] = {}
    resolving: set[str] = set()

    def resolve(user_id: str) -> VerifiedRole:
        if user_id in verified:
            return verified[user_id]
        if user_id in resolving or user_id not in certificates:
            return VerifiedRole(user_id, None, "no valid role certificate")
        resolving.add(user_id)
        verified[user_id] = check(user_id)
        return verified[user_id]

    def check(user_id: str) -> VerifiedRole:
        try:
            claims = RoleCertificate(**unverified_payload(certificates[user_id]))
            member = directory.get(user_id)
            if member is None or not member.active or member.certificate is None:
                raise CryptoError("the member is not an active, verified user")
            if claims.granted_by == user_id:
                if user_id != creator or claims.role != "owner":
                    raise CryptoError("only the workspace's creator certifies themselves")
            else:
                granter = resolve(claims.granted_by)
                if granter.role is None or not may_grant(granter.role, claims.role):
                    raise CryptoError(f"{claims.granted_by} may not grant {claims.role}")
            if member.certificate.profile == "external" and role_rank(claims.role) >= role_rank(
                "manager"
            ):
                raise CryptoError("an external user cannot be owner or manager")
            signer = directory[claims.granted_by].certificate
            if signer is None:
                raise CryptoError("the granter is not a verified user")
            value = VerifyKey(signer.verify_key).verify_object(
                Context(purpose="workspace-role", organization=organization,
                        workspace=workspace, object_id=user_id), certificates[user_id])
            return VerifiedRole(user_id, RoleCertificate(**value).role)
        except (CryptoError, TypeError, KeyError) as error:
            return VerifiedRole(user_id, None, f"role not valid: {error}")

    for user_id in certificates:
        resolve(user_id)
    return verified
