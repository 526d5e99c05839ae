"""A session that ends (sign-out, idle expiry, absolute expiry) takes its sockets with it, on
every server process, while the same user's other session (another workstation) keeps its own;
a socket opened with an ended session's cookie hears nothing of the user."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
import simple_websocket

from api.identity.sessions import COOKIE, token_hash
from api.realtime.channel import notify_users, socketio_of
from api.realtime.socket_sessions import sweep
from e2e.harness.server import ServerProcess
from tests.api.conftest import database_of, same_origin_client
from tests.api.identity.conftest import Organization, Person, bootstrap, make_app

CHANGE = {"workspace_id": "w-" + "0" * 24}


def other_session(organization: Organization, person: Person) -> Person:
    """The same user signed in on another workstation."""
    workstation = Person(same_origin_client(organization.app), person.authenticator,
                         user_id=person.user_id)
    assert workstation.login().status_code == 200
    return workstation


def _socket(organization: Organization, person: Person):
    socket = socketio_of(organization.app).test_client(organization.app,
                                                       flask_test_client=person.client)
    assert socket.is_connected()
    return socket


def _hears_the_user(organization: Organization, person: Person, socket) -> bool:
    """Whether `socket` receives an event sent to `person`'s user."""
    if not socket.is_connected():
        return False
    socket.get_received()
    notify_users(organization.app, [person.user_id], "workspace:changed", CHANGE)
    return any(message["name"] == "workspace:changed" for message in socket.get_received())


def _session_hash(person: Person) -> str:
    return token_hash(person.client.get_cookie(COOKIE).value)


def _set_session(config, person: Person, **columns: float) -> None:
    assignments = ", ".join(f"{name} = ?" for name in columns)
    with database_of(config) as db:
        db.execute(f"update sessions set {assignments} where token_hash = ?",
                   [*columns.values(), _session_hash(person)])


def test_sign_out_closes_that_sessions_sockets_only(organization):
    member = organization.member()
    workstation = other_session(organization, member)
    ended, kept = _socket(organization, member), _socket(organization, workstation)
    assert _hears_the_user(organization, member, ended)
    cookie = member.client.get_cookie(COOKIE).value

    assert member.client.post("/api/logout").status_code == 200

    assert not ended.is_connected()
    assert kept.is_connected()
    assert _hears_the_user(organization, workstation, kept)
    replayed = same_origin_client(organization.app)
    replayed.set_cookie(COOKIE, cookie)
    reopened = socketio_of(organization.app).test_client(organization.app,
                                                         flask_test_client=replayed)
    assert not _hears_the_user(organization, member, reopened)
    assert reopened.emit("presence:view", {"workspace_id": CHANGE["workspace_id"],
                                           "dossier_id": None}, callback=True)["ok"] is False


@pytest.mark.parametrize("expiry", ["idle", "absolute"])
def test_the_sweep_closes_the_sockets_of_an_expired_session_only(organization, config, expiry):
    member = organization.member()
    workstation = other_session(organization, member)
    expired, kept = _socket(organization, member), _socket(organization, workstation)
    past = time.time() - config.session_idle_seconds - 1
    _set_session(config, member, **({"last_seen_at": past} if expiry == "idle"
                                    else {"expires_at": time.time() - 1}))

    sweep(organization.app)

    assert not expired.is_connected()
    assert _hears_the_user(organization, workstation, kept)
    assert member.session_user() is None


@pytest.mark.parametrize("expiry", ["session_idle_seconds", "session_absolute_seconds"])
def test_an_event_on_an_expired_session_is_refused_and_closes_it(config, expiry):
    organization = bootstrap(make_app(config, **{expiry: 2}))
    member = organization.member()
    expiring = _socket(organization, member)
    time.sleep(2.2)
    workstation = other_session(organization, member)
    kept = _socket(organization, workstation)

    reply = expiring.emit("presence:view", {"workspace_id": CHANGE["workspace_id"],
                                            "dossier_id": None}, callback=True)

    assert reply["ok"] is False
    assert not expiring.is_connected()
    assert _hears_the_user(organization, workstation, kept)


@contextlib.contextmanager
def _served_elsewhere(config, redis_url: str) -> Iterator[ServerProcess]:
    database = ("--database", config.database) if config.database else ()
    server = ServerProcess(config.data_dir, port=config.port,
                           flags=("--message-queue", redis_url, *database)).start()
    try:
        yield server
    finally:
        server.stop()


def _websocket(server: ServerProcess, person: Person) -> simple_websocket.Client:
    cookie = person.client.get_cookie(COOKIE).value
    socket = simple_websocket.Client.connect(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        headers={"Cookie": f"{COOKIE}={cookie}"})
    socket.send("40")
    while not str(socket.receive(timeout=10)).startswith("40"):
        pass
    return socket


def _receive(socket: simple_websocket.Client) -> str | None:
    """The next packet within a second, Engine.IO's pings answered as a page's client does
    (unanswered, the server would close the socket after its ping timeout)."""
    message = socket.receive(timeout=1)
    if message == "2":
        socket.send("3")
    return None if message is None else str(message)


def _received_until_disconnected(socket: simple_websocket.Client) -> list[str]:
    """The packets received until the server disconnects the socket ("41": Socket.IO's
    disconnection of the namespace; the page's client then closes the WebSocket)."""
    received: list[str] = []
    deadline = time.monotonic() + 10
    with contextlib.suppress(simple_websocket.ConnectionClosed):
        while "41" not in received and time.monotonic() < deadline:
            message = _receive(socket)
            if message is not None:
                received.append(message)
    return received


def _hears_over_redis(organization: Organization, person: Person,
                      socket: simple_websocket.Client, seconds: float) -> bool:
    """Whether `socket` receives, within `seconds`, an event sent to `person`'s user by the
    other process (through Redis)."""
    notify_users(organization.app, [person.user_id], "workspace:changed", CHANGE)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        message = _receive(socket)
        if message is not None and "workspace:changed" in message:
            return True
    return False


@pytest.mark.parametrize("end", ["sign-out", "idle expiry"])
def test_a_session_ended_on_one_process_closes_its_sockets_on_another(config, redis_url, end):
    """The sockets are held by a server process; the session ends through another."""
    organization = bootstrap(make_app(config, message_queue=redis_url))
    member = organization.member()
    workstation = other_session(organization, member)
    with _served_elsewhere(config, redis_url) as server:
        ended, kept = _websocket(server, member), _websocket(server, workstation)
        if end == "sign-out":
            assert member.client.post("/api/logout").status_code == 200
        else:
            _set_session(config, member, last_seen_at=time.time() - config.session_idle_seconds
                         - 1)
            assert member.session_user() is None
        received = _received_until_disconnected(ended)
        assert _hears_over_redis(organization, workstation, kept, seconds=20)
        assert not _hears_over_redis(organization, member, ended, seconds=3)
    reason = "signed_out" if end == "sign-out" else "expired"
    assert received[-2:] == [f'42["session:ended",{{"reason":"{reason}"}}]', "41"]
