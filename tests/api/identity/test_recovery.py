"""The recovery code: it signs in and unwraps the key bundle without any passkey, lets the user
register a new passkey, and can be replaced (the old code stops working at once)."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity import keybundle
from pycrypto_wasm.identity.keybundle import RECOVERY_INFO
from pycrypto_wasm.identity.recovery import RecoveryCode
from tests.api.identity.conftest import recovery_digest
from tests.api.identity.soft_authenticator import unb64url


def _recover(person, code):
    return person.client.post("/api/login/recovery",
                              json={"login_token_digest": recovery_digest(code)})


def _unwrap(reply, code):
    return keybundle.unwrap(unb64url(reply["wrapped_bundle"]), code.wrapping_secret(),
                            RECOVERY_INFO, reply["organization"]["organization_id"],
                            reply["user"]["user_id"])


def test_recovery_code_signs_in_and_unwraps_the_same_keys(organization):
    admin = organization.admin
    lost_passkey = organization.person()  # a new browser, no passkey at all
    typed = RecoveryCode.parse(admin.recovery.text().lower().replace("-", " "))
    response = _recover(lost_passkey, typed)
    assert response.status_code == 200, response.json
    assert response.json["unlocked_with"] == "recovery"
    assert _unwrap(response.json, typed) == admin.bundle
    assert lost_passkey.session_user()["user_id"] == admin.user_id


def test_recovery_wrong_code_is_refused(organization):
    stranger = organization.person()
    response = _recover(stranger, RecoveryCode.generate())
    assert (response.status_code, response.json["error"]["code"]) == (
        401, "unknown_recovery_code")
    assert stranger.session_user() is None


def test_recovery_bundle_needs_the_code_not_just_the_token(organization):
    admin = organization.admin
    response = _recover(organization.person(), admin.recovery)
    with pytest.raises(CryptoError):
        keybundle.unwrap(unb64url(response.json["wrapped_bundle"]), admin.recovery.login_token(),
                         RECOVERY_INFO, organization.organization_id, admin.user_id)


def test_recovery_malformed_digest_is_400(organization):
    client = organization.person().client
    for digest in (None, "", "not base64!", "AAAA"):
        response = client.post("/api/login/recovery", json={"login_token_digest": digest})
        assert (response.status_code, response.json["error"]["code"]) == (400, "bad_request")


def test_recovery_then_new_passkey_signs_in(organization):
    admin = organization.admin
    rescued = organization.person()  # the old authenticator is lost
    assert _recover(rescued, admin.recovery).status_code == 200
    rescued.bundle, rescued.user_id = admin.bundle, admin.user_id
    new_id = rescued.add_passkey("Téléphone")
    names = [p["name"] for p in rescued.client.get("/api/passkeys").json["passkeys"]]
    assert names == ["Clé USB", "Téléphone"]
    rescued.client.post("/api/logout")
    response = rescued.login(new_id)
    assert response.status_code == 200, response.json
    assert response.json["user"]["user_id"] == admin.user_id
    assert rescued.unlock(response.json, new_id) == admin.bundle


def test_recovery_code_replaced_old_one_stops_working(organization):
    admin = organization.admin
    new_code = RecoveryCode.generate()
    material = admin.recovery_material(new_code)
    replaced = admin.client.put("/api/recovery", json={
        "login_token_digest": material["recovery_token_digest"],
        "recovery_bundle": material["recovery_bundle"]})
    assert (replaced.status_code, replaced.json) == (200, {"replaced": True})
    old = _recover(organization.person(), admin.recovery)
    assert (old.status_code, old.json["error"]["code"]) == (401, "unknown_recovery_code")
    new = _recover(organization.person(), new_code)
    assert new.status_code == 200
    assert _unwrap(new.json, new_code) == admin.bundle


def test_recovery_replacement_needs_a_session(organization):
    stranger = organization.person()
    material = organization.admin.recovery_material(RecoveryCode.generate())
    response = stranger.client.put("/api/recovery", json={
        "login_token_digest": material["recovery_token_digest"],
        "recovery_bundle": material["recovery_bundle"]})
    assert (response.status_code, response.json["error"]["code"]) == (401, "unauthenticated")
    assert _recover(organization.person(), organization.admin.recovery).status_code == 200


def test_recovery_passkey_without_prf_gets_recovery_bundle(organization):
    admin = organization.admin
    no_prf = admin.add_passkey("Vieille clé", with_prf=False)
    admin.client.post("/api/logout")
    response = admin.login(no_prf)
    assert response.status_code == 200
    assert response.json["wrapped_bundle"] is None
    bundle = keybundle.unwrap(unb64url(response.json["recovery_bundle"]),
                              admin.recovery.wrapping_secret(), RECOVERY_INFO,
                              organization.organization_id, admin.user_id)
    assert bundle == admin.bundle
