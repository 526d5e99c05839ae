"""Encrypted file blocks: uploaded raw, named by the BLAKE2b-256 of their ciphertext (checked
here, so a corrupted upload is refused), within a per-organization quota."""

from __future__ import annotations

import hashlib
import time

from flask import Blueprint, Response, current_app, request

from api.errors import ApiError
from api.identity.sessions import login_required
from api.storage.blockstore import BlockStore
from api.store import get_store
from api.workspaces.access import BLOCK_ID, check_id, membership

blueprint = Blueprint("blocks", __name__)


def _quota_full() -> ApiError:
    return ApiError(413, "quota_exceeded", "your organization's storage quota is full")


def _block_store() -> BlockStore:
    return current_app.extensions["paravent_blocks"]


@blueprint.put("/api/workspaces/<workspace_id>/blocks/<block_id>")
@login_required
def put_block(workspace_id: str, block_id: str) -> tuple[Response, int]:
    user, _ = membership(workspace_id, "contributor")
    check_id(BLOCK_ID, block_id, "block")
    config = current_app.config["PARAVENT"]
    data = request.get_data(cache=False)
    if len(data) > config.max_block_bytes:
        raise ApiError(413, "too_large", f"a block is at most {config.max_block_bytes} bytes")
    if hashlib.blake2b(data, digest_size=32).hexdigest() != block_id:
        raise ApiError(400, "block_mismatch", "the block's content does not match its name")
    store = get_store().workspaces
    if store.block(workspace_id, block_id) is None:
        organization = user["organization_id"]
        if store.organization_usage(organization) + len(data) > config.organization_quota_bytes:
            raise _quota_full()
        _block_store().put(workspace_id, block_id, data)
        added = store.add_block({"workspace_id": workspace_id, "block_id": block_id,
                                 "organization_id": organization, "size": len(data),
                                 "created_at": time.time()}, config.organization_quota_bytes)
        if not added:
            _block_store().delete(workspace_id, block_id)
            raise _quota_full()
    return Response(status=201)


@blueprint.get("/api/workspaces/<workspace_id>/blocks/<block_id>")
@login_required
def get_block(workspace_id: str, block_id: str) -> Response:
    membership(workspace_id)
    check_id(BLOCK_ID, block_id, "block")
    if get_store().workspaces.block(workspace_id, block_id) is None:
        raise ApiError(404, "not_found", "no such block")
    data = _block_store().get(workspace_id, block_id)
    if data is None:
        raise ApiError(404, "not_found", "the block is missing from storage")
    return Response(data, mimetype="application/octet-stream",
                    headers={"Cache-Control": "private, max-age=31536000, immutable"})
