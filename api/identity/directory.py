"""The organization's directory (certificates for clients to verify) and revocation."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, json_body
from api.http.paging import paged
from api.identity.certificate_checks import checked_revocation
from api.identity.sessions import admin_required, current_user, login_required
from api.identity.views import organization_view, user_view
from api.partners.visibility import signers_of, visible_users
from api.realtime.channel import disconnect_user
from api.storage.engine import Row
from api.storage.pool import get_store
from pycrypto_wasm.identity.certificates import UserCertificate

blueprint = Blueprint("directory", __name__)
MAX_IDS = 1000


def _matching(users: list[Row], query: str) -> list[Row]:
    """The users whose name or e-mail holds `query` (any case); all of them for an empty one.
    What the server lists is a claim: pages show only what the worker verified."""
    needle = query.strip().casefold()
    return [user for user in users if not needle or needle in user["display_name"].casefold()
            or needle in user["email"].casefold()]


def _listed(user: Row) -> dict[str, Any]:
    return {
        **user_view(user),
        "certificate": b64_encode(user["certificate"]),
        "revocation": b64_encode(user["revocation"]) if user["revocation"] else None,
    }


def _wanted_ids() -> set[str] | None:
    """The users `ids` asks for (comma-separated), or None when it is not given."""
    ids = request.args.get("ids")
    if ids is None:
        return None
    wanted = {user_id for user_id in ids.split(",") if user_id}
    if len(wanted) > MAX_IDS:
        raise ApiError(400, "bad_request", f"'ids' names at most {MAX_IDS} users")
    return wanted


def _to_verify(shown: list[Row], everyone: list[Row]) -> list[Row]:
    """What a browser needs besides `shown` to verify it, as it would with the whole list: the
    admins who signed their certificates and revocations (up to the root), and every user with a
    revocation (with their signers), so that no revocation is missed for lack of a page."""
    by_id = {user["id"]: user for user in everyone}
    listed = {user["id"] for user in shown}
    wanted = set().union(*(signers_of(user) for user in shown)) | {
        user["id"] for user in everyone if user["revocation"]}
    extra: set[str] = set()
    while wanted:
        user_id = wanted.pop()
        if user_id in listed or user_id in extra or user_id not in by_id:
            continue
        extra.add(user_id)
        wanted |= signers_of(by_id[user_id])
    return [user for user in everyone if user["id"] in extra]


@blueprint.get("/api/directory")
@login_required
def directory() -> Response:
    """The directory, paged; `q` searches names and e-mails, `ids` picks users by id, and
    `signers=1` adds what verifying the page takes (`signers`) and how many match (`total`)."""
    identity = get_store().identity
    organization = identity.organization(current_user()["organization_id"])
    everyone = visible_users(current_user(), identity.users_of(organization["id"]))
    wanted = _wanted_ids()
    matching = [user for user in _matching(everyone, request.args.get("q", ""))
                if wanted is None or user["id"] in wanted]
    page = paged(matching, key=lambda user: (user["created_at"], user["id"]))
    reply: dict[str, Any] = {"organization": organization_view(organization),
                             "users": [_listed(user) for user in page.rows], "next": page.next}
    if request.args.get("signers") == "1":
        reply["signers"] = [_listed(user) for user in _to_verify(page.rows, everyone)]
        reply["total"] = len(matching)
    return jsonify(reply)


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
