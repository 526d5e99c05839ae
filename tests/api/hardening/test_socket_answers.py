"""Every Socket.IO event is answered, malformed or not, with an acknowledgement that carries a
clear error; presence re-checks membership on every event."""

from __future__ import annotations

import json

import pytest

from api.realtime.channel import socketio_of
from api.realtime.socket_events import event_table

DOSSIER_ID = "d-" + "2" * 24
DEEP = 100_000


def raw_emit(socket, text: str):
    """Emit an event packet whose JSON text is `text` as it is (the test client would
    re-encode it), with an acknowledgement requested; the acknowledgement, or None."""
    socket.callback_counter += 1
    socket.socketio.server._handle_eio_message(socket.eio_sid,
                                               f"2{socket.callback_counter}{text}")
    ack, socket.acks = socket.acks, None
    return None if ack is None else ack["args"][0]


def _refused(reply, code="bad_request"):
    assert isinstance(reply, dict), reply
    assert reply["ok"] is False
    assert reply["error"]["code"] == code
    assert reply["error"]["message"]


@pytest.fixture
def socket(app, organization):
    return socketio_of(app).test_client(app, flask_test_client=organization.admin.client)


def test_socket_server_info_with_an_argument_is_answered(socket):
    _refused(socket.emit("server_info", {"surprise": 1}, callback=True))
    assert socket.emit("server_info", callback=True)["version"]


@pytest.mark.parametrize("payload", [
    "[" * DEEP + "]" * DEEP,
    '{"a":' * DEEP + "1" + "}" * DEEP,
    '"\\udc00"',
    '{"role": "claimer", "token": "a\\u0000b"}',
    '{"workspace_id": "w-\\u0000", "dossier_id": null}',
    str(2**64),
])
def test_socket_every_event_answers_a_malformed_payload(app, socket, payload):
    events = event_table(socketio_of(app))
    assert {"server_info", "presence:view", "invitation:join"} <= set(events)
    for event in events:
        _refused(raw_emit(socket, f'["{event}",{payload}]'))


@pytest.mark.parametrize("args", [(), (None,), (7,), ([],), ("x",), ({},), ({"token": {}},),
                                  ({"role": "claimer", "token": "nope"},), (1, 2)])
def test_socket_every_event_answers_odd_arguments(app, socket, args):
    for event in event_table(socketio_of(app)):
        reply = socket.emit(event, *args, callback=True)
        assert isinstance(reply, dict), (event, args, reply)
        assert reply.get("ok") is not False or reply["error"]["code"] != "internal_error"


def test_socket_bad_invitation_token_is_answered(socket):
    reply = raw_emit(socket, json.dumps(["invitation:join", {"role": "claimer",
                                                            "token": "x" * 5000}]))
    _refused(reply, "unknown_invitation")


def test_socket_removed_member_can_no_longer_send_presence(app, organization, workspace):
    reader, leaving = workspace.add("reader"), workspace.add("contributor")
    socketio = socketio_of(app)
    watcher = socketio.test_client(app, flask_test_client=reader.person.client)
    removed = socketio.test_client(app, flask_test_client=leaving.person.client)
    place = {"workspace_id": workspace.workspace_id, "dossier_id": DOSSIER_ID}
    assert watcher.emit("presence:view", place, callback=True)["ok"]
    assert removed.emit("presence:view", place, callback=True)["ok"]
    assert workspace.unshare(leaving).status_code == 200
    watcher.get_received()
    _refused(removed.emit("presence:typing", {"dossier_id": DOSSIER_ID}, callback=True),
             "not_found")
    changes = [e["args"][0] for e in watcher.get_received() if e["name"] == "presence:changed"]
    assert all(leaving.person.user_id not in users
               for change in changes for users in change["typing"].values())
    assert changes[-1]["viewers"] == {DOSSIER_ID: [reader.person.user_id]}
    _refused(removed.emit("presence:view", place, callback=True), "not_found")
