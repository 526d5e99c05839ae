"""Locking a session on its workstation, and unlocking it with the same person's passkey.

A page that locks (the idle lock, "Switch user") suspends its session first: the session is
kept, but every API call answers 401 `session_locked` and its sockets are closed on every process
(as an ended session's are, reason "locked"), so a locked tab, or anyone at the workstation,
reads nothing more from the server. Only an assertion of one of that same user's passkeys,
verified as at sign-in, resumes it; the reply carries the key bundle wrapped for that passkey, as
a sign-in does, so the page unlocks the keys again. Someone else's passkey is refused (the next
person uses "Switch user", which signs the first one out).
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify

from api.http.errors import ApiError
from api.http.inputs import json_body
from api.identity import ceremonies
from api.identity.login import sign_in_reply
from api.identity.sessions import ActiveSession, cookie_session, ended
from api.limits.identity_limits import rate_limited
from api.storage.pool import get_store

blueprint = Blueprint("suspension", __name__)


def _session_or_401() -> ActiveSession:
    session = cookie_session()
    if session is None:
        raise ApiError(401, "unauthenticated", "your session has ended; sign in again")
    return session


@blueprint.post("/api/session/suspend")
def suspend() -> Response:
    """Lock this session: nothing answers it until its user's passkey resumes it."""
    session = _session_or_401()
    get_store().identity.suspend_session(session.token_hash, time.time())
    ended(session.token_hash, "locked")
    return jsonify({"locked": True})


@blueprint.post("/api/session/resume")
@rate_limited("login")
def resume() -> Response:
    """Unlock this session with an assertion of one of its user's passkeys."""
    session = _session_or_401()
    passkey = ceremonies.verify_authentication(json_body())
    if passkey["user_id"] != session.user["id"]:
        raise ApiError(403, "other_user", "this passkey is someone else's: this session is "
                       "locked for its own user; use Switch user to sign in as another person")
    reply = sign_in_reply(session.user, passkey["wrapped_bundle"], "passkey")
    get_store().identity.resume_session(session.token_hash, time.time())
    return jsonify(reply)
