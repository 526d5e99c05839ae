"""The session each socket of this process belongs to: looked up once when the socket connects
and kept with it, so that an event costs no database work before its rate limit is checked
(3,000 events on one WebSocket once meant 3,000 session lookups at once).

A session can end while its sockets stay open. Sign-out is an event: the realtime channel closes
that session's sockets on every process at once (api/realtime/channel.py). Expiry is no event;
the sockets of an expired session are closed by two checks:
- each event re-reads its session from the database once the cached copy is a minute old (as
  HTTP requests touch it, at most once a minute; sooner if the idle limit is shorter), or once
  past its absolute lifetime; an ended session refuses the event and closes its sockets;
- a sweep, every `SWEEP_SECONDS`, reads the sessions of all this process's sockets in one query
  and closes those whose session expired, was deleted or locked, or whose user was revoked.
Why a sweep and not a timer per socket: the idle deadline moves with every request the user
makes, on any process, so a timer would have to re-read the database anyway; the sweep costs one
query per process per interval whatever the number of sockets, and it also catches a session
ended while the message that should have said so was lost (Redis down at sign-out).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request

from api.identity.sessions import TOUCH_INTERVAL_SECONDS, ActiveSession, found_session, is_expired
from api.storage.faults import database_error_types
from api.storage.pool import get_store

SWEEP_SECONDS = 15
logger = logging.getLogger(__name__)
# Closes this process's sockets of a session: (token hash, reason).
CloseSession = Callable[[str, str], None]


class SocketSessions:
    """The session of each socket this process holds, by socket id. The sweep starts with the
    first socket that has a session (`start_sweep`, once)."""

    def __init__(self, close: CloseSession, start_sweep: Callable[[], None]) -> None:
        self.close = close
        self._start_sweep: Callable[[], None] | None = start_sweep
        self._by_sid: dict[str, ActiveSession] = {}

    def hold(self, sid: str, session: ActiveSession) -> None:
        self._by_sid[sid] = session
        start, self._start_sweep = self._start_sweep, None
        if start is not None:
            start()

    def forget(self, sid: str) -> None:
        self._by_sid.pop(sid, None)

    def get(self, sid: str) -> ActiveSession | None:
        return self._by_sid.get(sid)

    def by_session(self) -> dict[str, list[str]]:
        """Socket ids by session token hash."""
        sids: dict[str, list[str]] = {}
        for sid, session in list(self._by_sid.items()):
            sids.setdefault(session.token_hash, []).append(sid)
        return sids

    def refresh(self, token_hash: str, last_seen_at: float) -> None:
        for sid, session in list(self._by_sid.items()):
            if session.token_hash == token_hash and session.last_seen_at < last_seen_at:
                self._by_sid[sid] = ActiveSession(token_hash, session.user, last_seen_at,
                                                  session.expires_at)


def socket_sessions(app: Flask) -> SocketSessions:
    return app.extensions["paravent_socket_sessions"]


def socket_user_id() -> str | None:
    """The user this event's socket connected as, from memory: no database work (for counting
    the event against its rate limit before anything else)."""
    session = socket_sessions(current_app).get(request.sid)
    return session.user["id"] if session is not None else None


def socket_user() -> dict[str, Any] | None:
    """The signed-in user of this event's socket, or None if it has none or it ended (the
    session's sockets are then closed). Reads the database only once the cached session is a
    minute old or past its lifetime."""
    sessions = socket_sessions(current_app)
    held = sessions.get(request.sid)
    if held is None:
        return None
    now = time.time()
    fresh_for = min(TOUCH_INTERVAL_SECONDS, current_app.config["PARAVENT"].session_idle_seconds)
    if now - held.last_seen_at <= fresh_for and now <= held.expires_at:
        return held.user
    fresh = found_session(held.token_hash)
    if fresh is None or fresh.suspended:
        sessions.close(held.token_hash, "locked" if fresh is not None else "expired")
        return None
    sessions.hold(request.sid, fresh)
    return fresh.user


def sweep(app: Flask) -> None:
    """Close this process's sockets whose session expired, was deleted or locked, or whose
    user was revoked; refresh the others' last activity."""
    sessions = socket_sessions(app)
    held = sessions.by_session()
    if not held:
        return
    config = app.config["PARAVENT"]
    now = time.time()
    ended: dict[str, str] = {}
    with app.app_context():
        identity = get_store().identity
        rows = identity.sessions_with_revocation(list(held))
        for token_hash in held:
            row = rows.get(token_hash)
            if row is None or is_expired(row, config, now):
                ended[token_hash] = "expired"
                if row is not None:
                    identity.delete_session(token_hash)
            elif row["revoked_at"]:
                ended[token_hash] = "revoked"
            elif row["suspended_at"] is not None:
                ended[token_hash] = "locked"
            else:
                sessions.refresh(token_hash, row["last_seen_at"])
    for token_hash, reason in ended.items():
        sessions.close(token_hash, reason)


def sweep_forever(app_ref: weakref.ref[Flask], sleep: Callable[[float], None]) -> None:
    """`sweep` every `SWEEP_SECONDS`, for as long as the app exists."""
    while True:
        sleep(SWEEP_SECONDS)
        app = app_ref()
        if app is None:
            return
        try:
            sweep(app)
        except database_error_types() as error:  # the database is down: try again next time
            logger.warning("socket session sweep: %s", error)
        del app
