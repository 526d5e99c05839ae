"""A client believes only what the certificate chain from the root proves."""

from __future__ import annotations

import pytest

from pycrypto_wasm.identity.certificates import RevocationCertificate, UserCertificate
from pycrypto_wasm.identity.trust import Directory, verify_directory
from pycrypto_wasm.signing import SigningKey
from tests.identity.conftest import ORG, make_member, resign, substitute


def test_trust_chain_root_admin_member_verifies(root, admin, member):
    entries = verify_directory(
        root.verify_key, ORG, {"u-admin": admin.signed, "u-member": member.signed}
    )
    assert entries["u-admin"].active and entries["u-member"].active
    assert entries["u-member"].certificate == member.certificate


def test_trust_substituted_public_key_is_invalid(root, admin, member):
    tampered = substitute(member.signed, public_key=bytes(32))
    directory = {"u-admin": admin.signed, "u-member": tampered}
    entries = verify_directory(root.verify_key, ORG, directory)
    assert not entries["u-member"].valid
    assert "not valid" in entries["u-member"].problem
    assert entries["u-member"].certificate is None


def test_trust_certificate_signed_by_a_non_admin_is_invalid(root, admin, member):
    outsider = make_member("u-x", "admin", member.signing, "u-member")
    entries = verify_directory(
        root.verify_key, ORG,
        {"u-admin": admin.signed, "u-member": member.signed, "u-x": outsider.signed},
    )
    assert entries["u-x"].problem == "certificate not valid: its signer u-member is not an admin"


@pytest.mark.parametrize("forge", [
    lambda member: substitute(member.signed, profile="admin"),
    lambda member: substitute(member.signed, display_name="Dr Impostor"),
    lambda member: resign(member, SigningKey.generate(), profile="admin"),
])
def test_trust_profile_or_name_changed_by_server_is_invalid(root, admin, member, forge):
    upgraded = forge(member)
    directory = {"u-admin": admin.signed, "u-member": upgraded}
    entries = verify_directory(root.verify_key, ORG, directory)
    assert not entries["u-member"].valid


def test_trust_other_root_makes_everyone_invalid(admin, member):
    entries = verify_directory(
        SigningKey.generate().verify_key, ORG, {"u-admin": admin.signed, "u-member": member.signed}
    )
    assert not any(entry.valid for entry in entries.values())


def test_trust_certificate_filed_under_another_user_is_invalid(root, admin, member):
    entries = verify_directory(
        root.verify_key, ORG, {"u-admin": admin.signed, "u-other": member.signed}
    )
    assert not entries["u-other"].valid


def test_trust_revocation_by_admin_marks_user_revoked(root, admin, member):
    revocation = RevocationCertificate(
        organization=ORG, user_id="u-member", revoked_by="u-admin", revoked_at=1_800_000_000
    ).sign(admin.signing)
    entries = verify_directory(
        root.verify_key, ORG, {"u-admin": admin.signed, "u-member": member.signed},
        {"u-member": revocation},
    )
    assert entries["u-member"].valid and not entries["u-member"].active
    assert entries["u-member"].revocation.revoked_by == "u-admin"


def test_trust_revocation_forged_by_server_is_ignored(root, admin, member):
    forged = RevocationCertificate(
        organization=ORG, user_id="u-admin", revoked_by="u-admin", revoked_at=1_800_000_000
    ).sign(SigningKey.generate())
    entries = verify_directory(
        root.verify_key, ORG, {"u-admin": admin.signed}, {"u-admin": forged}
    )
    assert entries["u-admin"].active


def test_trust_peek_reads_claims_without_trusting_them(member):
    assert UserCertificate.peek(member.signed).signed_by == "u-admin"


def test_trust_a_certificate_swapped_after_it_was_read_is_judged_by_the_new_one(
        root, admin, member):
    directory = Directory(root.verify_key, ORG, {"u-admin": admin.signed})
    directory.add({"u-member": member.signed}, {})
    assert directory["u-member"].active
    directory.add({"u-member": substitute(member.signed, profile="admin")}, {})
    assert "not valid" in directory["u-member"].problem


def test_trust_a_forged_admin_unseats_everyone_it_certified_and_a_revocation_stays(
        root, admin, member):
    revocation = RevocationCertificate(
        organization=ORG, user_id="u-member", revoked_by="u-admin", revoked_at=1_800_000_000
    ).sign(admin.signing)
    directory = Directory(root.verify_key, ORG, {"u-admin": admin.signed,
                                                 "u-member": member.signed})
    directory.add({}, {"u-member": revocation})
    assert directory["u-member"].valid and not directory["u-member"].active
    directory.add({"u-admin": substitute(admin.signed, display_name="Dr Impostor")},
                  {"u-member": revocation})
    assert not directory["u-admin"].valid
    assert "u-admin is not a verified user" in directory["u-member"].problem
    directory.add({"u-admin": admin.signed}, {"u-member": revocation})
    assert directory["u-member"].revocation.revoked_by == "u-admin"
