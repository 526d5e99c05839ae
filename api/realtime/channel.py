"""Socket.IO: the realtime channel to browsers (WebSocket transport, same origin only).

A socket belongs to the signed-in user of its session cookie (or to nobody, for an invitee who is
not a user yet). Sockets join a room per user and a room per session; revoking a user
disconnects every socket of theirs at once, and ending a session (sign-out, expiry) every socket
of that session, on every process (a user signed in on two workstations keeps the other; see
api/realtime/socket_sessions.py for how expiry, which is no event, is noticed). The invitation
channel (identity/invitation_channel.py) relays the SAS exchange through a room per invitation.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import SocketIO, join_room
from gevent import monkey
from redis import Redis, RedisError

from api.identity.sessions import COOKIE, active_session, when_session_ends
from api.realtime.background import run_until_done, stoppable_sleep
from api.realtime.message_queue import ResumingRedisManager
from api.realtime.shared_state import KEY_PREFIX, open_subscriber, redis_of
from api.realtime.socket_events import AnsweringSocketIO, PacketJson
from api.realtime.socket_sessions import SocketSessions, socket_sessions, sweep_forever
from api.serving.version import server_version

DISCONNECT_CHANNEL = f"{KEY_PREFIX}disconnect-user"


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


def session_room(token_hash: str) -> str:
    return f"session:{token_hash}"


def invitation_room(invitation_id: str) -> str:
    return f"invitation:{invitation_id}"


def socketio_of(app: Flask) -> SocketIO:
    return app.extensions["paravent_socketio"]


def disconnect_user(app: Flask, user_id: str, reason: str) -> None:
    """Tell every open page of `user_id` that its session ended (they wipe their keys at once),
    then close their sockets, on every process."""
    _disconnect_room(app, user_room(user_id), reason)


def disconnect_session(app: Flask, token_hash: str, reason: str) -> None:
    """The same for the sockets of one session (signed out or expired), on every process."""
    _disconnect_room(app, session_room(token_hash), reason)


def _disconnect_room(app: Flask, room: str, reason: str) -> None:
    """`session:ended` then the disconnection for the sockets of `room`: here, or, with a
    message queue, in every process (each one does both, in that order, for the sockets it
    holds when it hears of it on `DISCONNECT_CHANNEL`)."""
    redis = redis_of(app)
    if redis is None:
        _end_local(socketio_of(app), room, reason)
        return
    try:
        redis.publish(DISCONNECT_CHANNEL, json.dumps({"room": room, "reason": reason}))
    except RedisError as error:  # the other processes cannot be told: end this one's at least
        logging.getLogger(__name__).error("message queue unreachable (%s): only this process's "
                                          "sockets of a session were closed", error)
        _end_local(socketio_of(app), room, reason)


def _end_local(socketio: SocketIO, room: str, reason: str) -> None:
    """`session:ended`, then the disconnection, on this process's sockets of `room`: one
    after the other on each socket, so the page always hears why before it is cut off."""
    socketio.server.emit("session:ended", {"reason": reason}, to=room, namespace="/",
                         ignore_queue=True)
    for sid, _ in list(socketio.server.manager.get_participants("/", room)):
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)


def _disconnect_when_told(socketio: SocketIO, redis: Redis) -> None:
    """End this process's sockets of each room named on `DISCONNECT_CHANNEL`; while Redis is
    away, subscribe again every second (said once per outage in the log)."""
    away = False
    while True:
        try:
            pubsub = redis.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(DISCONNECT_CHANNEL)
            if away:
                logging.getLogger(__name__).warning("disconnect channel: Redis is back")
            away = False
            for message in pubsub.listen():
                told = json.loads(message["data"])
                _end_local(socketio, told["room"], told["reason"])
        except RedisError as error:
            if not away:
                logging.getLogger(__name__).warning("disconnect channel: Redis unreachable "
                                                    "(%s); subscribing again every second", error)
            away = True
            socketio.sleep(1)


def notify_users(app: Flask, user_ids: list[str], event: str, data: dict[str, Any]) -> None:
    """One emit to every user's room (one message on the queue, not one per member; a socket
    in several of the rooms gets it once). Nobody to tell: nothing is emitted (an empty list
    of rooms would mean everyone)."""
    if user_ids:
        socketio_of(app).emit(event, data, to=[user_room(user_id) for user_id in user_ids])


def on_disconnect(app: Flask, forget: Callable[[str], None]) -> None:
    """Call `forget(sid)` when a socket goes away (each channel keeps its own per-socket state;
    Socket.IO allows one disconnect handler, which calls them all)."""
    app.extensions["paravent_disconnect_hooks"].append(forget)


def notify_invitation(app: Flask, invitation_id: str, event: str, data: dict[str, Any]) -> None:
    socketio_of(app).emit(event, data, to=invitation_room(invitation_id))


def _async_mode() -> str:
    """gevent in the production server (which patched the process), threads elsewhere."""
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def init_realtime(app: Flask) -> SocketIO:
    """Socket.IO on WebSockets only (see the README's cluster section); with a message queue,
    events emitted by any process reach the sockets of every process."""
    # cors_allowed_origins=None keeps python-socketio's default: same origin only.
    url = app.config["PARAVENT"].message_queue
    queue = {"client_manager": ResumingRedisManager(url)} if url else {}
    socketio = AnsweringSocketIO(app, async_mode=_async_mode(), cors_allowed_origins=None,
                                 transports=["websocket"], json=PacketJson, **queue)
    app.extensions["paravent_socketio"] = socketio
    if url:
        socketio.start_background_task(_disconnect_when_told, socketio, open_subscriber(url))
    sessions = SocketSessions(
        close=lambda token_hash, reason: _end_local(socketio, session_room(token_hash), reason),
        start_sweep=lambda: socketio.start_background_task(
            run_until_done, sweep_forever, weakref.ref(app), stoppable_sleep(app, socketio.sleep)))
    app.extensions["paravent_socket_sessions"] = sessions
    when_session_ends(app, lambda token_hash, reason: disconnect_session(app, token_hash, reason))
    hooks: list[Callable[[str], None]] = [sessions.forget]
    app.extensions["paravent_disconnect_hooks"] = hooks

    @socketio.on("disconnect")
    def _disconnect(*_args: Any) -> None:
        for forget in hooks:
            try:
                forget(request.sid)
            except Exception:  # one channel's failure must not keep the others' state stale
                logging.getLogger(__name__).exception("a disconnect hook failed")

    @socketio.on("connect")
    def _connect(_auth: Any = None) -> None:
        session = active_session(request.cookies.get(COOKIE))
        if session is not None:
            socket_sessions(app).hold(request.sid, session)
            join_room(user_room(session.user["id"]))
            join_room(session_room(session.token_hash))

    @socketio.on("server_info")
    def _server_info() -> dict[str, str | None]:
        manifest = current_app.extensions["paravent_assets"]
        return {"version": server_version(), "release": manifest.release}

    return socketio
