"""The invitation's live channel over Socket.IO: the admin (greeter, by session cookie) and the
invitee (claimer, by link) join; the server relays the SAS exchange between them and to nobody
else; either side can abort, which cancels the invitation."""

from __future__ import annotations

import pytest

from api.realtime.channel import socketio_of
from pycrypto_wasm.identity.sas import (
    ClaimerExchange,
    GreeterExchange,
    NotConfirmedError,
    SasMismatchError,
)
from tests.api.conftest import database_of
from tests.api.identity.conftest import bootstrap
from tests.api.identity.soft_authenticator import b64url, unb64url


def _wire(message):
    return {key: b64url(value) for key, value in message.items()}


def _unwire(payload):
    return {key: unb64url(value) for key, value in payload.items()}


def _messages(socket, name="invitation:message"):
    return [event["args"][0] for event in socket.get_received() if event["name"] == name]


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


def _relay(sender, receiver, message):
    """`sender` relays `message`; what `receiver` got, as bytes."""
    assert sender.emit("invitation:relay", {"payload": _wire(message)}, callback=True) == {
        "ok": True}
    (received,) = _messages(receiver)
    return _unwire(received["payload"])


def _exchange_over_channel(organization, channel, invitee):
    """The SAS exchange of `invitee`'s browser with the admin's, relayed by the server."""
    greeter_socket, claimer_socket, _, _ = channel
    root = organization.root_verify_key
    keys = invitee.person.bundle
    greeter = GreeterExchange(root, organization.admin.signing_key.verify_key.key)
    claimer = ClaimerExchange(root, keys.signing_key.verify_key.key,
                              keys.encryption_key.public_key.key)
    hello = _relay(greeter_socket, claimer_socket, greeter.hello())
    answer = _relay(claimer_socket, greeter_socket, claimer.hello(hello))
    claimer.receive_reveal(_relay(greeter_socket, claimer_socket, greeter.reveal(answer)))
    greeter_socket.get_received()
    return greeter, claimer


def test_channel_sas_exchange_gives_both_sides_the_same_codes(organization, channel):
    invitee = organization.claim(*channel[2:])
    greeter, claimer = _exchange_over_channel(organization, channel, invitee)
    assert greeter.codes() == claimer.codes()


def _invitee_confirms(invitee, channel, greeter, claimer):
    """The invitee types the admin's code; its signed confirmation reaches the admin's browser
    over the channel."""
    greeter_socket, claimer_socket, _, _ = channel
    confirmation = claimer.confirm_code(greeter.codes()[0].lower(),
                                        invitee.person.bundle.signing_key)
    greeter.receive_confirmation(_relay(claimer_socket, greeter_socket, confirmation))


def _wrong(code):
    return "ZZZZ" if code != "ZZZZ" else "YYYY"


@pytest.mark.parametrize("admin_first", [True, False], ids=["admin-first", "invitee-first"])
def test_channel_certificate_only_after_both_confirmed(organization, channel, admin_first):
    """In either order, the admin's browser holds the invitee's keys back until both typed
    the other's code; then the certificate of exactly those keys completes the invitation, and
    the invitee's link signs them in."""
    _, claimer_socket, token, invitation_id = channel
    invitee = organization.claim(token, invitation_id)
    greeter, claimer = _exchange_over_channel(organization, channel, invitee)

    def admin_confirms():
        greeter.confirm_code(claimer.codes()[1])

    def invitee_confirms():
        _invitee_confirms(invitee, channel, greeter, claimer)

    first, second = (admin_confirms, invitee_confirms) if admin_first else (
        invitee_confirms, admin_confirms)
    first()
    with pytest.raises(NotConfirmedError):
        greeter.confirmed_claimer_keys()
    second()
    verify_key, public_key = greeter.confirmed_claimer_keys()
    filed = organization.complete(invitee, organization.certify(
        invitee, verify_key=verify_key, public_key=public_key))
    assert filed.status_code == 200, filed.json
    assert "invitation:completed" in [e["name"] for e in claimer_socket.get_received()]
    finished = invitee.person.client.post(f"/api/join/{token}/finish")
    assert finished.status_code == 200, finished.json
    assert invitee.person.session_user()["user_id"] == invitee.person.user_id


@pytest.mark.parametrize("wrong_side", ["invitee", "admin"])
def test_channel_wrong_code_on_either_side_aborts_for_both(organization, channel, wrong_side):
    greeter_socket, claimer_socket, token, invitation_id = channel
    invitee = organization.claim(token, invitation_id)
    greeter, claimer = _exchange_over_channel(organization, channel, invitee)
    if wrong_side == "invitee":
        greeter.confirm_code(claimer.codes()[1])
        with pytest.raises(SasMismatchError):
            claimer.confirm_code(_wrong(greeter.codes()[0]), invitee.person.bundle.signing_key)
        aborting = claimer_socket
    else:
        _invitee_confirms(invitee, channel, greeter, claimer)
        with pytest.raises(SasMismatchError):
            greeter.confirm_code(_wrong(claimer.codes()[1]))
        aborting = greeter_socket
    assert aborting.emit("invitation:abort", {"reason": "sas_mismatch"}, callback=True) == {
        "ok": True}
    told = [{"reason": "sas_mismatch", "by": "claimer" if wrong_side == "invitee" else "greeter"}]
    assert _messages(greeter_socket, "invitation:aborted") == told
    assert _messages(claimer_socket, "invitation:aborted") == told
    with pytest.raises(NotConfirmedError):
        greeter.confirmed_claimer_keys()
    late = organization.complete(invitee, organization.certify(invitee))
    assert (late.status_code, late.json["error"]["code"]) == (409, "invitation_not_ready")
    finished = invitee.person.client.post(f"/api/join/{token}/finish")
    assert finished.json["error"]["code"] == "invitation_cancelled"


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
