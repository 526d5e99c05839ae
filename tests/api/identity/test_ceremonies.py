"""Each way a passkey ceremony is refused, with the status and code the client sees, and no
session opened."""

from __future__ import annotations

import pytest

from tests.api.identity.conftest import make_app
from tests.api.identity.soft_authenticator import SoftAuthenticator


def _error(response):
    return response.status_code, response.json["error"]["code"]


@pytest.mark.parametrize(("knobs", "code"), [
    ({"origin": "https://phishing.example"}, "passkey_rejected"),
    ({"origin": "http://localhost:8001"}, "passkey_rejected"),
    ({"flip_signature": True}, "passkey_rejected"),
    ({"user_verified": False}, "passkey_rejected"),
])
def test_login_forged_assertion_is_refused(organization, knobs, code):
    admin = organization.admin
    admin.client.post("/api/logout")
    assert _error(admin.login(**knobs)) == (401, code)
    assert admin.session_user() is None


def test_login_for_another_rp_id_is_refused(organization):
    admin = organization.admin
    credential = admin.authenticator.credentials[admin.authenticator.last_credential_id]
    credential.rp_id = "evil.example"
    admin.client.post("/api/logout")
    assert _error(admin.login()) == (401, "passkey_rejected")
    assert admin.session_user() is None


def test_login_replayed_challenge_is_refused(organization):
    admin = organization.admin
    options = admin.login_options()
    body = {"challenge_id": options["challenge_id"],
            "credential": admin.authenticator.authenticate(options["publicKey"])}
    assert admin.client.post("/api/login", json=body).status_code == 200
    replayed = admin.client.post("/api/login", json=body)
    assert _error(replayed) == (400, "challenge_expired")
    body["credential"] = admin.authenticator.authenticate(options["publicKey"])
    assert _error(admin.client.post("/api/login", json=body)) == (400, "challenge_expired")


def test_login_challenge_refused_after_a_failed_attempt(organization):
    admin = organization.admin
    options = admin.login_options()
    forged = admin.authenticator.authenticate(options["publicKey"], flip_signature=True)
    body = {"challenge_id": options["challenge_id"], "credential": forged}
    assert _error(admin.client.post("/api/login", json=body)) == (401, "passkey_rejected")
    body["credential"] = admin.authenticator.authenticate(options["publicKey"])
    assert _error(admin.client.post("/api/login", json=body)) == (400, "challenge_expired")


def test_login_expired_challenge_is_refused(organization, config):
    impatient = make_app(config, challenge_seconds=0)  # same database, challenges expire at once
    admin = organization.admin
    client = impatient.test_client()
    client.environ_base["HTTP_ORIGIN"] = config.public_origin
    options = client.post("/api/login/options").json
    credential = admin.authenticator.authenticate(options["publicKey"])
    response = client.post("/api/login", json={"challenge_id": options["challenge_id"],
                                               "credential": credential})
    assert _error(response) == (400, "challenge_expired")
    assert client.get("/api/session").json == {"user": None}


def test_login_with_registration_challenge_is_refused(organization):
    admin = organization.admin
    options = admin.client.post("/api/passkeys/options").json
    credential = admin.authenticator.authenticate(options["publicKey"])
    response = admin.client.post("/api/login", json={"challenge_id": options["challenge_id"],
                                                     "credential": credential})
    assert _error(response) == (400, "challenge_expired")


def test_login_unknown_challenge_is_refused(organization):
    admin = organization.admin
    options = admin.login_options()
    credential = admin.authenticator.authenticate(options["publicKey"])
    response = admin.client.post("/api/login", json={"challenge_id": "made-up",
                                                     "credential": credential})
    assert _error(response) == (400, "challenge_expired")


def test_login_sign_count_regression_is_refused(organization):
    admin = organization.admin
    assert admin.login(sign_count=10).status_code == 200
    admin.client.post("/api/logout")
    assert _error(admin.login(sign_count=4)) == (401, "sign_count_regressed")
    assert _error(admin.login(sign_count=10)) == (401, "sign_count_regressed")
    assert admin.session_user() is None
    assert admin.login(sign_count=11).status_code == 200


def test_login_unknown_credential_is_refused(organization):
    stranger = organization.person()
    stranger.authenticator.register({"challenge": "AAAA", "user": {"id": "dXNlcg"}})
    assert _error(stranger.login()) == (401, "unknown_passkey")
    assert stranger.session_user() is None


def test_login_revoked_user_is_refused(organization):
    member = organization.member()
    assert organization.revoke(member).status_code == 200
    assert _error(member.login()) == (403, "revoked")
    assert member.session_user() is None


@pytest.mark.parametrize("body", [
    None, [], {}, {"challenge_id": 3}, {"challenge_id": "x", "credential": "nope"},
])
def test_login_malformed_body_is_400(organization, body):
    response = organization.admin.client.post("/api/login", json=body)
    assert response.status_code == 400, body
    assert response.json["error"]["code"] in {"bad_request", "challenge_expired"}


def test_login_malformed_credential_with_valid_challenge_is_400(organization):
    admin = organization.admin
    options = admin.login_options()
    credential = admin.authenticator.authenticate(options["publicKey"])
    credential["response"]["authenticatorData"] = "!!!"
    response = admin.client.post("/api/login", json={"challenge_id": options["challenge_id"],
                                                     "credential": credential})
    assert response.status_code in (400, 401), response.json
    assert response.json["error"]["code"] in {"bad_request", "passkey_rejected"}


def test_register_passkey_for_another_users_challenge_is_refused(organization):
    member = organization.member()
    admin_options = organization.admin.client.post("/api/passkeys/options").json
    credential = member.authenticator.register(admin_options["publicKey"])
    response = member.client.post("/api/passkeys", json={
        "challenge_id": admin_options["challenge_id"], "credential": credential, "name": "x"})
    assert _error(response) == (400, "challenge_mismatch")
    assert len(member.client.get("/api/passkeys").json["passkeys"]) == 1


def test_register_passkey_from_another_origin_is_refused(organization):
    admin = organization.admin
    options = admin.client.post("/api/passkeys/options").json
    credential = admin.authenticator.register(options["publicKey"],
                                              origin="https://evil.example")
    response = admin.client.post("/api/passkeys", json={
        "challenge_id": options["challenge_id"], "credential": credential, "name": "x"})
    assert _error(response) == (400, "passkey_rejected")


def test_register_passkey_for_another_rp_is_refused(organization):
    admin = organization.admin
    options = admin.client.post("/api/passkeys/options").json
    evil = SoftAuthenticator(origin=admin.authenticator.origin, rp_id="evil.example")
    credential = evil.register({**options["publicKey"], "rp": {"id": "evil.example"}})
    response = admin.client.post("/api/passkeys", json={
        "challenge_id": options["challenge_id"], "credential": credential, "name": "x"})
    assert _error(response) == (400, "passkey_rejected")
