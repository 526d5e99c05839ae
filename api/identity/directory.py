"""The organization's directory (certificates for clients to verify) and revocation."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, json_body
from api.http.paging import paged
from api.identity.certificate_checks import checked_revocation
from api.identity.sessions import admin_required, current_user, login_required
from api.identity.views import organization_view, user_view
from api.partners.visibility import may_see_whole_directory, signers_of, visible_users
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


def _order(user: Row) -> tuple[Any, str]:
    return user["created_at"], user["id"]


@dataclass(frozen=True)
class _Listable:
    """The users a request may list (`rows`: at least their id, name, e-mail, creation date),
    how to read some of them whole (certificates and all) by id, and who has a revocation."""

    rows: list[Row]
    whole: Callable[[Collection[str]], list[Row]]
    revoked: set[str]


def _listable(user: Row, wanted: set[str] | None) -> _Listable:
    """What `user` may list, among `wanted` if given: for those who may see the whole
    directory, the database reads only the rows a page needs whole."""
    identity = get_store().identity
    organization_id = user["organization_id"]
    if not may_see_whole_directory(user):
        visible = visible_users(user, identity.users_of(organization_id))
        by_id = {row["id"]: row for row in visible}
        return _Listable(visible, lambda user_ids: [by_id[user_id] for user_id in user_ids
                                                    if user_id in by_id],
                         {row["id"] for row in visible if row["revocation"]})

    def whole(user_ids: Collection[str]) -> list[Row]:
        return identity.users_by_ids(organization_id, user_ids)

    if wanted is not None:
        return _Listable(whole(wanted), whole, identity.revoked_user_ids(organization_id))
    summaries = identity.user_summaries_of(organization_id)
    return _Listable(summaries, whole, {row["id"] for row in summaries if row["revocation"]})


def _to_verify(shown: list[Row], listable: _Listable) -> list[Row]:
    """What a browser needs besides `shown` to verify it, as it would with the whole list: the
    admins who signed their certificates and revocations (up to the root), and every user with a
    revocation (with their signers), so that no revocation is missed for lack of a page."""
    seen = {user["id"] for user in shown}
    wanted = set().union(*(signers_of(user) for user in shown)) | listable.revoked
    extra: list[Row] = []
    while batch := wanted - seen:
        seen |= batch
        rows = listable.whole(batch)
        extra += rows
        wanted = set().union(*(signers_of(row) for row in rows))
    return sorted(extra, key=_order)


@blueprint.get("/api/directory")
@login_required
def directory() -> Response:
    """The directory, paged; `q` searches names and e-mails, `ids` picks users by id, and
    `signers=1` adds what verifying the page takes (`signers`) and how many match (`total`)."""
    user = current_user()
    organization = get_store().identity.organization(user["organization_id"])
    wanted = _wanted_ids()
    listable = _listable(user, wanted)
    matching = [row for row in _matching(listable.rows, request.args.get("q", ""))
                if wanted is None or row["id"] in wanted]
    page = paged(matching, key=_order)
    shown = sorted(listable.whole([row["id"] for row in page.rows]), key=_order)
    reply: dict[str, Any] = {"organization": organization_view(organization),
                             "users": [_listed(row) for row in shown], "next": page.next}
    if request.args.get("signers") == "1":
        reply["signers"] = [_listed(row) for row in _to_verify(shown, listable)]
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
