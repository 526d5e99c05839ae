"""Presence over Socket.IO: who is viewing which dossier of a workspace right now, and who is
typing a comment there. Only user and dossier ids travel; members of the workspace are told.

Events (acknowledged with {"ok": ...}):
  presence:view    {workspace_id, dossier_id | null}   I am looking at this dossier (or none)
  presence:typing  {workspace_id, dossier_id}          I am typing a comment (lasts a few seconds)
Members receive presence:changed {workspace_id, viewers: {dossier: [users]}, typing: {...}}.
Kept in this process's memory (one server process; several would share it through Redis).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO

from api.identity.sessions import COOKIE, session_user
from api.realtime import notify_users, on_disconnect
from api.store import get_store
from api.workspaces.access import DOCUMENT_ID, WORKSPACE_ID

TYPING_SECONDS = 6


@dataclass
class Viewing:
    user_id: str
    workspace_id: str
    dossier_id: str | None
    typing_until: float = 0.0


class Presence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_socket: dict[str, Viewing] = {}

    def set(self, sid: str, viewing: Viewing | None) -> str | None:
        """Record what socket `sid` views; the workspace it left, if it changed."""
        with self._lock:
            before = self._by_socket.pop(sid, None)
            if viewing is not None:
                self._by_socket[sid] = viewing
        return before.workspace_id if before else None

    def typing(self, sid: str, dossier_id: str) -> Viewing | None:
        with self._lock:
            viewing = self._by_socket.get(sid)
            if viewing is not None and viewing.dossier_id == dossier_id:
                viewing.typing_until = time.time() + TYPING_SECONDS
            return viewing

    def summary(self, workspace_id: str) -> dict[str, Any]:
        now = time.time()
        viewers: dict[str, set[str]] = {}
        typing: dict[str, set[str]] = {}
        with self._lock:
            for viewing in self._by_socket.values():
                if viewing.workspace_id != workspace_id or viewing.dossier_id is None:
                    continue
                viewers.setdefault(viewing.dossier_id, set()).add(viewing.user_id)
                if viewing.typing_until > now:
                    typing.setdefault(viewing.dossier_id, set()).add(viewing.user_id)
        return {"workspace_id": workspace_id,
                "viewers": {dossier: sorted(users) for dossier, users in viewers.items()},
                "typing": {dossier: sorted(users) for dossier, users in typing.items()}}


def _member(workspace_id: Any) -> str | None:
    """The signed-in user of this socket, if a member of the workspace."""
    if not isinstance(workspace_id, str) or not WORKSPACE_ID.fullmatch(workspace_id):
        return None
    user = session_user(request.cookies.get(COOKIE))
    if user is None or get_store().workspaces.membership(workspace_id, user["id"]) is None:
        return None
    return user["id"]


def init_presence(app: Flask, socketio: SocketIO) -> None:
    presence = Presence()
    refused = {"ok": False, "error": {"code": "not_found", "message": "not a member"}}

    def announce(workspace_id: str) -> None:
        members = [m["user_id"] for m in get_store().workspaces.members(workspace_id)]
        notify_users(app, members, "presence:changed", presence.summary(workspace_id))

    @socketio.on("presence:view")
    def _view(data: Any) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        user_id = _member(data.get("workspace_id"))
        dossier_id = data.get("dossier_id")
        if user_id is None or not (dossier_id is None or (
                isinstance(dossier_id, str) and DOCUMENT_ID.fullmatch(dossier_id))):
            return refused
        left = presence.set(request.sid, Viewing(user_id, data["workspace_id"], dossier_id))
        if left and left != data["workspace_id"]:
            announce(left)
        announce(data["workspace_id"])
        return {"ok": True, **presence.summary(data["workspace_id"])}

    def forget(sid: str) -> None:
        left = presence.set(sid, None)
        if left:
            announce(left)

    @socketio.on("presence:typing")
    def _typing(data: Any) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        viewing = presence.typing(request.sid, str(data.get("dossier_id")))
        if viewing is None:
            return refused
        if _member(viewing.workspace_id) is None:  # removed since: their presence ends here
            forget(request.sid)
            return refused
        announce(viewing.workspace_id)
        return {"ok": True}

    on_disconnect(app, forget)
