"""The live channel of an invitation: the server relays the SAS exchange between the admin
(greeter, signed in) and the invitee (claimer, holding the link), and nothing more.

Events (each acknowledged with {"ok": ...}):
  invitation:join   {role: "greeter", invitation_id} | {role: "claimer", token}
  invitation:relay  {payload}   -> the other side gets invitation:message {from, payload}
  invitation:abort  {reason}    -> both sides get invitation:aborted {reason, by}; the link dies
  invitation:mismatch {}        -> the code this side typed did not match: one try used; both
                                   sides get invitation:retry {by, tries_left} and start a fresh
                                   exchange, or, after the last try, invitation:aborted
                                   {reason: "sas_mismatch", by} and the link dies
A side whose socket goes away is announced to the other as invitation:peer_left {role}; it is
announced again by invitation:peer when it joins again, and the exchange starts afresh.
The payloads the pages relay, in order: claimer {type: ready}, greeter {type: hello},
claimer {type: hello}, greeter {type: reveal}, then claimer {type: confirmed, confirmation} once
the invitee typed the admin's code (at any time relative to the admin typing the invitee's code).
Reason "sas_mismatch" means the aborting side typed a code that did not match. A claimer joined
through a link the admin has since replaced (resent) is refused from then on.
The server cannot read anything secret here (only public keys, nonces and a signature travel),
cannot forge the exchange without the two people seeing different codes, and cannot forge the
invitee's confirmation, without which the admin's browser signs nothing (see
pycrypto_wasm/identity/sas.py for what a server can and cannot do).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import SocketIO, emit, join_room

from api.http.errors import ApiError
from api.identity.invitations import CODE_TRIES, OPEN, open_invitation
from api.realtime.channel import invitation_room, notify_invitation, on_disconnect
from api.realtime.socket_sessions import socket_user
from api.storage.pool import get_store

MAX_PAYLOAD_BYTES = 16384
ROLES = ("greeter", "claimer")


@dataclass(frozen=True)
class Membership:
    invitation_id: str
    role: str
    # The link a claimer joined with (empty for the greeter): refused once the link is replaced.
    token_hash: str = ""


def _refusal(error: ApiError) -> dict[str, Any]:
    return {"ok": False, "error": {"code": error.code, "message": error.message}}


def _members() -> dict[str, Membership]:
    return current_app.extensions.setdefault("paravent_invitation_members", {})


def _join(data: dict[str, Any]) -> Membership:
    role = data.get("role")
    if role == "greeter":
        user = socket_user()
        invitation = get_store().identity.invitation(str(data.get("invitation_id")))
        if user is None or user["profile"] != "admin":
            raise ApiError(403, "forbidden", "only a signed-in administrator can greet")
        if invitation is None or invitation["organization_id"] != user["organization_id"]:
            raise ApiError(404, "not_found", "no such invitation")
        if invitation["status"] not in ("pending", "registered"):
            raise ApiError(409, "invitation_used", "this invitation is no longer open")
    elif role == "claimer":
        invitation = open_invitation(str(data.get("token")), *OPEN)
        return Membership(invitation["id"], role, invitation["token_hash"])
    else:
        raise ApiError(400, "bad_request", f"role must be one of {ROLES}")
    return Membership(invitation["id"], role)


def _current(membership: Membership | None) -> Membership:
    """The sender's membership, if it still holds: joined, and (a claimer) by the live link."""
    if membership is None:
        raise ApiError(409, "not_joined", "join the invitation first")
    if membership.role == "claimer":
        invitation = get_store().identity.invitation(membership.invitation_id)
        if invitation is None or invitation["token_hash"] != membership.token_hash:
            raise ApiError(410, "invitation_resent", "this link was replaced by a newer one")
    return membership


def _cancel(invitation_id: str) -> bool:
    identity = get_store().identity
    return any([identity.update_invitation(invitation_id, status, status="cancelled")
                for status in OPEN])


def init_invitation_channel(app: Flask, socketio: SocketIO) -> None:
    @socketio.on("invitation:join")
    def join(data: Any) -> dict[str, Any]:
        try:
            membership = _join(data if isinstance(data, dict) else {})
        except ApiError as error:
            return _refusal(error)
        _members()[request.sid] = membership
        join_room(invitation_room(membership.invitation_id))
        emit("invitation:peer", {"role": membership.role},
             to=invitation_room(membership.invitation_id), include_self=False)
        return {"ok": True, "invitation_id": membership.invitation_id}

    @socketio.on("invitation:relay")
    def relay(data: Any) -> dict[str, Any]:
        payload = data.get("payload") if isinstance(data, dict) else None
        try:
            membership = _current(_members().get(request.sid))
        except ApiError as error:
            return _refusal(error)
        if not isinstance(payload, dict) or len(json.dumps(payload)) > MAX_PAYLOAD_BYTES:
            return _refusal(ApiError(400, "bad_request", "the payload must be a small object"))
        emit("invitation:message", {"from": membership.role, "payload": payload},
             to=invitation_room(membership.invitation_id), include_self=False)
        return {"ok": True}

    @socketio.on("invitation:abort")
    def abort(data: Any) -> dict[str, Any]:
        membership = _members().get(request.sid)
        if membership is None:
            return _refusal(ApiError(409, "not_joined", "join the invitation first"))
        reason = str(data.get("reason", "")) if isinstance(data, dict) else ""
        if not _cancel(membership.invitation_id):
            return _refusal(ApiError(409, "invitation_used",
                                     "this invitation is already completed or cancelled"))
        emit("invitation:aborted", {"reason": reason[:200], "by": membership.role},
             to=invitation_room(membership.invitation_id))
        return {"ok": True}

    @socketio.on("invitation:mismatch")
    def mismatch(_data: Any) -> dict[str, Any]:
        """The code this side typed did not match: a try is used; the last one cancels."""
        try:
            membership = _current(_members().get(request.sid))
        except ApiError as error:
            return _refusal(error)
        failed = get_store().identity.count_failed_check(membership.invitation_id, OPEN)
        if failed is None:
            return _refusal(ApiError(409, "invitation_used",
                                     "this invitation is already completed or cancelled"))
        room = invitation_room(membership.invitation_id)
        if failed < CODE_TRIES:
            emit("invitation:retry", {"by": membership.role, "tries_left": CODE_TRIES - failed},
                 to=room)
            return {"ok": True, "tries_left": CODE_TRIES - failed}
        _cancel(membership.invitation_id)
        emit("invitation:aborted", {"reason": "sas_mismatch", "by": membership.role}, to=room)
        return {"ok": True, "tries_left": 0}

    def forget(sid: str) -> None:
        membership = _members().pop(sid, None)
        if membership is not None:
            notify_invitation(app, membership.invitation_id, "invitation:peer_left",
                              {"role": membership.role})

    on_disconnect(app, forget)
