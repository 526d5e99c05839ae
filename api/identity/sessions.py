"""Sessions: an HttpOnly, SameSite=Strict cookie naming a server-side session that expires after
idle time and after an absolute lifetime. Only a hash of the token is stored.

`current_user()` authenticates a request; state-changing requests must also come from our own
origin (checked against the Origin header), on top of SameSite=Strict.

A session ends when its user signs out, or when it is found expired (idle or past its absolute
lifetime); either way the row is deleted and every `when_session_ends` callback hears of it (the
realtime channel closes that session's sockets on every process: api/realtime/channel.py).
A session locked on its workstation (api/identity/suspension.py) is kept but suspended: every
call answers 401 `session_locked` until its user's passkey resumes it; its sockets are closed as
an ended session's are (reason "locked"), and none connects as it meanwhile.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request

from api.config import Config
from api.http.errors import ApiError
from api.storage.pool import get_store
from api.storage.queries import Row

COOKIE = "paravent_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Recording activity costs a database write: once a minute is enough for idle expiry.
TOUCH_INTERVAL_SECONDS = 60
View = TypeVar("View", bound=Callable[..., Any])
# Called with (token hash, reason) when a session ends or is locked: "signed_out", "expired",
# "locked".
SessionEndHook = Callable[[str, str], None]


@dataclass(frozen=True)
class ActiveSession:
    """A session found valid, with its unrevoked user."""

    token_hash: str
    user: dict[str, Any]
    last_seen_at: float
    expires_at: float
    suspended: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def when_session_ends(app: Flask, hook: SessionEndHook) -> None:
    app.extensions.setdefault("paravent_session_end_hooks", []).append(hook)


def ended(session_hash: str, reason: str) -> None:
    """Tell every `when_session_ends` callback (the realtime channel closes its sockets)."""
    for hook in current_app.extensions.get("paravent_session_end_hooks", []):
        hook(session_hash, reason)


def is_expired(session: Row, config: Config, now: float) -> bool:
    """Past its absolute lifetime, or idle for longer than allowed."""
    return (now > session["expires_at"]
            or now - session["last_seen_at"] > config.session_idle_seconds)


def start_session(response: Response, user_id: str) -> None:
    """Open a session for `user_id` and set its cookie on `response`."""
    config = current_app.config["PARAVENT"]
    token = secrets.token_urlsafe(32)
    now = time.time()
    get_store().identity.add_session(
        {
            "token_hash": token_hash(token),
            "user_id": user_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + config.session_absolute_seconds,
        }
    )
    response.set_cookie(
        COOKIE, token, max_age=config.session_absolute_seconds, httponly=True,
        secure=config.secure_cookies, samesite="Strict", path="/",
    )


def end_session(response: Response) -> None:
    """Sign out: the session is deleted, its sockets closed everywhere, its cookie cleared."""
    token = request.cookies.get(COOKIE)
    if token:
        get_store().identity.delete_session(token_hash(token))
        ended(token_hash(token), "signed_out")
    response.delete_cookie(COOKIE, path="/", samesite="Strict")


def found_session(session_hash: str) -> ActiveSession | None:
    """The unexpired session of a token's hash with its unrevoked user, locked or not; touched
    (at most once a minute) unless locked, so a locked session expires when idle. None
    otherwise; one found expired is ended here."""
    identity = get_store().identity
    session = identity.session(session_hash)
    now = time.time()
    if session is None:
        return None
    if is_expired(session, current_app.config["PARAVENT"], now):
        identity.delete_session(session_hash)
        ended(session_hash, "expired")
        return None
    user = identity.user(session["user_id"])
    if user is None or user["revoked_at"] is not None:
        return None
    suspended = session["suspended_at"] is not None
    last_seen = session["last_seen_at"]
    if not suspended and now - last_seen > TOUCH_INTERVAL_SECONDS:
        identity.touch_session(session_hash, now)
        last_seen = now
    return ActiveSession(session_hash, user, last_seen, session["expires_at"], suspended)


def session_by_hash(session_hash: str) -> ActiveSession | None:
    """The active (unlocked) session of a token's hash (see `found_session`); else None."""
    session = found_session(session_hash)
    return session if session is not None and not session.suspended else None


def cookie_session() -> ActiveSession | None:
    """This request's session, locked or not (see `found_session`)."""
    token = request.cookies.get(COOKIE)
    return found_session(token_hash(token)) if token else None


def active_session(token: str | None) -> ActiveSession | None:
    """The active (unlocked) session of a cookie's token (see `session_by_hash`)."""
    return session_by_hash(token_hash(token)) if token else None


def current_session() -> ActiveSession:
    """This request's active session, or a 401: `unauthenticated`, or `session_locked` while
    its workstation is locked."""
    if "paravent_session" not in g:
        g.paravent_session = cookie_session()
    session: ActiveSession | None = g.paravent_session
    if session is None:
        raise ApiError(401, "unauthenticated", "your session has ended; sign in again")
    if session.suspended:
        raise ApiError(401, "session_locked",
                       "this session is locked: unlock it with your passkey")
    return session


def current_user() -> dict[str, Any]:
    """The signed-in user of this request, or a 401 (see `current_session`)."""
    return current_session().user


def login_required(view: View) -> View:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def admin_required(view: View) -> View:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user()["profile"] != "admin":
            raise ApiError(403, "forbidden", "only an administrator can do this")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def init_origin_check(app: Flask) -> None:
    @app.before_request
    def _same_origin_only() -> None:
        if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
            return
        expected = current_app.config["PARAVENT"].public_origin
        if request.headers.get("Origin") != expected:
            raise ApiError(403, "bad_origin", "requests must come from the Paravent page itself")
