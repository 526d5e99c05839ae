"""Members' routes for drop links: make one for a space (within its sharing policy), list a
space's links and the deposits received, re-seal a link's descriptor after a key rotation,
revoke a link, and mark a deposit filed into its dossier."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.dropboxes.status import DEPOSIT_ID, LINK_ID, link_status
from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, flag, json_body, number_up_to, whole_number
from api.identity.sessions import login_required
from api.policies.rules import check_link_allowed
from api.storage.pool import get_store
from api.workspaces.access import check_id, membership

blueprint = Blueprint("dropboxes", __name__)

MAX_FILES = 100
MAX_SEALED = 64 * 1024


def link_view(link: dict[str, Any]) -> dict[str, Any]:
    return {"link_id": link["id"], "version": link["descriptor_version"],
            "descriptor": b64_encode(link["descriptor"]), "created_by": link["created_by"],
            "created_at": link["created_at"], "expires_at": link["expires_at"],
            "max_files": link["max_files"], "max_file_bytes": link["max_file_bytes"],
            "files_received": link["files_received"],
            "email_required": bool(link["email_required"]), "password": bool(link["password"]),
            "status": link_status(link), "revoked_at": link["revoked_at"]}


def _deposit_view(deposit: dict[str, Any]) -> dict[str, Any]:
    return {"deposit_id": deposit["id"], "link_id": deposit["link_id"],
            "sealed": b64_encode(deposit["sealed"]),
            "signature": b64_encode(deposit["signature"]),
            "files": json.loads(deposit["block_ids"]), "received_at": deposit["completed_at"],
            "confirmed_email": deposit["confirmed_email"], "filed_at": deposit["filed_at"]}


def _link_of(workspace_id: str, link_id: str) -> dict[str, Any]:
    check_id(LINK_ID, link_id, "drop link")
    link = get_store().dropboxes.link(link_id)
    if link is None or link["workspace_id"] != workspace_id:
        raise ApiError(404, "not_found", "no such drop link in this workspace")
    return link



@blueprint.post("/api/workspaces/<workspace_id>/dropboxes")
@login_required
def create_link(workspace_id: str) -> tuple[Response, int]:
    user, _ = membership(workspace_id, "contributor")
    body = json_body()
    link_id = check_id(LINK_ID, body.get("link_id"), "drop link")
    max_files = number_up_to(body.get("max_files"), "max_files", MAX_FILES)
    max_file_bytes = number_up_to(body.get("max_file_bytes"), "max_file_bytes",
                                  current_app.config["PARAVENT"].max_file_bytes)
    expires_at = whole_number(body.get("expires_at"), "expires_at")
    link = {"id": link_id, "organization_id": user["organization_id"],
            "workspace_id": workspace_id, "created_by": user["id"], "created_at": time.time(),
            "expires_at": expires_at, "max_files": max_files, "max_file_bytes": max_file_bytes,
            "email_required": int(flag(body, "email_required", default=False)),
            "password": int(flag(body, "password", default=False)),
            "verify_key": blob(body, "verify_key", size=32),
            "link_info": blob(body, "link_info", max_bytes=MAX_SEALED),
            "descriptor": blob(body, "descriptor", max_bytes=MAX_SEALED),
            "descriptor_version": 1, "files_received": 0, "revoked_at": None,
            "revoked_by": None}
    store = get_store()
    check_link_allowed(store, user["organization_id"], workspace_id, "dropbox", expires_at,
                       link["password"])
    if store.dropboxes.link(link_id) is not None:
        raise ApiError(409, "exists", "a drop link already has this id")
    store.dropboxes.add_link(link)
    return jsonify(link_view(link)), 201


@blueprint.get("/api/workspaces/<workspace_id>/dropboxes")
@login_required
def list_links(workspace_id: str) -> Response:
    membership(workspace_id)
    links = get_store().dropboxes.links_of(workspace_id)
    return jsonify({"links": [link_view(link) for link in links]})


@blueprint.put("/api/workspaces/<workspace_id>/dropboxes/<drop_link_id>")
@login_required
def reseal_link(workspace_id: str, drop_link_id: str) -> Response:
    """The descriptor's next version (sealed under the workspace's current key)."""
    membership(workspace_id, "contributor")
    _link_of(workspace_id, drop_link_id)
    body = json_body()
    expected = whole_number(body.get("expected_version"), "expected_version")
    descriptor = blob(body, "descriptor", max_bytes=MAX_SEALED)
    if not get_store().dropboxes.reseal_link(drop_link_id, expected, descriptor):
        raise ApiError(409, "stale_version", "the drop link was re-sealed meanwhile")
    return jsonify(link_view(_link_of(workspace_id, drop_link_id)))


@blueprint.delete("/api/workspaces/<workspace_id>/dropboxes/<drop_link_id>")
@login_required
def revoke_link(workspace_id: str, drop_link_id: str) -> Response:
    """No deposit is taken through the link from now on; those received stay."""
    user, _ = membership(workspace_id, "contributor")
    link = _link_of(workspace_id, drop_link_id)
    if link["revoked_at"] is None:
        get_store().dropboxes.update_link(drop_link_id, revoked_at=time.time(),
                                          revoked_by=user["id"])
    return jsonify(link_view(_link_of(workspace_id, drop_link_id)))


@blueprint.get("/api/workspaces/<workspace_id>/deposits")
@login_required
def list_deposits(workspace_id: str) -> Response:
    membership(workspace_id)
    deposits = get_store().dropboxes.completed_deposits(workspace_id)
    return jsonify({"deposits": [_deposit_view(deposit) for deposit in deposits]})


@blueprint.post("/api/workspaces/<workspace_id>/deposits/<deposit_id>/filed")
@login_required
def mark_filed(workspace_id: str, deposit_id: str) -> Response:
    user, _ = membership(workspace_id, "contributor")
    check_id(DEPOSIT_ID, deposit_id, "deposit")
    store = get_store().dropboxes
    deposit = store.deposit(deposit_id)
    if deposit is None or deposit["workspace_id"] != workspace_id or not deposit["completed_at"]:
        raise ApiError(404, "not_found", "no such deposit in this workspace")
    if deposit["filed_at"] is None:
        store.update_deposit(deposit_id, filed_at=time.time(), filed_by=user["id"])
    return jsonify(_deposit_view(store.deposit(deposit_id) or deposit))
