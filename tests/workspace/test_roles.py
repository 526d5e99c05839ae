"""Workspace roles are believed only when their signatures and the granting rules hold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pycrypto_wasm.identity.certificates import ROOT_SIGNER
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace.roles import RoleCertificate, verify_roles
from tests.identity.conftest import ORG, make_member

WS = "w-1"


@pytest.fixture
def people():
    root = SigningKey.generate()
    admin = make_member("u-admin", "admin", root, ROOT_SIGNER)
    members = {name: make_member(name, profile, admin.signing, "u-admin")
               for name, profile in [("u-b", "member"), ("u-c", "member"), ("u-x", "external")]}
    everyone = {"u-admin": admin, **members}
    directory = verify_directory(root.verify_key, ORG,
                                 {uid: m.signed for uid, m in everyone.items()})
    return everyone, directory


def _grant(people, granter, user_id, role):
    everyone, _ = people
    return RoleCertificate.issue(everyone[granter].signing, organization=ORG, workspace=WS,
                                 user_id=user_id, role=role, granted_by=granter)


def _verify(people, certificates):
    return verify_roles(organization=ORG, workspace=WS, creator="u-admin",
                        certificates=certificates, directory=people[1])


def test_roles_creator_and_granted_roles_verify(people):
    roles = _verify(people, {
        "u-admin": _grant(people, "u-admin", "u-admin", "owner"),
        "u-b": _grant(people, "u-admin", "u-b", "manager"),
        "u-c": _grant(people, "u-b", "u-c", "contributor"),
    })
    assert {uid: r.role for uid, r in roles.items()} == {
        "u-admin": "owner", "u-b": "manager", "u-c": "contributor"}


def test_roles_manager_cannot_make_an_owner(people):
    roles = _verify(people, {
        "u-admin": _grant(people, "u-admin", "u-admin", "owner"),
        "u-b": _grant(people, "u-admin", "u-b", "manager"),
        "u-c": _grant(people, "u-b", "u-c", "owner"),
    })
    assert roles["u-c"].role is None and "may not grant owner" in roles["u-c"].problem


def test_roles_external_cannot_be_manager(people):
    roles = _verify(people, {
        "u-admin": _grant(people, "u-admin", "u-admin", "owner"),
        "u-x": _grant(people, "u-admin", "u-x", "manager"),
    })
    assert roles["u-x"].role is None


def test_roles_self_signed_non_creator_is_refused(people):
    roles = _verify(people, {"u-b": _grant(people, "u-b", "u-b", "owner")})
    assert roles["u-b"].role is None


def test_roles_server_upgrading_a_role_is_caught(people):
    everyone, _ = people
    genuine = _grant(people, "u-admin", "u-c", "reader")
    forged = replace(RoleCertificate(organization=ORG, workspace=WS, user_id="u-c",
                                     role="reader", granted_by="u-admin", granted_at=1),
                     role="owner").sign(everyone["u-c"].signing)
    roles = _verify(people, {"u-admin": _grant(people, "u-admin", "u-admin", "owner"),
                             "u-c": forged})
    assert roles["u-c"].role is None
    assert _verify(people, {"u-admin": _grant(people, "u-admin", "u-admin", "owner"),
                            "u-c": genuine})["u-c"].role == "reader"
