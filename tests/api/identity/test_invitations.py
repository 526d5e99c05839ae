"""Invitations: an admin invites, the invitee registers a passkey and keys, the admin files the
certificate signed after the SAS check, the invitee signs in; what the server refuses on the way,
cancellation, and one-time links."""

from __future__ import annotations

import time

import pytest

from pycrypto_wasm.identity.certificates import UserCertificate
from pycrypto_wasm.signing import SigningKey
from tests.api.identity.conftest import NEWCOMER, Invitee, bootstrap, make_app
from tests.api.identity.soft_authenticator import b64url, unb64url


def _error(response):
    return response.status_code, response.json["error"]["code"]


@pytest.fixture
def registered(organization):
    """An invitee who registered a passkey and keys and compared codes with the admin."""
    invitee = organization.claim(*organization.invite())
    organization.exchange_codes(invitee)
    return invitee


def test_invitation_full_flow_creates_a_signed_in_member(organization, registered):
    newcomer = registered.person
    served = organization.admin.client.get(
        f"/api/invitations/{registered.invitation_id}").json["invitation"]
    assert served["status"] == "registered"
    assert served["claimer_verify_key"] == b64url(newcomer.signing_key.verify_key.key)
    filed = organization.complete(registered, organization.certify(registered))
    assert (filed.status_code, filed.json) == (200, {"user_id": newcomer.user_id})
    finished = newcomer.client.post(f"/api/join/{registered.token}/finish")
    assert finished.status_code == 200, finished.json
    certificate = UserCertificate.peek(unb64url(finished.json["certificate"]))
    assert certificate.verify_key == newcomer.signing_key.verify_key.key
    session = newcomer.client.get("/api/session").json["user"]
    assert session == {"user_id": newcomer.user_id, "organization_id": organization.organization_id,
                       **NEWCOMER, "profile": "member", "revoked": False}
    listing = organization.admin.client.get("/api/invitations").json["invitations"]
    assert [i["status"] for i in listing] == ["finished"]


def test_invitation_member_signs_in_with_passkey_to_own_keys(organization):
    member = organization.member()
    member.client.post("/api/logout")
    response = member.login()
    assert response.status_code == 200, response.json
    assert member.unlock(response.json) == member.bundle
    assert response.json["user"]["profile"] == "member"


def test_invitation_passkey_from_another_origin_is_refused(organization):
    token, invitation_id = organization.invite()
    _, response = organization.register(token, origin="https://evil.example")
    assert _error(response) == (400, "passkey_rejected")
    served = organization.admin.client.get(f"/api/invitations/{invitation_id}").json
    assert served["invitation"]["status"] == "pending"


def test_invitation_link_reuse_is_refused(organization, registered):
    token = registered.token
    again = registered.person.client.post(f"/api/join/{token}/options")
    assert _error(again) == (409, "invitation_used")
    organization.complete(registered, organization.certify(registered))
    assert registered.person.client.post(f"/api/join/{token}/finish").status_code == 200
    other = organization.person()
    assert _error(other.client.post(f"/api/join/{token}/finish")) == (409, "invitation_used")
    assert _error(other.client.get(f"/api/join/{token}")) == (409, "invitation_used")
    assert other.session_user() is None


def test_invitation_finish_before_completion_is_refused(organization, registered):
    response = registered.person.client.post(f"/api/join/{registered.token}/finish")
    assert _error(response) == (409, "invitation_used")
    assert registered.person.session_user() is None


def test_invitation_complete_before_registration_is_refused(organization):
    _, invitation_id = organization.invite()
    response = organization.admin.client.post(
        f"/api/invitations/{invitation_id}/complete", json={"certificate": b64url(b"x" * 80)})
    assert _error(response) == (409, "invitation_not_ready")


def test_invitation_certificate_naming_other_keys_is_refused(organization, registered):
    substitute = SigningKey.generate().verify_key.key
    forged = organization.certify(registered, verify_key=substitute)
    assert _error(organization.complete(registered, forged)) == (400, "invalid_certificate")
    # Still registered: the right certificate goes through afterwards.
    assert organization.complete(registered, organization.certify(registered)).status_code == 200


def test_invitation_certificate_with_another_profile_is_refused(organization, registered):
    forged = organization.certify(registered, profile="admin")
    assert _error(organization.complete(registered, forged)) == (400, "invalid_certificate")


def test_invitation_certificate_not_signed_by_the_admin_is_refused(organization, registered):
    forged = organization.certify(registered, signer=SigningKey.generate())
    assert _error(organization.complete(registered, forged)) == (400, "invalid_certificate")
    by_root = organization.certify(registered, signer=organization.root, signed_by="root")
    assert _error(organization.complete(registered, by_root)) == (400, "invalid_certificate")


