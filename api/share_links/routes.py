"""The members' side of download links: create one for file versions of a workspace (under the
sharing policy), list the workspace's links with their access lists, revoke one."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.http.errors import ApiError
from api.http.inputs import (
    b64_encode,
    blob,
    json_body,
    number_up_to,
    optional_blob,
    whole_number,
)
from api.policies.rules import check_link_allowed
from api.share_links.lifecycle import current, end_link
from api.storage.pool import get_store
from api.storage.queries import Row
from api.workspaces.access import BLOCK_ID, check_id, membership, rank

blueprint = Blueprint("share_links", __name__)

LINK_ID = re.compile(r"^l-[0-9a-f]{24}$")
MAX_DOWNLOADS = 1000
MAX_PAYLOAD = 1024 * 1024
MAX_LINK_BLOCKS = 20000  # 10 GiB of 512 KiB blocks
PASSWORD_HEADER_SIZE = 17
PROOF_SIZE = 32


def _block_ids(body: dict[str, Any], workspace_id: str) -> list[str]:
    block_ids = body.get("block_ids")
    if not isinstance(block_ids, list) or len(block_ids) > MAX_LINK_BLOCKS:
        raise ApiError(400, "bad_request", f"'block_ids' must list at most {MAX_LINK_BLOCKS} ids")
    for block_id in block_ids:
        check_id(BLOCK_ID, block_id, "block")
    missing = get_store().workspaces.missing_blocks(workspace_id, block_ids)
    if missing:
        raise ApiError(404, "not_found", f"no such block: {missing[0]}")
    return block_ids


def link_view(link: Row, user_id: str) -> dict[str, Any]:
    """A link as the members' list shows it: its state, its counts and its access list."""
    return {
        "link_id": link["id"], "created_by": link["created_by"], "mine":
        link["created_by"] == user_id, "created_at": link["created_at"],
        "expires_at": link["expires_at"], "max_downloads": link["max_downloads"],
        "downloads": link["downloads"], "password": link["password_header"] is not None,
        "ended_reason": link["ended_reason"], "ended_at": link["ended_at"],
        "sharer_copy": b64_encode(link["sharer_copy"]), "key_index": link["key_index"],
        "accesses": [{"at": access["at"], "event": access["event"]}
                     for access in get_store().share_links.accesses(link["id"])],
    }


@blueprint.post("/api/workspaces/<workspace_id>/share-links")
def create_link(workspace_id: str) -> tuple[Response, int]:
    user, _ = membership(workspace_id, "contributor")
    body = json_body()
    link_id = check_id(LINK_ID, body.get("link_id"), "link")
    expires_at = whole_number(body.get("expires_at"), "expires_at")
    max_downloads = number_up_to(body.get("max_downloads"), "max_downloads", MAX_DOWNLOADS)
    header = optional_blob(body, "password_header", max_bytes=PASSWORD_HEADER_SIZE)
    if header is not None and len(header) != PASSWORD_HEADER_SIZE:
        raise ApiError(400, "bad_request", "'password_header' has the wrong size")
    link = {
        "id": link_id, "organization_id": user["organization_id"], "workspace_id": workspace_id,
        "created_by": user["id"], "created_at": time.time(), "expires_at": float(expires_at),
        "max_downloads": max_downloads, "downloads": 0, "password_header": header,
        "verifier": blob(body, "verifier", size=32),
        "key_box": blob(body, "key_box", max_bytes=128),
        "payload": blob(body, "payload", max_bytes=MAX_PAYLOAD),
        "sharer_copy": blob(body, "sharer_copy", max_bytes=1024),
        "key_index": whole_number(body.get("key_index"), "key_index"),
        "revoked_at": None, "revoked_by": None, "ended_at": None, "ended_reason": None,
    }
    block_ids = _block_ids(body, workspace_id)
    store = get_store()
    check_link_allowed(store, user["organization_id"], workspace_id, "link", expires_at,
                       password=header is not None)
    if store.share_links.link(link_id) is not None:
        raise ApiError(409, "link_exists", "a link already has this id")
    store.share_links.add(link, block_ids)
    return jsonify(link_view(link, user["id"])), 201


@blueprint.get("/api/workspaces/<workspace_id>/share-links")
def list_links(workspace_id: str) -> Response:
    user, _ = membership(workspace_id)
    links = [current(link) for link in get_store().share_links.links_of(workspace_id)]
    return jsonify({"links": [link_view(link, user["id"]) for link in links]})


@blueprint.delete("/api/workspaces/<workspace_id>/share-links/<link_id>")
def revoke_link(workspace_id: str, link_id: str) -> Response:
    """Its sharer, or a manager of the workspace, revokes a link: it gives no more bytes."""
    user, member = membership(workspace_id)
    store = get_store()
    link = store.share_links.link(link_id) if LINK_ID.match(link_id) else None
    if link is None or link["workspace_id"] != workspace_id:
        raise ApiError(404, "not_found", "no such link in this workspace")
    if link["created_by"] != user["id"] and rank(member["role"]) < rank("manager"):
        raise ApiError(403, "forbidden", "only its sharer or a manager can revoke a link")
    end_link(current_app._get_current_object(), store, link, "revoked",  # type: ignore[attr-defined]
             by_user_id=user["id"])
    return jsonify(link_view(store.share_links.link(link_id) or link, user["id"]))
