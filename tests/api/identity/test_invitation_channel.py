"""The invitation's live channel over Socket.IO: the admin (greeter, by session cookie) and the
invitee (claimer, by link) join; the server relays the SAS exchange between them and to nobody
else; either side can abort, which cancels the invitation."""

from __future__ import annotations

import pytest

from api.realtime import socketio_of
from pycrypto_wasm.identity.keybundle import KeyBundle
from pycrypto_wasm.identity.sas import ClaimerExchange, GreeterExchange
from tests.api.conftest import database_of
from tests.api.identity.conftest import bootstrap
from tests.api.identity.soft_authenticator import b64url, unb64url


def _wire(message):
    return {key: b64url(value) for key, value in message.items()}


def _unwire(payload):
    return {key: unb64url(value) for key, value in payload.items()}


def _messages(socket, name="invitation:message"):
    return [event["args"][0] for event in socket.get_received() if event["name"] == name]


@pytest.fixture
def channel(organization, app):
    """An open invitation with the greeter and the claimer joined."""
    token, invitation_id = organization.invite()
    socketio = socketio_of(app)
    greeter = socketio.test_client(app, flask_test_client=organization.admin.client)
    claimer = socketio.test_client(app)
    joined = greeter.emit("invitation:join", {"role": "greeter", "invitation_id": invitation_id},
                          callback=True)
    assert joined == {"ok": True, "invitation_id": invitation_id}
    assert claimer.emit("invitation:join", {"role": "claimer", "token": token},
                        callback=True)["ok"]
    assert [e["args"][0] for e in greeter.get_received() if e["name"] == "invitation:peer"] == [
        {"role": "claimer"}]
    claimer.get_received()
    yield greeter, claimer, token, invitation_id
    for socket in (greeter, claimer):
        if socket.is_connected():
            socket.disconnect()


def test_channel_relays_to_the_other_side_only(organization, app, channel):
    greeter, claimer, _, _ = channel
    other_token, _ = organization.invite(email="autre@chu.example")
    outsider = socketio_of(app).test_client(app)
    assert outsider.emit("invitation:join", {"role": "claimer", "token": other_token},
                         callback=True)["ok"]
    outsider.get_received()
    assert claimer.emit("invitation:relay", {"payload": {"step": "ready"}},
                        callback=True) == {"ok": True}
    assert _messages(greeter) == [{"from": "claimer", "payload": {"step": "ready"}}]
    assert _messages(claimer) == []
    assert outsider.get_received() == []
    greeter.emit("invitation:relay", {"payload": {"step": "hello"}}, callback=True)
    assert _messages(claimer) == [{"from": "greeter", "payload": {"step": "hello"}}]
    assert _messages(greeter) == [] and outsider.get_received() == []
    outsider.disconnect()


def test_channel_sas_exchange_gives_both_sides_the_same_codes(organization, channel):
    greeter_socket, claimer_socket, _, _ = channel
    root = organization.root_verify_key
    keys = KeyBundle.generate(organization.organization_id, "u-newcomer", root)
    greeter = GreeterExchange(root, organization.admin.signing_key.verify_key.key)
    claimer = ClaimerExchange(root, keys.signing_key.verify_key.key,
                              keys.encryption_key.public_key.key)
    greeter_socket.emit("invitation:relay", {"payload": _wire(greeter.hello())}, callback=True)
    (hello,) = _messages(claimer_socket)
    claimer_socket.emit("invitation:relay",
                        {"payload": _wire(claimer.hello(_unwire(hello["payload"])))},
                        callback=True)
    (answer,) = _messages(greeter_socket)
    greeter_socket.emit("invitation:relay",
                        {"payload": _wire(greeter.reveal(_unwire(answer["payload"])))},
                        callback=True)
    (reveal,) = _messages(claimer_socket)
    claimer.receive_reveal(_unwire(reveal["payload"]))
    assert greeter.codes() == claimer.codes()


def test_channel_abort_cancels_invitation_and_tells_both(organization, channel):
    greeter, claimer, token, invitation_id = channel
    assert claimer.emit("invitation:abort", {"reason": "codes differ"},
                        callback=True) == {"ok": True}
    expected = [{"reason": "codes differ", "by": "claimer"}]
    assert _messages(greeter, "invitation:aborted") == expected
    assert _messages(claimer, "invitation:aborted") == expected
    link = organization.person().client.get(f"/api/join/{token}")
    assert (link.status_code, link.json["error"]["code"]) == (410, "invitation_cancelled")
    served = organization.admin.client.get(f"/api/invitations/{invitation_id}").json
    assert served["invitation"]["status"] == "cancelled"


