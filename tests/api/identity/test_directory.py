"""The directory clients verify against the root key, and revocation: a revoked member's session
ends and their passkey is refused; the server can neither forge a revocation nor substitute a key
unnoticed."""

from __future__ import annotations

import contextlib
import time

import simple_websocket

from api.realtime.channel import socketio_of
from e2e.harness.server import ServerProcess
from pycrypto_wasm.identity.certificates import RevocationCertificate
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.signing import SigningKey, VerifyKey
from tests.api.conftest import database_of
from tests.api.identity.conftest import bootstrap, make_app
from tests.api.identity.soft_authenticator import b64url, unb64url
from tests.identity.conftest import substitute


def _error(response):
    return response.status_code, response.json["error"]["code"]


def _verified(organization, person):
    """The directory as `person`'s browser believes it, trusting only the root key it holds."""
    listing = person.client.get("/api/directory").json
    certificates = {u["user_id"]: unb64url(u["certificate"]) for u in listing["users"]}
    revocations = {u["user_id"]: unb64url(u["revocation"]) for u in listing["users"]
                   if u["revocation"]}
    return verify_directory(VerifyKey(person.bundle.root_verify_key),
                            organization.organization_id, certificates, revocations)


def test_directory_verifies_against_the_root_key(organization):
    member = organization.member()
    external = organization.member(profile="external", display_name="M. Externe")
    for viewer in (organization.admin, member):
        entries = _verified(organization, viewer)
        assert set(entries) == {organization.admin.user_id, member.user_id, external.user_id}
        assert all(entry.active for entry in entries.values())
    # An external contact in no space sees only themselves and the admin who certified them.
    assert set(_verified(organization, external)) == {organization.admin.user_id,
                                                       external.user_id}
    entries = _verified(organization, member)
    assert entries[organization.admin.user_id].certificate.signed_by == "root"
    assert entries[member.user_id].certificate.verify_key == member.signing_key.verify_key.key
    assert entries[external.user_id].certificate.profile == "external"


def test_directory_needs_a_session(organization):
    response = organization.person().client.get("/api/directory")
    assert _error(response) == (401, "unauthenticated")


def test_revocation_ends_session_and_refuses_passkey(organization):
    member = organization.member()
    assert member.client.get("/api/directory").status_code == 200
    response = organization.revoke(member)
    assert (response.status_code, response.json) == (200, {"revoked": True})
    assert _error(member.client.get("/api/directory")) == (401, "unauthenticated")
    assert member.session_user() is None
    assert _error(member.login()) == (403, "revoked")
    recovered = member.client.post("/api/login/recovery", json={
        "login_token_digest": member.recovery_material()["recovery_token_digest"]})
    assert _error(recovered) == (403, "revoked")
    assert member.session_user() is None


def test_revocation_closes_the_members_live_sockets(organization, app):
    member = organization.member()
    socket = socketio_of(app).test_client(app, flask_test_client=member.client)
    assert socket.is_connected()
    organization.revoke(member)
    assert not socket.is_connected()


def test_revocation_is_verifiable_in_the_directory(organization):
    member = organization.member()
    organization.revoke(member)
    listing = organization.admin.client.get("/api/directory").json["users"]
    assert {u["user_id"]: u["revoked"] for u in listing} == {
        organization.admin.user_id: False, member.user_id: True}
    entries = _verified(organization, organization.admin)
    assert entries[member.user_id].valid and not entries[member.user_id].active
    assert entries[member.user_id].revocation.revoked_by == organization.admin.user_id


def test_revocation_signed_by_someone_else_is_refused(organization):
    member, target = organization.member(), organization.member()
    forged = organization.revocation(target, signer=member)
    assert _error(organization.revoke(target, forged)) == (400, "invalid_certificate")
    # Names the admin as revoker but is signed with another key.
    forged = RevocationCertificate(
        organization=organization.organization_id, user_id=target.user_id,
        revoked_by=organization.admin.user_id, revoked_at=int(time.time()),
    ).sign(SigningKey.generate())
    assert _error(organization.revoke(target, forged)) == (400, "invalid_certificate")
    assert target.client.get("/api/directory").status_code == 200


def test_revocation_for_another_user_is_refused(organization):
    member, target = organization.member(), organization.member()
    wrong = organization.revocation(member)
    assert _error(organization.revoke(target, wrong)) == (400, "invalid_certificate")
    assert member.session_user() is not None and target.session_user() is not None


def test_revocation_by_non_admin_is_refused(organization):
    member, target = organization.member(), organization.member()
    response = member.client.post(f"/api/users/{target.user_id}/revoke", json={
        "revocation": b64url(organization.revocation(target, signer=member))})
    assert _error(response) == (403, "forbidden")


def test_revocation_of_self_twice_or_unknown_is_refused(organization, app):
    admin = organization.admin
    assert _error(organization.revoke(admin)) == (409, "cannot_revoke_self")
    member = organization.member()
    assert organization.revoke(member).status_code == 200
    assert _error(organization.revoke(member)) == (409, "already_revoked")
    response = admin.client.post("/api/users/u-nobody/revoke", json={"revocation": "AAAA"})
    assert _error(response) == (404, "not_found")


def test_directory_substituted_key_is_reported_invalid(organization, app):
    member = organization.member()
    with database_of(app.config["PARAVENT"]) as database:
        (signed,) = database.execute("select certificate from users where id = ?",
                                     [member.user_id]).fetchone()
        forged = substitute(signed, public_key=SigningKey.generate().verify_key.key)
        database.execute("update users set certificate = ? where id = ?",
                         [forged, member.user_id])
    entries = _verified(organization, organization.admin)
    assert not entries[member.user_id].valid
    assert "not valid" in entries[member.user_id].problem
    assert entries[organization.admin.user_id].active


def test_directory_of_another_organization_is_separate(organization, app):
    other = bootstrap(app, "Autre Clinique")
    member = organization.member()
    users = other.admin.client.get("/api/directory").json["users"]
    assert [u["user_id"] for u in users] == [other.admin.user_id]
    response = other.admin.client.post(f"/api/users/{member.user_id}/revoke", json={
        "revocation": "AAAA"})
    assert _error(response) == (404, "not_found")
    assert member.session_user() is not None



def test_revocation_closes_sockets_held_by_another_process(config, redis_url):
    """The member's socket is held by a server process; the admin revokes through another."""
    organization = bootstrap(make_app(config, message_queue=redis_url))
    member = organization.member()
    database = ("--database", config.database) if config.database else ()
    other = ServerProcess(config.data_dir, port=config.port,
                          flags=("--message-queue", redis_url, *database)).start()
    try:
        cookie = member.client.get_cookie("paravent_session").value
        socket = simple_websocket.Client.connect(
            f"ws://127.0.0.1:{other.port}/socket.io/?EIO=4&transport=websocket",
            headers={"Cookie": f"paravent_session={cookie}"})
        socket.send("40")
        while not str(socket.receive(timeout=10)).startswith("40"):
            pass
        organization.revoke(member)
        received = []
        with contextlib.suppress(simple_websocket.ConnectionClosed):
            while (message := socket.receive(timeout=30)) is not None:
                received.append(message)
    finally:
        other.stop()
    assert '42["session:ended",{"reason":"revoked"}]' in received
    assert not socket.connected
