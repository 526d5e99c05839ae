"""Workspaces: create, list, read, and manage members (adding grants keys; removing rotates).

Creation stores the workspace, its owner, the owner's key 0, the first (encrypted) workspace
manifest and the log entry that creates it together. Each membership change carries the signed
log entry that records it, appended in the same transaction: clients believe the log, the
server's tables only decide whom it serves. A manager changes roles below owner only (never an
owner's); grants already stored are never replaced. Removing a member requires the next key
index, granted to every remaining active member (revoked users are no longer counted): the
removed member is refused at once and cannot read what is written afterwards.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, choice, json_body, text, whole_number
from api.identity.sessions import current_user, login_required
from api.realtime.channel import notify_users
from api.storage.pool import get_store
from api.workspaces.access import ROLES, WORKSPACE_ID, check_id, membership, rank
from api.workspaces.log import appending, log_row
from api.workspaces.presence import announce_presence
from api.workspaces.settings import workflow_of
from pycrypto_wasm.workspace.roles import may_grant

blueprint = Blueprint("workspaces", __name__)
MAX_MANIFEST_BYTES = 1024 * 1024


def member_view(member: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": member["user_id"], "role": member["role"],
            "role_certificate": b64_encode(member["role_certificate"]),
            "added_by": member["added_by"], "added_at": member["added_at"]}


def grant_view(grant: dict[str, Any]) -> dict[str, Any]:
    return {"key_index": grant["key_index"], "granted_by": grant["granted_by"],
            "grant": b64_encode(grant["grant"])}


def _grants(body: dict[str, Any], workspace_id: str, granted_by: str) -> list[dict[str, Any]]:
    grants = body.get("grants")
    if not isinstance(grants, list) or not grants:
        raise ApiError(400, "bad_request", "'grants' must be a non-empty list")
    rows = []
    for grant in grants:
        if not isinstance(grant, dict):
            raise ApiError(400, "bad_request", "each grant needs a user_id, key_index and grant")
        rows.append({"workspace_id": workspace_id,
                     "key_index": whole_number(grant.get("key_index"), "key_index"),
                     "user_id": text(grant, "user_id"), "granted_by": granted_by,
                     "grant": blob(grant, "grant")})
    return rows


@blueprint.post("/api/workspaces")
@login_required
def create_workspace() -> tuple[Response, int]:
    user = current_user()
    body = json_body()
    workspace_id = check_id(WORKSPACE_ID, text(body, "workspace_id"), "workspace")
    now = time.time()
    entry = log_row(body, workspace_id, user["id"], "workspace_created")
    if entry["seq"] not in (None, 1):
        raise ApiError(400, "bad_request", "a workspace's log begins with entry 1")
    created = get_store().workspaces.create(
        workspace={"id": workspace_id, "organization_id": user["organization_id"],
                   "created_by": user["id"], "key_index": 0, "created_at": now},
        owner={"workspace_id": workspace_id, "user_id": user["id"], "role": "owner",
               "role_certificate": entry["entry"], "added_by": user["id"],
               "added_at": now, "removed_at": None},
        grant={"workspace_id": workspace_id, "key_index": 0, "user_id": user["id"],
               "granted_by": user["id"], "grant": blob(body, "key_grant")},
        manifest={"workspace_id": workspace_id, "document_id": workspace_id, "version": 1,
                  "kind": "workspace", "author_id": user["id"],
                  "manifest": blob(body, "manifest", max_bytes=MAX_MANIFEST_BYTES),
                  "created_at": now},
        entry=entry,
    )
    if not created:
        raise ApiError(409, "conflict", "a workspace with this id exists")
    return jsonify({"workspace_id": workspace_id}), 201


def workspace_view(workspace: dict[str, Any], user_id: str) -> dict[str, Any]:
    store = get_store().workspaces
    latest = store.document(workspace["id"], workspace["id"],
                            store.latest_version(workspace["id"], workspace["id"]))
    return {
        "workspace_id": workspace["id"], "role": workspace.get("role"),
        "key_index": workspace["key_index"], "created_by": workspace["created_by"],
        "manifest": b64_encode(latest["manifest"]) if latest else None,
        "manifest_version": latest["version"] if latest else 0,
        "grants": [grant_view(g) for g in store.grants_of(workspace["id"], user_id)],
        "workflow": workflow_of(workspace["id"]),
    }


@blueprint.get("/api/workspaces")
@login_required
def list_workspaces() -> Response:
    user = current_user()
    workspaces = get_store().workspaces.workspaces_of(user["id"])
    return jsonify({"workspaces": [workspace_view(w, user["id"]) for w in workspaces]})


@blueprint.get("/api/workspaces/<workspace_id>")
@login_required
def get_workspace(workspace_id: str) -> Response:
    user, member = membership(workspace_id)
    store = get_store().workspaces
    workspace = {**store.workspace(workspace_id), "role": member["role"]}
    return jsonify({**workspace_view(workspace, user["id"]),
                    "members": [member_view(m) for m in store.members(workspace_id)]})


@blueprint.post("/api/workspaces/<workspace_id>/members")
@login_required
def add_member(workspace_id: str) -> Response:
    user, granter = membership(workspace_id, "manager")
    body = json_body()
    role = choice(body, "role", ROLES)
    newcomer = get_store().identity.user(text(body, "user_id"))
    if newcomer is None or newcomer["organization_id"] != user["organization_id"] or (
        newcomer["revoked_at"] is not None
    ):
        raise ApiError(404, "not_found", "no such member of your organization")
    store = get_store().workspaces
    present = store.membership(workspace_id, newcomer["id"])
    for changed in (role, present["role"] if present else None):
        if changed is not None and not may_grant(granter["role"], changed):
            raise ApiError(403, "forbidden", f"a {granter['role']} cannot change an {changed}")
    if newcomer["id"] == user["id"]:
        raise ApiError(403, "forbidden", "a member cannot change their own role")
    if newcomer["profile"] == "external" and rank(role) >= rank("manager"):
        raise ApiError(403, "forbidden", "an external user cannot be owner or manager")
    grants = _grants(body, workspace_id, user["id"])
    if {g["user_id"] for g in grants} != {newcomer["id"]}:
        raise ApiError(400, "bad_request", "grants must be for the new member")
    entry = log_row(body, workspace_id, user["id"], "member_set")
    with appending():
        store.add_member({"workspace_id": workspace_id, "user_id": newcomer["id"], "role": role,
                          "role_certificate": entry["entry"], "added_by": user["id"],
                          "added_at": time.time(), "removed_at": None}, grants, entry)
    members = [m["user_id"] for m in store.members(workspace_id)]
    notify_users(current_app, members, "workspace:changed",
                 {"workspace_id": workspace_id, "what": "members"})
    return jsonify({"added": newcomer["id"]})


@blueprint.delete("/api/workspaces/<workspace_id>/members/<user_id>")
@login_required
def remove_member(workspace_id: str, user_id: str) -> Response:
    user, remover = membership(workspace_id, "manager")
    store = get_store().workspaces
    removed = store.membership(workspace_id, user_id)
    if removed is None:
        raise ApiError(404, "not_found", "this user is not a member")
    revoked = get_store().identity.user(user_id)["revoked_at"] is not None
    if rank(removed["role"]) > rank(remover["role"]) and not revoked:
        raise ApiError(403, "forbidden", f"a {remover['role']} cannot remove an {removed['role']}")
    body = json_body()
    new_index = store.workspace(workspace_id)["key_index"] + 1
    grants = _grants(body, workspace_id, user["id"])
    remaining = {m["user_id"] for m in store.members(workspace_id)} - {user_id}
    if {g["user_id"] for g in grants} != remaining or any(
        g["key_index"] != new_index for g in grants
    ):
        raise ApiError(400, "bad_request",
                       f"removing a member needs key {new_index} granted to every remaining member")
    entry = log_row(body, workspace_id, user["id"], "member_removed")
    with appending():
        moved = store.remove_member(workspace_id, user_id, new_index, grants, time.time(), entry)
    if not moved:
        raise ApiError(409, "stale_version", "the workspace's keys changed meanwhile; retry")
    notify_users(current_app, [*remaining, user_id], "workspace:changed",
                 {"workspace_id": workspace_id, "what": "members"})
    announce_presence(current_app, workspace_id)
    return jsonify({"removed": user_id, "key_index": new_index})
