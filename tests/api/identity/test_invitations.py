"""Invitations: who may invite, what the server checks before creating the user, one-time links,
cancellation, and the relayed SAS channel."""

from __future__ import annotations

import base64
import sqlite3

import pytest

from api.realtime import socketio_of
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.signing import VerifyKey
from tests.api.identity.conftest import ok
from tests.identity.conftest import substitute


def _b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_invitation_creates_a_member_everyone_can_verify(organization):
    member = organization.member()
    listing = member.client.get("/api/directory").json
    entries = verify_directory(
        VerifyKey(_b64decode(organization.root_verify_key)), organization.organization_id,
        {user["user_id"]: _b64decode(user["certificate"]) for user in listing["users"]})
    assert [entry.active for entry in entries.values()] == [True, True]
    assert entries[member.user_id].certificate.display_name == "Mme Durand"


def test_invitation_link_is_one_time(organization):
    newcomer, certified, invitation_id = organization.invite()
    organization.admin.client.post(f"/api/invitations/{invitation_id}/complete",
                                   json={"certificate": ok(certified)["certificate"]})
    token = certified["token"]
    assert newcomer.client.post(f"/api/join/{token}/finish").status_code == 200
    again = newcomer.client.post(f"/api/join/{token}/finish")
    assert (again.status_code, again.json["error"]["code"]) == (409, "invitation_used")


def test_invitation_certificate_for_other_keys_is_refused(organization, app):
    _, certified, invitation_id = organization.invite()
    with sqlite3.connect(app.config["PARAVENT"].database_path) as database:
        database.execute("update invitations set claimer_public_key = ? where id = ?",
                         [bytes(32), invitation_id])
    filed = organization.admin.client.post(f"/api/invitations/{invitation_id}/complete",
                                           json={"certificate": ok(certified)["certificate"]})
    assert (filed.status_code, filed.json["error"]["code"]) == (400, "invalid_certificate")


def test_invitation_certificate_with_another_profile_is_refused(organization):
    _, certified, invitation_id = organization.invite(profile="external")
    forged = substitute(_b64decode(ok(certified)["certificate"]), profile="admin")
    filed = organization.admin.client.post(f"/api/invitations/{invitation_id}/complete",
                                           json={"certificate": to_b64(forged)})
    assert (filed.status_code, filed.json["error"]["code"]) == (400, "invalid_certificate")


def test_invitation_only_admins_invite(organization):
    member = organization.member()
    response = member.client.post("/api/invitations", json={
        "display_name": "X", "email": "x@example.org", "site": "S", "profile": "member"})
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")


def test_invitation_cancelled_link_answers_410(organization):
    created = organization.admin.client.post("/api/invitations", json={
        "display_name": "X", "email": "x@example.org", "site": "S", "profile": "member"}).json
    invitation_id = created["invitation"]["invitation_id"]
    assert organization.admin.client.delete(f"/api/invitations/{invitation_id}").status_code == 200
    response = organization.person().client.get(f"/api/join/{created['token']}")
    assert (response.status_code, response.json["error"]["code"]) == (410, "invitation_cancelled")


@pytest.mark.parametrize("profile", ["boss", ""])
def test_invitation_unknown_profile_is_refused(organization, profile):
    response = organization.admin.client.post("/api/invitations", json={
        "display_name": "X", "email": "x@example.org", "site": "S", "profile": profile})
    assert (response.status_code, response.json["error"]["code"]) == (400, "bad_request")


def test_invitation_channel_relays_between_the_two_sides_only(organization, app):
    created = organization.admin.client.post("/api/invitations", json={
        "display_name": "X", "email": "x@example.org", "site": "S", "profile": "member"}).json
    invitation_id, token = created["invitation"]["invitation_id"], created["token"]
    socketio = socketio_of(app)
    greeter = socketio.test_client(app, flask_test_client=organization.admin.client)
    claimer = socketio.test_client(app)
    outsider = socketio.test_client(app)
    assert greeter.emit("invitation:join", {"role": "greeter", "invitation_id": invitation_id},
                        callback=True)["ok"]
    assert claimer.emit("invitation:join", {"role": "claimer", "token": token}, callback=True)["ok"]
    refused = outsider.emit("invitation:join", {"role": "greeter", "invitation_id": invitation_id},
                            callback=True)
    assert refused["error"]["code"] == "forbidden"
    greeter.get_received()
    claimer.emit("invitation:relay", {"payload": {"type": "ready"}}, callback=True)
    received = greeter.get_received()
    assert [(event["name"], event["args"][0]["payload"]) for event in received] == [
        ("invitation:message", {"type": "ready"})]
    assert outsider.get_received() == []
    claimer.emit("invitation:abort", {"reason": "codes differ"}, callback=True)
    assert greeter.get_received()[0]["name"] == "invitation:aborted"
    link = organization.person().client.get(f"/api/join/{token}")
    assert link.json["error"]["code"] == "invitation_cancelled"


def test_invitation_revocation_by_another_signer_is_refused(organization):
    member = organization.member()
    forged = ok(member.worker.handle("directory.sign_revocation",
                                     {"user_id": organization.admin.user_id}))
    other = organization.member()
    response = organization.admin.client.post(f"/api/users/{other.user_id}/revoke", json=forged)
    assert (response.status_code, response.json["error"]["code"]) == (400, "invalid_certificate")
