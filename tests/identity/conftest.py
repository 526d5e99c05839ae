"""An organization with a root key, an admin certified by it and a member certified by the admin."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from pycrypto_wasm import canonical
from pycrypto_wasm.identity.certificates import ROOT_SIGNER, UserCertificate
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey, unverified_payload

ORG = "org-hospital"


@dataclass
class Member:
    signing: SigningKey
    encryption: PrivateKey
    certificate: UserCertificate
    signed: bytes


def make_member(user_id: str, profile: str, signer: SigningKey, signed_by: str) -> Member:
    signing, encryption = SigningKey.generate(), PrivateKey.generate()
    certificate = UserCertificate(
        organization=ORG, user_id=user_id, display_name=f"User {user_id}",
        email=f"{user_id}@example.org", site="Site Nord", profile=profile,
        verify_key=signing.verify_key.key, public_key=encryption.public_key.key,
        signed_by=signed_by, issued_at=1_700_000_000,
    )
    return Member(signing, encryption, certificate, certificate.sign(signer))


@pytest.fixture
def root() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def admin(root) -> Member:
    return make_member("u-admin", "admin", root, ROOT_SIGNER)


@pytest.fixture
def member(admin) -> Member:
    return make_member("u-member", "member", admin.signing, "u-admin")


def resign(member: Member, signer: SigningKey, **changes: object) -> bytes:
    return replace(member.certificate, **changes).sign(signer)


def substitute(signed: bytes, **changes: object) -> bytes:
    """`signed` with some claims changed and the original signature kept: a server's forgery."""
    header = signed[: 1 + 64]
    return header + canonical.encode({**unverified_payload(signed), **changes})
