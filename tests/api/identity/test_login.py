"""Signing in with a passkey: a session, and the key bundle that only this passkey's PRF output
unwraps, to the very keys the user created; signing out."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity import keybundle
from pycrypto_wasm.identity.keybundle import PASSKEY_INFO
from tests.api.identity.soft_authenticator import unb64url


def test_login_passkey_unwraps_to_the_same_keys(organization):
    admin = organization.admin
    fresh = organization.person()
    fresh.authenticator = admin.authenticator  # the same passkey, on another browser
    response = fresh.login()
    assert response.status_code == 200, response.json
    assert response.json["unlocked_with"] == "passkey"
    assert response.json["user"]["user_id"] == admin.user_id
    bundle = fresh.unlock(response.json)
    assert bundle.signing_key.verify_key.fingerprint() == admin.fingerprint
    assert bundle == admin.bundle
    assert bundle.root_verify_key == organization.root_verify_key
    assert fresh.session_user()["user_id"] == admin.user_id


def test_login_bundle_does_not_open_with_another_prf(organization):
    response = organization.admin.login()
    other = organization.person().authenticator
    other.register({"challenge": "AAAA", "user": {"id": "dQ"}})
    with pytest.raises(CryptoError):
        keybundle.unwrap(unb64url(response.json["wrapped_bundle"]), other.prf_output(),
                         PASSKEY_INFO, organization.organization_id, organization.admin.user_id)


def test_login_records_passkey_use(organization):
    admin = organization.admin
    (before,) = admin.client.get("/api/passkeys").json["passkeys"]
    assert before["last_used_at"] is None
    assert admin.login().status_code == 200
    (after,) = admin.client.get("/api/passkeys").json["passkeys"]
    assert after["last_used_at"] is not None


def test_logout_ends_the_session(organization):
    admin = organization.admin
    assert admin.client.post("/api/logout").json == {"signed_out": True}
    assert admin.session_user() is None
    response = admin.client.get("/api/directory")
    assert (response.status_code, response.json["error"]["code"]) == (401, "unauthenticated")
    assert admin.login().status_code == 200
    assert admin.client.get("/api/directory").status_code == 200


def test_login_requires_same_origin(organization):
    foreign = organization.app.test_client()
    foreign.environ_base["HTTP_ORIGIN"] = "https://evil.example"
    response = foreign.post("/api/login/options")
    assert (response.status_code, response.json["error"]["code"]) == (403, "bad_origin")
    assert organization.app.test_client().post("/api/login/options").status_code == 403
