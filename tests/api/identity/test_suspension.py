"""A session locked on its workstation reads nothing (every call answers 401 `session_locked`,
the directory and the workspace list included), loses its sockets and connects none as its user;
only its own user's passkey unlocks it, with the key bundle as at sign-in; another person's
passkey is refused; the same user's other workstation is untouched; sign-out still works; the
sweep closes the sockets of a session locked while the message saying so was lost."""

from __future__ import annotations

import time
from typing import Any

from api.identity.sessions import COOKIE, token_hash
from api.realtime.channel import notify_users, socketio_of
from api.realtime.socket_sessions import sweep
from tests.api.conftest import database_of
from tests.api.identity.conftest import Organization, Person
from tests.api.identity.test_session_sockets import CHANGE, other_session

LOCKED_READS = ["/api/directory", "/api/workspaces", "/api/notifications", "/api/passkeys"]


def _resume(person: Person, signer: Person | None = None) -> Any:
    """POST /api/session/resume on `person`'s session with an assertion of `signer`'s passkey."""
    options = person.login_options()
    credential = (signer or person).authenticator.authenticate(options["publicKey"])
    return person.client.post("/api/session/resume", json={
        "challenge_id": options["challenge_id"], "credential": credential})


def _hears(organization: Organization, person: Person, socket: Any) -> bool:
    if not socket.is_connected():
        return False
    socket.get_received()
    notify_users(organization.app, [person.user_id], "workspace:changed", CHANGE)
    return any(message["name"] == "workspace:changed" for message in socket.get_received())


def _socket(organization: Organization, person: Person) -> Any:
    return socketio_of(organization.app).test_client(organization.app,
                                                     flask_test_client=person.client)


def test_a_locked_session_answers_401_session_locked_until_its_passkey_unlocks_it(organization):
    member = organization.member()
    assert member.client.get("/api/directory").status_code == 200

    assert member.client.post("/api/session/suspend").json == {"locked": True}

    for path in LOCKED_READS:
        response = member.client.get(path)
        assert response.status_code == 401, path
        assert response.json["error"]["code"] == "session_locked", path
    session = member.client.get("/api/session").json
    assert session["locked"] is True
    assert session["user"]["user_id"] == member.user_id

    reply = _resume(member)
    assert reply.status_code == 200, reply.json
    assert member.unlock(reply.json).user_id == member.user_id
    # An authenticator that does not evaluate this passkey's PRF finishes with the recovery code.
    assert reply.json["recovery_bundle"]
    assert member.client.get("/api/directory").status_code == 200
    assert member.client.get("/api/session").json["locked"] is False


def test_another_persons_passkey_cannot_unlock_a_locked_session(organization):
    member, other = organization.member(), organization.member()
    member.client.post("/api/session/suspend")

    refused = _resume(member, signer=other)

    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "other_user"
    assert member.client.get("/api/workspaces").json["error"]["code"] == "session_locked"


def test_locking_closes_that_sessions_sockets_only_and_none_reconnects_as_the_user(organization):
    member = organization.member()
    workstation = other_session(organization, member)
    locked, kept = _socket(organization, member), _socket(organization, workstation)
    assert _hears(organization, member, locked)

    member.client.post("/api/session/suspend")

    assert not locked.is_connected()
    assert _hears(organization, workstation, kept)
    assert workstation.client.get("/api/directory").status_code == 200
    reopened = _socket(organization, member)
    assert not _hears(organization, member, reopened)
    _resume(member)
    assert _hears(organization, member, _socket(organization, member))


def test_a_locked_session_can_still_sign_out_and_a_signed_out_one_cannot_lock(organization):
    member = organization.member()
    member.client.post("/api/session/suspend")

    assert member.client.post("/api/logout").status_code == 200

    assert member.client.get("/api/session").json == {"user": None}
    assert member.client.post("/api/session/suspend").status_code == 401
    assert _resume(member).json["error"]["code"] == "unauthenticated"


def test_the_sweep_closes_the_sockets_of_a_session_locked_while_the_message_was_lost(
        organization, config):
    member = organization.member()
    socket = _socket(organization, member)
    with database_of(config) as db:
        db.execute("update sessions set suspended_at = ? where token_hash = ?",
                   [time.time(), token_hash(member.client.get_cookie(COOKIE).value)])

    sweep(organization.app)

    assert not socket.is_connected()
    assert member.client.get("/api/directory").json["error"]["code"] == "session_locked"
