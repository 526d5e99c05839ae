"""Presence over Socket.IO: who is viewing which dossier of a workspace right now, and who is
typing a comment there. Only user and dossier ids travel; members of the workspace are told.

Events (acknowledged with {"ok": ...}):
  presence:view    {workspace_id, dossier_id | null}   I am looking at this dossier (or none)
  presence:typing  {workspace_id, dossier_id}          I am typing a comment (lasts a few seconds)
Members receive presence:changed {workspace_id, viewers: {dossier: [users]}, typing: {...}}.
Who views what lives in `presence_store`: this process's memory, or Redis with a message queue
(each process keeps its own sockets' presence through a Redis outage, and when Redis is back
writes it back and tells the members again, without the pages having to do anything).
Each event re-checks that the socket's user is still a member, and only current members are
listed: a member removed while viewing drops out at once (the removal announces presence).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO

from api.realtime.channel import notify_users, on_disconnect
from api.realtime.shared_state import redis_of
from api.realtime.socket_sessions import socket_user
from api.storage.pool import get_store
from api.workspaces.access import DOCUMENT_ID, WORKSPACE_ID
from api.workspaces.presence_store import MemoryPresence, PresenceStore, RedisPresence, Viewing

# Each change is told by whoever made it, so telling again stops when changes stop; this bounds
# one event's work while changes keep coming (the next change's own summary follows anyway).
ANNOUNCE_ATTEMPTS = 4


def _member(workspace_id: Any) -> str | None:
    """The signed-in user of this socket, if a member of the workspace."""
    if not isinstance(workspace_id, str) or not WORKSPACE_ID.fullmatch(workspace_id):
        return None
    user = socket_user()
    if user is None or get_store().workspaces.membership(workspace_id, user["id"]) is None:
        return None
    return user["id"]


def announce_presence(app: Flask, workspace_id: str) -> dict[str, Any]:
    """Tell the workspace's members who among them views and types what (also when a member
    was removed: their socket may still be open, on any process); the summary told.

    Two processes (or two requests) announcing at once may send their summaries in the other
    order than they read them, the older last: a page would then show a viewer missing until
    the next change. So a summary overtaken by a change before it went out is told again;
    whoever tells last read after every change, because each change is told after it."""
    members = [m["user_id"] for m in get_store().workspaces.members(workspace_id)]
    presence: PresenceStore = app.extensions["paravent_presence"]
    for _ in range(ANNOUNCE_ATTEMPTS):
        read_after = presence.changes(workspace_id)
        summary = presence.summary(workspace_id, members)
        notify_users(app, members, "presence:changed", summary)
        if presence.changes(workspace_id) == read_after:
            break
    return summary


def _announce_restored(app: Flask, workspace_ids: set[str]) -> None:
    """After Redis came back (or lost what it held), tell each workspace's members again who
    views what, so "Also viewing" returns by itself on every open page."""
    with app.app_context():
        for workspace_id in sorted(workspace_ids):
            announce_presence(app, workspace_id)


def init_presence(app: Flask, socketio: SocketIO) -> None:
    redis = redis_of(app)
    presence: PresenceStore = MemoryPresence() if redis is None else RedisPresence(
        redis, lambda workspace_ids: _announce_restored(app, workspace_ids))
    app.extensions["paravent_presence"] = presence
    refused = {"ok": False, "error": {"code": "not_found", "message": "not a member"}}

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
            announce_presence(app, left)
        return {"ok": True, **announce_presence(app, data["workspace_id"])}

    def forget(sid: str) -> None:
        left = presence.set(sid, None)
        if left:
            announce_presence(app, left)

    @socketio.on("presence:typing")
    def _typing(data: Any) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        viewing = presence.typing(request.sid, str(data.get("dossier_id")))
        if viewing is None:
            return refused
        if _member(viewing.workspace_id) is None:  # removed since: their presence ends here
            forget(request.sid)
            return refused
        announce_presence(app, viewing.workspace_id)
        return {"ok": True}

    on_disconnect(app, forget)