def test_channel_admin_cancel_tells_both(organization, channel):
    greeter, claimer, _, invitation_id = channel
    organization.admin.client.delete(f"/api/invitations/{invitation_id}")
    for socket in (greeter, claimer):
        assert _messages(socket, "invitation:aborted") == [
            {"reason": "cancelled by the administrator"}]


def test_channel_registration_and_completion_are_announced(organization, channel):
    greeter, claimer, token, invitation_id = channel
    invitee = organization.claim(token, invitation_id)
    assert [e["name"] for e in greeter.get_received()] == ["invitation:registered"]
    organization.exchange_codes(invitee)
    assert organization.complete(invitee, organization.certify(invitee)).status_code == 200
    assert "invitation:completed" in [e["name"] for e in claimer.get_received()]


def test_channel_join_refusals(organization, app):
    token, invitation_id = organization.invite()
    socketio = socketio_of(app)
    anonymous = socketio.test_client(app)
    refused = anonymous.emit("invitation:join",
                             {"role": "greeter", "invitation_id": invitation_id}, callback=True)
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    member = organization.member()
    as_member = socketio.test_client(app, flask_test_client=member.client)
    refused = as_member.emit("invitation:join",
                             {"role": "greeter", "invitation_id": invitation_id}, callback=True)
    assert refused["error"]["code"] == "forbidden"
    bad_link = anonymous.emit("invitation:join", {"role": "claimer", "token": "nope"},
                              callback=True)
    assert bad_link["error"]["code"] == "unknown_invitation"
    bad_role = anonymous.emit("invitation:join", {"role": "admin"}, callback=True)
    assert bad_role["error"]["code"] == "bad_request"
    not_joined = anonymous.emit("invitation:relay", {"payload": {"x": 1}}, callback=True)
    assert not_joined["error"]["code"] == "not_joined"
    not_joined = anonymous.emit("invitation:abort", {"reason": "x"}, callback=True)
    assert not_joined["error"]["code"] == "not_joined"
    assert organization.person().client.get(f"/api/join/{token}").status_code == 200
    anonymous.disconnect()
    as_member.disconnect()


def test_channel_oversized_or_malformed_payload_is_refused(channel):
    greeter, claimer, _, _ = channel
    too_big = claimer.emit("invitation:relay", {"payload": {"x": "a" * 20000}}, callback=True)
    assert too_big["error"]["code"] == "bad_request"
    not_object = claimer.emit("invitation:relay", {"payload": "text"}, callback=True)
    assert not_object["error"]["code"] == "bad_request"
    assert _messages(greeter) == []


def test_channel_greeter_of_another_organization_is_refused(organization, app):
    other = bootstrap(app, "Autre Clinique")
    _, invitation_id = organization.invite()
    socket = socketio_of(app).test_client(app, flask_test_client=other.admin.client)
    refused = socket.emit("invitation:join", {"role": "greeter", "invitation_id": invitation_id},
                          callback=True)
    assert refused["error"]["code"] == "not_found"
    socket.disconnect()


def test_channel_abort_after_completion_is_refused(organization, channel):
    greeter, claimer, token, invitation_id = channel
    invitee = organization.claim(token, invitation_id)
    organization.exchange_codes(invitee)
    assert organization.complete(invitee, organization.certify(invitee)).status_code == 200
    late = claimer.emit("invitation:abort", {"reason": "too late"}, callback=True)
    assert late["error"]["code"] == "invitation_used"
    assert _messages(greeter, "invitation:aborted") == []


def test_channel_completion_after_expiry_is_refused(organization, channel, config):
    _, _, token, invitation_id = channel
    invitee = organization.claim(token, invitation_id)
    organization.exchange_codes(invitee)
    with database_of(config) as db:
        db.execute("update invitations set expires_at = 0 where id = ?", [invitation_id])
    response = organization.complete(invitee, organization.certify(invitee))
    assert (response.status_code, response.json["error"]["code"]) == (410, "invitation_expired")
