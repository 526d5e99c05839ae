"""Signing in and out: with a passkey (the usual way) or with the recovery code.

A successful sign-in opens a session and returns the key bundle wrapped for what was used (this
passkey, or the recovery code), which only the browser can unwrap. Revoked users are refused.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, json_body
from api.identity import ceremonies
from api.identity.sessions import cookie_session, end_session, start_session
from api.identity.views import organization_view, settings_view, user_view
from api.limits.identity_limits import rate_limited
from api.storage.pool import get_store

blueprint = Blueprint("login", __name__)


def sign_in_reply(user: dict[str, Any], wrapped_bundle: bytes | None,
                  method: str) -> dict[str, Any]:
    """What the page needs to unlock the keys after a sign-in (or an unlock): who, and the key
    bundle wrapped for what was used."""
    if user["revoked_at"] is not None:
        raise ApiError(403, "revoked", "this account was revoked by an administrator")
    organization = get_store().identity.organization(user["organization_id"])
    reply = {
        "user": user_view(user),
        "organization": organization_view(organization),
        "settings": settings_view(),
        "wrapped_bundle": b64_encode(wrapped_bundle) if wrapped_bundle else None,
        "unlocked_with": method,
    }
    if method == "passkey" and user["recovery_bundle"]:
        # A passkey without PRF (or an authenticator that did not evaluate it this time, as a
        # passkey moved to another authenticator) cannot unlock the keys: the recovery code will.
        reply["recovery_bundle"] = b64_encode(user["recovery_bundle"])
    return reply


def _signed_in(user: dict[str, Any], wrapped_bundle: bytes | None, method: str) -> Response:
    response = jsonify(sign_in_reply(user, wrapped_bundle, method))
    start_session(response, user["id"])
    return response


@blueprint.post("/api/login/options")
@rate_limited("login")
def login_options() -> Response:
    return jsonify(ceremonies.authentication_options())


@blueprint.post("/api/login")
@rate_limited("login")
def login() -> Response:
    passkey = ceremonies.verify_authentication(json_body())
    user = get_store().identity.user(passkey["user_id"])
    if user is None:
        raise ApiError(401, "unknown_passkey", "this passkey is not registered here")
    return _signed_in(user, passkey["wrapped_bundle"], "passkey")


@blueprint.post("/api/login/recovery")
@rate_limited("login")
def login_with_recovery() -> Response:
    digest = blob(json_body(), "login_token_digest", size=32).hex()
    user = get_store().identity.user_by_recovery(digest)
    if user is None:
        raise ApiError(401, "unknown_recovery_code", "this recovery code is not valid")
    return _signed_in(user, user["recovery_bundle"], "recovery")


@blueprint.get("/api/session")
def session() -> Response:
    """Who is signed in; `{"user": null}` (not an error) when nobody is; `locked` while the
    session is locked on its workstation (only its passkey unlocks it)."""
    found = cookie_session()
    if found is None:
        return jsonify({"user": None})
    user = found.user
    organization = get_store().identity.organization(user["organization_id"])
    return jsonify({"user": user_view(user), "organization": organization_view(organization),
                    "settings": settings_view(), "locked": found.suspended})


@blueprint.post("/api/logout")
def logout() -> Response:
    response = jsonify({"signed_out": True})
    end_session(response)
    return response
