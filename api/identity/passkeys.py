"""The Security page: a user's passkeys (add, rename, remove) and their recovery code."""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify

from api.http.errors import ApiError
from api.http.inputs import b64_decode, blob, json_body, optional_blob, text
from api.identity import ceremonies
from api.identity.sessions import current_user, login_required
from api.identity.views import passkey_view
from api.limits.identity_limits import rate_limited
from api.storage.pool import get_store

blueprint = Blueprint("passkeys", __name__)


@blueprint.get("/api/passkeys")
@login_required
def list_passkeys() -> Response:
    passkeys = get_store().identity.passkeys_of(current_user()["id"])
    return jsonify({"passkeys": [passkey_view(passkey) for passkey in passkeys]})


@blueprint.post("/api/passkeys/options")
@login_required
@rate_limited("passkeys")
def new_passkey_options() -> Response:
    user = current_user()
    existing = [p["credential_id"] for p in get_store().identity.passkeys_of(user["id"])]
    return jsonify(
        ceremonies.registration_options(
            purpose="add-passkey", user_id=user["id"], user_name=user["email"],
            display_name=user["display_name"], existing=existing,
        )
    )


@blueprint.post("/api/passkeys")
@login_required
@rate_limited("passkeys")
def add_passkey() -> Response:
    user = current_user()
    body = json_body()
    passkey = ceremonies.verify_registration(body, purpose="add-passkey", user_id=user["id"])
    row = {
        "credential_id": passkey.credential_id, "user_id": user["id"],
        "public_key": passkey.public_key, "sign_count": passkey.sign_count,
        "name": text(body, "name"), "wrapped_bundle": optional_blob(body, "wrapped_bundle"),
        "created_at": time.time(), "last_used_at": None,
    }
    get_store().identity.add_passkey(row)
    return jsonify({"passkey": passkey_view(row)}), 201


def _passkey_id(passkey_id: str) -> bytes:
    try:
        return b64_decode(passkey_id)
    except ValueError as error:
        raise ApiError(404, "not_found", "no such passkey") from error


@blueprint.patch("/api/passkeys/<passkey_id>")
@login_required
def rename_passkey(passkey_id: str) -> Response:
    name = text(json_body(), "name")
    if not get_store().identity.rename_passkey(current_user()["id"], _passkey_id(passkey_id), name):
        raise ApiError(404, "not_found", "no such passkey")
    return jsonify({"renamed": True})


@blueprint.delete("/api/passkeys/<passkey_id>")
@login_required
def remove_passkey(passkey_id: str) -> Response:
    identity = get_store().identity
    user = current_user()
    target = _passkey_id(passkey_id)
    passkeys = identity.passkeys_of(user["id"])
    if not any(passkey["credential_id"] == target for passkey in passkeys):
        raise ApiError(404, "not_found", "no such passkey")
    if len(passkeys) <= 1:
        raise ApiError(409, "last_passkey", "add another passkey before removing your last one")
    identity.delete_passkey(user["id"], target)
    return jsonify({"removed": True})


@blueprint.put("/api/recovery")
@login_required
def replace_recovery_code() -> Response:
    """A new recovery code: the old one stops working at once."""
    body = json_body()
    get_store().identity.set_recovery(
        current_user()["id"], blob(body, "login_token_digest", size=32).hex(),
        blob(body, "recovery_bundle"),
    )
    return jsonify({"replaced": True})
