"""Invitations an admin can manage and an invitee can come back to: the open ones listed with
where they stand, a new link that retires the old one, an invitee who left restarting from their
link, a code check that fails used as a try (a fresh exchange each time, the last try cancels),
and each side told when the other leaves the page."""

from __future__ import annotations

import pytest

from api.identity.invitations import CODE_TRIES
from api.realtime.channel import socketio_of
from pycrypto_wasm.identity.sas import SasMismatchError
from tests.api.identity.test_invitation_channel import (
    _exchange_over_channel,
    _invitee_confirms,
    _messages,
    _wrong,
)


def _error(response):
    return response.status_code, response.json["error"]["code"]


def _open(organization):
    listed = organization.admin.client.get("/api/invitations?state=open")
    assert listed.status_code == 200, listed.json
    return {row["invitation_id"]: row for row in listed.json["invitations"]}


def test_open_invitations_say_where_each_stands(organization):
    _, waiting_id = organization.invite(email="a@chu.example")
    opened_token, opened_id = organization.invite(email="b@chu.example")
    registered_token, registered_id = organization.invite(email="c@chu.example")
    cancelled_id = organization.invite(email="d@chu.example")[1]
    organization.admin.client.delete(f"/api/invitations/{cancelled_id}")
    organization.person().client.get(f"/api/join/{opened_token}")
    organization.claim(registered_token, registered_id)

    listed = _open(organization)
    assert set(listed) == {waiting_id, opened_id, registered_id}
    assert listed[waiting_id]["status"] == "pending" and listed[waiting_id]["opened_at"] is None
    assert listed[opened_id]["status"] == "pending" and listed[opened_id]["opened_at"] > 0
    assert listed[registered_id]["status"] == "registered"
    assert all(row["tries_left"] == CODE_TRIES and row["created_at"] > 0
               for row in listed.values())
    every = organization.admin.client.get("/api/invitations").json["invitations"]
    assert cancelled_id in {row["invitation_id"] for row in every}
    assert _error(organization.admin.client.get("/api/invitations?state=later")) == (
        400, "bad_request")
    assert _error(organization.member().client.get("/api/invitations?state=open"))[0] == 403


def test_resent_link_replaces_the_old_one(organization, channel):
    _, claimer, old_token, invitation_id = channel
    resent = organization.admin.client.post(f"/api/invitations/{invitation_id}/resend")
    assert resent.status_code == 200, resent.json
    new_token = resent.json["token"]
    assert new_token != old_token and resent.json["invitation"]["opened_at"] is None
    assert "invitation:resent" in [event["name"] for event in claimer.get_received()]
    # The page still open on the old link can no longer take part; the old link is unknown.
    refused = claimer.emit("invitation:relay", {"payload": {"type": "ready"}}, callback=True)
    assert refused["error"]["code"] == "invitation_resent"
    assert _error(organization.person().client.get(f"/api/join/{old_token}")) == (
        404, "unknown_invitation")
    assert organization.person().client.get(f"/api/join/{new_token}").status_code == 200
    invitee = organization.claim(new_token, invitation_id)
    organization.exchange_codes(invitee)
    assert organization.complete(invitee, organization.certify(invitee)).status_code == 200
    gone = organization.admin.client.post(f"/api/invitations/{invitation_id}/resend")
    assert _error(gone) == (409, "invitation_used")


def test_invitee_who_left_restarts_from_the_same_link(organization, channel):
    greeter, _, token, invitation_id = channel
    left = organization.claim(token, invitation_id)
    organization.exchange_codes(left)
    signed_before = organization.certify(left)
    greeter.get_received()
    restarted = left.person.client.post(f"/api/join/{token}/restart")
    assert restarted.status_code == 200, restarted.json
    assert restarted.json["invitation"]["status"] == "pending"
    assert restarted.json["invitation"]["claimer_verify_key"] is None
    assert "invitation:restarted" in [event["name"] for event in greeter.get_received()]
    # A certificate of the keys registered before is refused: they are forgotten.
    stale = organization.complete(left, signed_before)
    assert _error(stale) == (409, "invitation_not_ready")
    back = organization.claim(token, invitation_id)
    assert back.person.user_id == left.person.user_id
    organization.exchange_codes(back)
    assert organization.complete(back, organization.certify(back)).status_code == 200
    assert _error(back.person.client.post(f"/api/join/{token}/restart")) == (
        409, "invitation_used")


def test_restart_of_an_invitation_not_registered_is_refused(organization):
    token, _ = organization.invite()
    assert _error(organization.person().client.post(f"/api/join/{token}/restart")) == (
        409, "invitation_used")


def test_a_mismatch_is_a_try_and_a_fresh_exchange_can_still_succeed(organization, channel):
    greeter_socket, claimer_socket, token, invitation_id = channel
    invitee = organization.claim(token, invitation_id)
    greeter, claimer = _exchange_over_channel(organization, channel, invitee)
    with pytest.raises(SasMismatchError):
        greeter.confirm_code(_wrong(claimer.codes()[1]))
    assert greeter_socket.emit("invitation:mismatch", {}, callback=True) == {
        "ok": True, "tries_left": CODE_TRIES - 1}
    told = [{"by": "greeter", "tries_left": CODE_TRIES - 1}]
    assert _messages(greeter_socket, "invitation:retry") == told
    assert _messages(claimer_socket, "invitation:retry") == told
    # A fresh exchange: new nonces, so new codes; this time both read them right.
    fresh_greeter, fresh_claimer = _exchange_over_channel(organization, channel, invitee)
    assert fresh_greeter.codes() != greeter.codes()
    fresh_greeter.confirm_code(fresh_claimer.codes()[1])
    _invitee_confirms(invitee, channel, fresh_greeter, fresh_claimer)
    assert fresh_greeter.confirmed_claimer_keys()
    assert organization.complete(invitee, organization.certify(invitee)).status_code == 200


def test_the_last_try_cancels_for_both(organization, channel):
    greeter_socket, claimer_socket, token, _ = channel
    for left in range(CODE_TRIES - 1, 0, -1):
        sender = claimer_socket if left % 2 else greeter_socket
        assert sender.emit("invitation:mismatch", {}, callback=True)["tries_left"] == left
    assert claimer_socket.emit("invitation:mismatch", {}, callback=True) == {
        "ok": True, "tries_left": 0}
    told = [{"reason": "sas_mismatch", "by": "claimer"}]
    assert _messages(greeter_socket, "invitation:aborted") == told
    assert _messages(claimer_socket, "invitation:aborted") == told
    assert _error(organization.person().client.get(f"/api/join/{token}")) == (
        410, "invitation_cancelled")
    late = greeter_socket.emit("invitation:mismatch", {}, callback=True)
    assert late["error"]["code"] == "invitation_used"


def test_each_side_is_told_when_the_other_leaves_and_comes_back(organization, app, channel):
    greeter_socket, claimer_socket, token, _ = channel
    claimer_socket.disconnect()
    assert _messages(greeter_socket, "invitation:peer_left") == [{"role": "claimer"}]
    back = socketio_of(app).test_client(app)
    assert back.emit("invitation:join", {"role": "claimer", "token": token},
                     callback=True)["ok"]
    assert _messages(greeter_socket, "invitation:peer") == [{"role": "claimer"}]
    greeter_socket.disconnect()
    assert _messages(back, "invitation:peer_left") == [{"role": "greeter"}]
    back.disconnect()
