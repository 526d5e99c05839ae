"""The worker's identity methods, end to end under CPython: an admin's browser and an invitee's
browser (two services) create an organization, run the SAS exchange and trust each other."""

from __future__ import annotations

import pytest

from pycrypto_wasm.service import CryptoService
from tests.crypto.browsers import PERSON, PRF_ADMIN, invite_newcomer, ok


@pytest.fixture
def admin():
    service = CryptoService()
    created = ok(service.handle("identity.create_organization", {
        "organization_id": "o-1", "user_id": "u-admin", "prf_output": PRF_ADMIN, **PERSON,
    }))
    return service, created


def test_service_identity_bootstrap_then_unlock_gives_same_keys(admin):
    _, created = admin
    assert len(created["recovery_code"].split("-")) == 8
    again = CryptoService()
    unlocked = ok(again.handle("identity.unlock_with_passkey", {
        "organization_id": "o-1", "user_id": "u-admin", "wrapped_bundle": created["wrapped_bundle"],
        "prf_output": PRF_ADMIN,
    }))
    assert unlocked["fingerprint"] == created["fingerprint"]
    by_code = ok(CryptoService().handle("identity.unlock_with_recovery", {
        "organization_id": "o-1", "user_id": "u-admin",
        "wrapped_bundle": created["recovery_bundle"], "recovery_code": created["recovery_code"],
    }))
    assert by_code["fingerprint"] == created["fingerprint"]


def test_service_identity_wrong_prf_is_refused(admin):
    _, created = admin
    reply = CryptoService().handle("identity.unlock_with_passkey", {
        "organization_id": "o-1", "user_id": "u-admin", "wrapped_bundle": created["wrapped_bundle"],
        "prf_output": bytes(32),
    })
    assert reply["error"]["code"] == "decryption_failed"


def test_service_identity_invitation_certifies_newcomer_both_trust_directory(admin):
    service, created = admin
    newcomer, prepared, certified = invite_newcomer(service, created)
    certificate = ok(certified)["certificate"]
    finished = ok(newcomer.handle("invite.claimer_finish", {"certificate": certificate}))
    assert finished["fingerprint"] == prepared["fingerprint"]
    users = [
        {"user_id": "u-admin", "certificate": created["certificate"]},
        {"user_id": "u-new", "certificate": certificate},
    ]
    for browser in (service, newcomer):
        verified = ok(browser.handle("directory.verify", {"users": users}))["users"]
        assert [user["active"] for user in verified] == [True, True]
        assert verified[1]["display_name"] == "Mme Durand"


def test_service_identity_wrong_code_refuses_to_certify(admin):
    service, created = admin
    _, _, certified = invite_newcomer(service, created, typed="ZZZZ")
    assert certified["error"]["code"] == "sas_mismatch"


def test_service_identity_revocation_is_seen_by_every_member(admin):
    service, created = admin
    newcomer, _, certified = invite_newcomer(service, created)
    certificate = ok(certified)["certificate"]
    ok(newcomer.handle("invite.claimer_finish", {"certificate": certificate}))
    revocation = ok(service.handle("directory.sign_revocation", {"user_id": "u-new"}))
    users = [
        {"user_id": "u-admin", "certificate": created["certificate"]},
        {"user_id": "u-new", "certificate": certificate,
         "revocation": revocation["revocation"]},
    ]
    verified = ok(service.handle("directory.verify", {"users": users}))["users"]
    assert verified[1]["revoked"] and not verified[1]["active"]


def test_service_identity_lock_forgets_keys(admin):
    service, _ = admin
    ok(service.handle("identity.lock"))
    assert service.handle("directory.sign_revocation", {"user_id": "u"})["error"]["code"] == (
        "locked"
    )
