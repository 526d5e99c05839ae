"""The live channel of an invitation: the server relays the SAS exchange between the admin
(greeter, signed in) and the invitee (claimer, holding the link), and nothing more.

Events (each acknowledged with {"ok": ...}):
  invitation:join   {role: "greeter", invitation_id} | {role: "claimer", token}
  invitation:relay  {payload}   -> the other side gets invitation:message {from, payload}
  invitation:abort  {reason}    -> both sides get invitation:aborted {reason, by}; the link dies
The payloads the pages relay, in order: claimer {type: ready}, greeter {type: hello},
claimer {type: hello}, greeter {type: reveal}, then claimer {type: confirmed, confirmation} once
the invitee typed the admin's code (at any time relative to the admin typing the invitee's code).
Reason "sas_mismatch" means the aborting side typed a code that did not match.
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
from api.identity.invitations import open_invitation
from api.identity.sessions import COOKIE, session_user
from api.realtime.channel import invitation_room, on_disconnect
from api.storage.pool import get_store

MAX_PAYLOAD_BYTES = 16384
ROLES = ("greeter", "claimer")


@dataclass(frozen=True)
class Membership:
    invitation_id: str
    role: str


def _refusal(error: ApiError) -> dict[str, Any]:
    return {"ok": False, "error": {"code": error.code, "message": error.message}}


def _members() -> dict[str, Membership]:
    return current_app.extensions.setdefault("paravent_invitation_members", {})


def _join(data: dict[str, Any]) -> Membership:
    role = data.get("role")
    if role == "greeter":
        user = session_user(request.cookies.get(COOKIE))
        invitation = get_store().identity.invitation(str(data.get("invitation_id")))
        if user is None or user["profile"] != "admin":
            raise ApiError(403, "forbidden", "only a signed-in administrator can greet")
        if invitation is None or invitation["organization_id"] != user["organization_id"]:
            raise ApiError(404, "not_found", "no such invitation")
        if invitation["status"] not in ("pending", "registered"):
            raise ApiError(409, "invitation_used", "this invitation is no longer open")
    elif role == "claimer":
        invitation = open_invitation(str(data.get("token")), "pending", "registered")
    else:
        raise ApiError(400, "bad_request", f"role must be one of {ROLES}")
    return Membership(invitation["id"], role)


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
        membership = _members().get(request.sid)
        payload = data.get("payload") if isinstance(data, dict) else None
        if membership is None:
            return _refusal(ApiError(409, "not_joined", "join the invitation first"))
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
        identity = get_store().identity
        cancelled = [identity.update_invitation(membership.invitation_id, status,
                                                status="cancelled")
                     for status in ("pending", "registered")]
        if not any(cancelled):
            return _refusal(ApiError(409, "invitation_used",
                                     "this invitation is already completed or cancelled"))
        emit("invitation:aborted", {"reason": reason[:200], "by": membership.role},
             to=invitation_room(membership.invitation_id))
        return {"ok": True}

    on_disconnect(app, lambda sid: _members().pop(sid, None))
