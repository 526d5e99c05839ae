"""The organization's directory (certificates for clients to verify) and revocation."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, request

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, json_body
from api.http.paging import paged
from api.identity.certificate_checks import checked_revocation
from api.identity.sessions import admin_required, current_user, login_required
from api.identity.views import organization_view, user_view
from api.partners.visibility import visible_users
from api.realtime.channel import disconnect_user
from api.storage.engine import Row
from api.storage.pool import get_store
from pycrypto_wasm.identity.certificates import UserCertificate

blueprint = Blueprint("directory", __name__)


def _matching(users: list[Row], query: str) -> list[Row]:
    """The users whose name or e-mail holds `query` (any case); all of them for an empty one.
    What the server lists is a claim: pages show only what the worker verified."""
    needle = query.strip().casefold()
    return [user for user in users if not needle or needle in user["display_name"].casefold()
            or needle in user["email"].casefold()]


@blueprint.get("/api/directory")
@login_required
def directory() -> Response:
    identity = get_store().identity
    organization = identity.organization(current_user()["organization_id"])
    everyone = visible_users(current_user(), identity.users_of(organization["id"]))
    page = paged(_matching(everyone, request.args.get("q", "")),
                 key=lambda user: (user["created_at"], user["id"]))
    users = [
        {
            **user_view(user),
            "certificate": b64_encode(user["certificate"]),
            "revocation": b64_encode(user["revocation"]) if user["revocation"] else None,
        }
        for user in page.rows
    ]
    return jsonify({"organization": organization_view(organization), "users": users,
                    "next": page.next})


@blueprint.post("/api/users/<user_id>/revoke")
@admin_required
def revoke(user_id: str) -> Response:
    admin = current_user()
    identity = get_store().identity
    user = identity.user(user_id)
    if user is None or user["organization_id"] != admin["organization_id"]:
        raise ApiError(404, "not_found", "no such user")
    if user["revoked_at"] is not None:
        raise ApiError(409, "already_revoked", "this user is already revoked")
    if user_id == admin["id"]:
        raise ApiError(409, "cannot_revoke_self", "an administrator cannot revoke themselves")
    signed = blob(json_body(), "revocation")
    checked_revocation(
        signed, signer_key=UserCertificate.peek(admin["certificate"]).verify_key,
        organization=admin["organization_id"], user_id=user_id, revoked_by=admin["id"],
    )
    identity.revoke(user_id, signed, time.time())
    disconnect_user(current_app, user_id, reason="revoked")
    return jsonify({"revoked": True})