def test_invitation_certificate_for_another_user_is_refused(organization, registered):
    forged = organization.certify(registered, user_id="u-someone-else")
    assert _error(organization.complete(registered, forged)) == (400, "invalid_certificate")


def test_invitation_non_admin_cannot_invite(organization):
    member = organization.member()
    response = member.client.post("/api/invitations", json={**NEWCOMER, "profile": "member"})
    assert _error(response) == (403, "forbidden")
    assert _error(member.client.get("/api/invitations")) == (403, "forbidden")


def test_invitation_needs_a_session(organization):
    stranger = organization.person()
    response = stranger.client.post("/api/invitations", json={**NEWCOMER, "profile": "member"})
    assert _error(response) == (401, "unauthenticated")


@pytest.mark.parametrize("profile", ["boss", "", None])
def test_invitation_unknown_profile_is_400(organization, profile):
    response = organization.admin.client.post("/api/invitations",
                                              json={**NEWCOMER, "profile": profile})
    assert _error(response) == (400, "bad_request")


def test_invitation_cancelled_link_is_gone(organization):
    token, invitation_id = organization.invite()
    cancelled = organization.admin.client.delete(f"/api/invitations/{invitation_id}")
    assert (cancelled.status_code, cancelled.json) == (200, {"cancelled": True})
    client = organization.person().client
    assert _error(client.get(f"/api/join/{token}")) == (410, "invitation_cancelled")
    assert _error(client.post(f"/api/join/{token}/options")) == (410, "invitation_cancelled")


def test_invitation_cancelled_after_registration_cannot_be_completed(organization, registered):
    organization.admin.client.delete(f"/api/invitations/{registered.invitation_id}")
    response = organization.complete(registered, organization.certify(registered))
    assert _error(response) == (409, "invitation_not_ready")
    assert _error(registered.person.login()) == (401, "unknown_passkey")


def test_invitation_completed_cannot_be_cancelled(organization, registered):
    organization.complete(registered, organization.certify(registered))
    response = organization.admin.client.delete(f"/api/invitations/{registered.invitation_id}")
    assert _error(response) == (409, "invitation_used")


def test_invitation_unknown_link_is_404(organization):
    client = organization.person().client
    assert _error(client.get("/api/join/nope")) == (404, "unknown_invitation")


def test_invitation_expired_link_is_refused(organization, monkeypatch):
    token, _ = organization.invite()
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    client = organization.person().client
    assert _error(client.get(f"/api/join/{token}")) == (410, "invitation_expired")
    assert _error(client.post(f"/api/join/{token}/options")) == (410, "invitation_expired")


def test_invitation_short_lived_config_expires_links(config, organization):
    hasty = make_app(config, invitation_seconds=0)
    admin = hasty.test_client()
    admin.environ_base["HTTP_ORIGIN"] = config.public_origin
    admin.set_cookie("paravent_session",
                     organization.admin.client.get_cookie("paravent_session").value)
    created = admin.post("/api/invitations", json={**NEWCOMER, "profile": "member"})
    assert created.status_code == 201
    response = hasty.test_client().get(f"/api/join/{created.json['token']}")
    assert _error(response) == (410, "invitation_expired")


def test_invitation_of_another_organization_is_out_of_reach(organization, app, registered):
    other = bootstrap(app, "Autre Clinique")
    url = f"/api/invitations/{registered.invitation_id}"
    assert _error(other.admin.client.get(url)) == (404, "not_found")
    assert _error(other.admin.client.delete(url)) == (404, "not_found")
    response = other.admin.client.post(f"{url}/complete", json={
        "certificate": b64url(organization.certify(registered, signer=other.admin.signing_key,
                                                   signed_by=other.admin.user_id))})
    assert _error(response) == (404, "not_found")
    assert other.admin.client.get("/api/invitations").json["invitations"] == []


def test_invitation_with_an_already_registered_credential_id_is_refused_cleanly(organization):
    """An invitee whose authenticator answers with a credential id already registered (the
    admin's) must be refused with a 4xx at registration or completion, never a crash."""
    token, invitation_id = organization.invite()
    newcomer, registered = organization.register(
        token, credential_id=organization.admin.authenticator.last_credential_id)
    if registered.status_code == 200:
        invitee = Invitee(newcomer, token, invitation_id)
        filed = organization.complete(invitee, organization.certify(invitee))
        assert 400 <= filed.status_code < 500, (filed.status_code, filed.json)
    else:
        assert 400 <= registered.status_code < 500, (registered.status_code, registered.json)
    assert organization.admin.login().status_code == 200
