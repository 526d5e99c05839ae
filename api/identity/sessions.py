"""Sessions: an HttpOnly, SameSite=Strict cookie naming a server-side session that expires after
idle time and after an absolute lifetime. Only a hash of the token is stored.

`current_user()` authenticates a request; state-changing requests must also come from our own
origin (checked against the Origin header), on top of SameSite=Strict.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request

from api.http.errors import ApiError
from api.storage.pool import get_store

COOKIE = "paravent_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Recording activity costs a database write: once a minute is enough for idle expiry.
TOUCH_INTERVAL_SECONDS = 60
View = TypeVar("View", bound=Callable[..., Any])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(response: Response, user_id: str) -> None:
    """Open a session for `user_id` and set its cookie on `response`."""
    config = current_app.config["PARAVENT"]
    token = secrets.token_urlsafe(32)
    now = time.time()
    get_store().identity.add_session(
        {
            "token_hash": _hash(token),
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
    token = request.cookies.get(COOKIE)
    if token:
        get_store().identity.delete_session(_hash(token))
    response.delete_cookie(COOKIE, path="/", samesite="Strict")


def session_user(token: str | None) -> dict[str, Any] | None:
    """The active, unrevoked user of a session token, touching the session; else None."""
    if not token:
        return None
    identity = get_store().identity
    config = current_app.config["PARAVENT"]
    session = identity.session(_hash(token))
    now = time.time()
    if session is None:
        return None
    if now > session["expires_at"] or now - session["last_seen_at"] > config.session_idle_seconds:
        identity.delete_session(session["token_hash"])
        return None
    user = identity.user(session["user_id"])
    if user is None or user["revoked_at"] is not None:
        return None
    if now - session["last_seen_at"] > TOUCH_INTERVAL_SECONDS:
        identity.touch_session(session["token_hash"], now)
    return user


def current_user() -> dict[str, Any]:
    """The signed-in user of this request, or a 401."""
    if "user" not in g:
        g.user = session_user(request.cookies.get(COOKIE))
    if g.user is None:
        raise ApiError(401, "unauthenticated", "your session has ended; sign in again")
    return g.user


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
