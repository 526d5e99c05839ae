"""The freshness question over Socket.IO: a browser that remembers no head of a workspace asks
the members online for theirs; the server only relays, between members of that workspace, and
reads nothing it relays (a nonce out, a signed answer back; the answer is checked in the
asking browser, against the answerer's certificate, never here).

Events (acknowledged with {"ok": ...}):
  freshness:ask     {workspace_id, nonce}            ask the workspace's members
  freshness:answer  {workspace_id, asker, answer}    answer a member's question
Members receive freshness:asked {workspace_id, nonce, asker} on their user room; the asker
receives freshness:answered {workspace_id, answerer, answer} on theirs. Both sides must be
members of the workspace as the server's tables say (a server that lies here can only stall:
the answer is signed).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from api.realtime.channel import notify_users
from api.storage.pool import get_store
from api.workspaces.presence import _member as socket_member

NONCE = re.compile(r"^[A-Za-z0-9_\-+/=]{40,48}$")
ANSWER = re.compile(r"^[A-Za-z0-9_\-+/=]{100,2000}$")
USER_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
REFUSED = {"ok": False, "error": {"code": "not_found", "message": "not a member"}}
BAD = {"ok": False, "error": {"code": "bad_request",
                              "message": "a freshness event needs its workspace, nonce or answer"}}


def _text(data: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def init_freshness_relay(app: Flask, socketio: SocketIO) -> None:
    @socketio.on("freshness:ask")
    def _ask(data: Any) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        asker = socket_member(data.get("workspace_id"))
        if asker is None:
            return REFUSED
        nonce = _text(data, "nonce", NONCE)
        if nonce is None:
            return BAD
        workspace_id = data["workspace_id"]
        # The asker's own user room too: their other browsers may remember the workspace.
        members = [member["user_id"] for member in get_store().workspaces.members(workspace_id)]
        notify_users(app, members, "freshness:asked",
                     {"workspace_id": workspace_id, "nonce": nonce, "asker": asker})
        return {"ok": True, "asked": len(members)}

    @socketio.on("freshness:answer")
    def _answer(data: Any) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        answerer = socket_member(data.get("workspace_id"))
        if answerer is None:
            return REFUSED
        asker, answer = _text(data, "asker", USER_ID), _text(data, "answer", ANSWER)
        if asker is None or answer is None:
            return BAD
        workspace_id = data["workspace_id"]
        if get_store().workspaces.membership(workspace_id, asker) is None:
            return REFUSED
        notify_users(app, [asker], "freshness:answered",
                     {"workspace_id": workspace_id, "answerer": answerer, "answer": answer})
        return {"ok": True}
