"""Passkey ceremonies: what the server accepts, and each way it refuses."""

from __future__ import annotations

import time

from api.identity.bootstrap import new_bootstrap_link
from api.storage.sqlite import SqliteStore
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.signing import SigningKey
from tests.api.conftest import same_origin_client
from tests.api.identity.conftest import Person, ok


def _unlock(person, reply):
    return ok(person.worker.handle("identity.unlock_with_passkey", {
        "organization_id": reply["organization"]["organization_id"],
        "user_id": reply["user"]["user_id"], "wrapped_bundle": reply["wrapped_bundle"],
        "prf_output": person.authenticator.prf_output()}))


def test_login_passkey_unlocks_the_same_keys(organization):
    admin = organization.admin
    admin.client.post("/api/logout")
    assert admin.client.get("/api/session").json == {"user": None}
    response = admin.login()
    assert response.status_code == 200
    assert _unlock(admin, response.json)["fingerprint"] == admin.fingerprint
    assert admin.client.get("/api/session").json["user"]["user_id"] == admin.user_id


def test_login_wrong_origin_is_refused(organization):
    response = organization.admin.login(origin="https://phishing.example")
    assert (response.status_code, response.json["error"]["code"]) == (401, "passkey_rejected")


def test_login_replayed_challenge_is_refused(organization):
    admin = organization.admin
    options = admin.login_options()
    body = {"challenge_id": options["challenge_id"],
            "credential": admin.authenticator.authenticate(options["publicKey"])}
    assert admin.client.post("/api/login", json=body).status_code == 200
    body["credential"] = admin.authenticator.authenticate(options["publicKey"])
    replay = admin.client.post("/api/login", json=body)
    assert (replay.status_code, replay.json["error"]["code"]) == (400, "challenge_expired")


def test_login_expired_challenge_is_refused(organization, monkeypatch):
    admin = organization.admin
    options = admin.login_options()
    credential = admin.authenticator.authenticate(options["publicKey"])
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = admin.client.post("/api/login", json={"challenge_id": options["challenge_id"],
                                                     "credential": credential})
    assert (response.status_code, response.json["error"]["code"]) == (400, "challenge_expired")


def test_login_bad_signature_is_refused(organization):
    response = organization.admin.login(forge=True)
    assert (response.status_code, response.json["error"]["code"]) == (401, "passkey_rejected")


def test_login_without_user_verification_is_refused(organization):
    response = organization.admin.login(verified=False)
    assert (response.status_code, response.json["error"]["code"]) == (401, "passkey_rejected")


def test_login_sign_count_regression_is_refused(organization):
    admin = organization.admin
    assert admin.login(sign_count=10).status_code == 200
    response = admin.login(sign_count=4)
    assert (response.status_code, response.json["error"]["code"]) == (
        401, "sign_count_regressed")


def test_login_unknown_credential_is_refused(organization):
    stranger = organization.person()
    stranger.authenticator.register({"challenge": "AAAA", "user": {"id": "dXNlcg"}})
    response = stranger.login()
    assert (response.status_code, response.json["error"]["code"]) == (401, "unknown_passkey")


def test_login_revoked_user_is_refused_and_session_ends(organization):
    member = organization.member()
    assert member.client.get("/api/session").json["user"]["user_id"] == member.user_id
    revocation = ok(organization.admin.worker.handle(
        "directory.sign_revocation", {"user_id": member.user_id}))
    revoked = organization.admin.client.post(f"/api/users/{member.user_id}/revoke",
                                             json=revocation)
    assert revoked.status_code == 200
    assert member.client.get("/api/session").json == {"user": None}
    assert member.client.get("/api/passkeys").status_code == 401
    response = member.login()
    assert (response.status_code, response.json["error"]["code"]) == (403, "revoked")


def test_login_malformed_bodies_get_400(organization):
    client = organization.admin.client
    for body in (None, [], {"challenge_id": 3}, {"challenge_id": "x", "credential": "nope"}):
        response = client.post("/api/login", json=body)
        assert response.status_code == 400, body
        assert response.json["error"]["code"] in {"bad_request", "challenge_expired"}


def test_bootstrap_link_cannot_be_reused(organization):
    token = organization.bootstrap_token
    client = organization.person().client
    assert client.get(f"/api/bootstrap/{token}").json["error"]["code"] == "link_used"
    reused = client.post(f"/api/bootstrap/{token}/options", json={
        "display_name": "Mallory", "email": "m@example.org"})
    assert (reused.status_code, reused.json["error"]["code"]) == (410, "link_used")


def test_bootstrap_certificate_not_signed_by_the_given_root_is_refused(app):
    config = app.config["PARAVENT"]
    store = SqliteStore(config.database_path)
    token = new_bootstrap_link(store.identity, "CHU", config.public_origin).rsplit("/", 1)[1]
    store.close()
    person = Person(same_origin_client(app))
    details = {"display_name": "Dr Admin", "email": "admin@chu.example", "site": "Nord"}
    options = person.client.post(f"/api/bootstrap/{token}/options", json=details).json
    credential = person.authenticator.register(options["publicKey"])
    created = ok(person.worker.handle("identity.create_organization", {
        "organization_id": options["organization_id"], "user_id": options["user_id"],
        **details, "prf_output": person.authenticator.prf_output()}))
    other_root = SigningKey.generate().verify_key.key
    response = person.client.post(f"/api/bootstrap/{token}/complete", json={
        "challenge_id": options["challenge_id"], "credential": credential,
        "user_id": options["user_id"], "organization_id": options["organization_id"],
        "passkey_name": "Clé", "root_verify_key": to_b64(other_root),
        **{key: created[key] for key in ("certificate", "wrapped_bundle",
                                         "recovery_token_digest", "recovery_bundle")}})
    assert (response.status_code, response.json["error"]["code"]) == (400, "invalid_certificate")
    assert person.client.get(f"/api/bootstrap/{token}").status_code == 200
