"""Bootstrapping an organization from a one-time link: the first admin's passkey, keys and
certificate; what the server checks before creating anything; the link dies once used."""

from __future__ import annotations

import time

from pycrypto_wasm.signing import SigningKey
from tests.api.identity.conftest import (
    ADMIN,
    ORGANIZATION_NAME,
    b64url,
    new_bootstrap_token,
    prepare_bootstrap,
)


def _error(response):
    return response.status_code, response.json["error"]["code"]


def test_bootstrap_creates_organization_and_signs_admin_in(organization):
    admin = organization.admin
    session = admin.client.get("/api/session").json
    assert session["user"] == {
        "user_id": admin.user_id, "organization_id": organization.organization_id,
        **ADMIN, "profile": "admin", "revoked": False}
    assert session["organization"] == {
        "organization_id": organization.organization_id, "name": ORGANIZATION_NAME,
        "root_verify_key": b64url(organization.root_verify_key)}
    assert admin.client.get("/api/directory").status_code == 200


def test_bootstrap_link_shows_organization_name(app):
    token = new_bootstrap_token(app, "Clinique du Lac")
    response = app.test_client().get(f"/api/bootstrap/{token}")
    assert (response.status_code, response.json) == (200, {"organization_name": "Clinique du Lac"})


def test_bootstrap_link_reuse_is_refused(organization):
    token = organization.bootstrap_token
    client = organization.person().client
    assert _error(client.get(f"/api/bootstrap/{token}")) == (410, "link_used")
    options = client.post(f"/api/bootstrap/{token}/options",
                          json={"display_name": "Mallory", "email": "m@example.org"})
    assert _error(options) == (410, "link_used")


def test_bootstrap_second_complete_on_same_link_is_refused(app):
    token = new_bootstrap_token(app)
    first = prepare_bootstrap(app, token)
    second = prepare_bootstrap(app, token)
    assert first.complete().status_code == 200
    assert _error(second.complete()) == (410, "link_used")
    assert second.admin.session_user() is None


def test_bootstrap_unknown_link_is_404(app):
    response = app.test_client().get("/api/bootstrap/not-a-real-token")
    assert _error(response) == (404, "unknown_link")


def test_bootstrap_expired_link_is_refused(app, monkeypatch):
    token = new_bootstrap_token(app)
    later = time.time() + 25 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert _error(app.test_client().get(f"/api/bootstrap/{token}")) == (410, "link_expired")


def test_bootstrap_certificate_not_signed_by_given_root_is_refused(app):
    token = new_bootstrap_token(app)
    attempt = prepare_bootstrap(app, token)
    attempt.body["root_verify_key"] = b64url(SigningKey.generate().verify_key.key)
    assert _error(attempt.complete()) == (400, "invalid_certificate")
    assert attempt.admin.session_user() is None
    # Nothing was created: the link still works for a correct attempt.
    assert prepare_bootstrap(app, token).complete().status_code == 200


def test_bootstrap_certificate_with_member_profile_is_refused(app):
    attempt = prepare_bootstrap(app, new_bootstrap_token(app), profile="member")
    assert _error(attempt.complete()) == (400, "invalid_certificate")


def test_bootstrap_certificate_for_another_user_is_refused(app):
    attempt = prepare_bootstrap(app, new_bootstrap_token(app), user_id="u-someone-else")
    assert _error(attempt.complete()) == (400, "invalid_certificate")


def test_bootstrap_certificate_signed_by_other_than_root_is_refused(app):
    attempt = prepare_bootstrap(app, new_bootstrap_token(app), signed_by="u-admin")
    assert _error(attempt.complete()) == (400, "invalid_certificate")


def test_bootstrap_passkey_for_another_user_id_is_refused(app):
    attempt = prepare_bootstrap(app, new_bootstrap_token(app))
    attempt.body["user_id"] = "u-chosen-by-client"
    assert _error(attempt.complete()) == (400, "challenge_mismatch")


def test_bootstrap_passkey_from_another_origin_is_refused(app):
    token = new_bootstrap_token(app)
    attempt = prepare_bootstrap(app, token)
    attempt.body["credential"] = attempt.admin.authenticator.register(
        attempt.options["publicKey"], origin="https://evil.example")
    assert _error(attempt.complete()) == (400, "passkey_rejected")
    assert attempt.admin.client.get(f"/api/bootstrap/{token}").status_code == 200


def test_bootstrap_passkey_without_user_verification_is_refused(app):
    attempt = prepare_bootstrap(app, new_bootstrap_token(app))
    attempt.body["credential"] = attempt.admin.authenticator.register(
        attempt.options["publicKey"], user_verified=False)
    assert _error(attempt.complete()) == (400, "passkey_rejected")


def test_bootstrap_with_an_existing_organization_id_is_refused_cleanly(organization, app):
    """The organization id travels through the client; one already taken must be refused with
    a 4xx, not crash the request (and must not touch the existing organization)."""
    taken = organization.organization_id
    attempt = prepare_bootstrap(app, new_bootstrap_token(app, "Intruder"), organization=taken)
    attempt.body["organization_id"] = taken
    response = attempt.complete()
    assert 400 <= response.status_code < 500, (response.status_code, response.json)
    assert attempt.admin.session_user() is None
    name = organization.admin.client.get("/api/session").json["organization"]["name"]
    assert name == ORGANIZATION_NAME
