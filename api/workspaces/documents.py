"""Encrypted documents (dossier, file and workspace manifests), every version kept.

Writing version N+1 requires naming N as the expected version: a writer who based an edit on an
older version gets 409 `stale_version` with the latest version, merges, and retries. Each
version carries the log entry that records it (its manifest's hash), appended in the same
transaction. Writers need the contributor role; the workspace manifest (its name) needs a
manager, and only it may carry the workspace's id (dossiers are `d-…`, files `f-…`).
The listing pages every document's latest version; `?ids=` gives those of up to
`MAX_DOCUMENT_IDS` named documents (the rows a page shows, such as the delivery board's).
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, choice, json_body, whole_number
from api.http.paging import paged
from api.identity.sessions import login_required
from api.realtime.channel import notify_users
from api.storage.pool import get_store
from api.workspaces.access import BLOCK_ID, DOCUMENT_ID, check_id, membership, queried_document_ids
from api.workspaces.log import appending, log_row
from api.workspaces.quota import check_file_bytes
from api.workspaces.routes import MAX_MANIFEST_BYTES
from api.workspaces.settings import workflow_of
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.workspace.workflow import check_workflow

blueprint = Blueprint("documents", __name__)
KINDS = ("workspace", "dossier", "file")
ID_PREFIXES = {"dossier": "d-", "file": "f-"}


def document_view(row: dict[str, Any]) -> dict[str, Any]:
    return {"document_id": row["document_id"], "version": row["version"], "kind": row["kind"],
            "author_id": row["author_id"], "created_at": row["created_at"],
            "deleted": bool(row["deleted"]),
            "manifest": b64_encode(row["manifest"])}


def _file_blocks(workspace_id: str, body: dict[str, Any]) -> list[str]:
    """The blocks a file version says it uses (so unused ones can be collected), all stored."""
    block_ids = body.get("block_ids")
    if not isinstance(block_ids, list):
        raise ApiError(400, "bad_request", "a file version lists its 'block_ids'")
    for block_id in block_ids:
        check_id(BLOCK_ID, block_id, "block")
    missing = get_store().workspaces.missing_blocks(workspace_id, block_ids)
    if missing:
        raise ApiError(400, "missing_blocks",
                       f"{len(missing)} block(s) of this file were not uploaded, e.g. {missing[0]}")
    check_file_bytes(workspace_id, block_ids)
    return block_ids


def _workflow(workspace_id: str, member: dict[str, Any], body: dict[str, Any]) -> str | None:
    """The clear copy of the workflow settings a new workspace manifest carries; changing them
    takes an owner."""
    if "workflow" not in body:
        return None
    try:
        settings = json.dumps(check_workflow(body["workflow"]), sort_keys=True)
    except CryptoError as error:
        raise ApiError(400, "bad_request", str(error)) from error
    if settings != workflow_of(workspace_id, as_json=True) and member["role"] != "owner":
        raise ApiError(403, "forbidden", "only an owner may change the workflow settings")
    return settings


@blueprint.put("/api/workspaces/<workspace_id>/documents/<document_id>")
@login_required
def put_document(workspace_id: str, document_id: str) -> tuple[Response, int]:
    body = json_body()
    kind = choice(body, "kind", KINDS)
    user, member = membership(workspace_id, "manager" if kind == "workspace" else "contributor")
    if kind == "workspace" and document_id != workspace_id:
        raise ApiError(400, "bad_request", "the workspace manifest has the workspace's id")
    if kind != "workspace" and not (check_id(DOCUMENT_ID, document_id, "document")
                                    .startswith(ID_PREFIXES[kind])):
        raise ApiError(400, "bad_request", f"a {kind}'s id begins with {ID_PREFIXES[kind]}")
    expected = whole_number(body.get("expected_version"), "expected_version")
    store = get_store().workspaces
    block_ids = _file_blocks(workspace_id, body) if kind == "file" else []
    workflow = _workflow(workspace_id, member, body) if kind == "workspace" else None
    deleted = body.get("deleted", False)
    if not isinstance(deleted, bool) or (deleted and kind != "file"):
        raise ApiError(400, "bad_request", "'deleted' is true or false, and only for files")
    entry = log_row(body, workspace_id, user["id"],
                    "settings" if kind == "workspace" else "document")
    with appending():
        latest = store.put_document({
            "workspace_id": workspace_id, "document_id": document_id, "version": expected + 1,
            "kind": kind, "author_id": user["id"],
            "manifest": blob(body, "manifest", max_bytes=MAX_MANIFEST_BYTES),
            "created_at": time.time(), "deleted": int(deleted)}, expected, entry, block_ids,
            workflow)
    if latest is not None:
        raise ApiError(409, "stale_version",
                       f"version {latest} was written meanwhile; merge with it and retry")
    members = [m["user_id"] for m in store.members(workspace_id)]
    notify_users(current_app, members, "workspace:changed", {
        "workspace_id": workspace_id, "what": "document", "document_id": document_id,
        "kind": kind, "version": expected + 1})
    return jsonify({"version": expected + 1}), 201


def _latest_of(workspace_id: str) -> list[Any]:
    """The latest version of each document `?ids=` names: the rows a page shows, read
    without listing every document."""
    return get_store().workspaces.latest_of(workspace_id, queried_document_ids())


@blueprint.get("/api/workspaces/<workspace_id>/documents")
@login_required
def list_documents(workspace_id: str) -> Response:
    membership(workspace_id)
    kind = request.args.get("kind")
    if kind is not None and kind not in KINDS:
        raise ApiError(400, "bad_request", f"kind must be one of {', '.join(KINDS)}")
    if "ids" in request.args:
        return jsonify({"documents": [document_view(row) for row in _latest_of(workspace_id)],
                        "next": None})
    page = paged(get_store().workspaces.latest_documents(workspace_id, kind),
                 key=lambda row: (row["created_at"], row["document_id"]))
    return jsonify({"documents": [document_view(row) for row in page.rows], "next": page.next})


@blueprint.get("/api/workspaces/<workspace_id>/documents/<document_id>/versions")
@login_required
def document_history(workspace_id: str, document_id: str) -> Response:
    membership(workspace_id)
    rows = get_store().workspaces.document_versions(workspace_id, document_id)
    if not rows:
        raise ApiError(404, "not_found", "no such document")
    page = paged(rows, key=lambda row: (row["version"],))
    return jsonify({"versions": [document_view(row) for row in page.rows], "next": page.next})


@blueprint.get("/api/workspaces/<workspace_id>/documents/<document_id>/versions/<int:version>")
@login_required
def document_version(workspace_id: str, document_id: str, version: int) -> Response:
    membership(workspace_id)
    row = get_store().workspaces.document(workspace_id, document_id, version)
    if row is None:
        raise ApiError(404, "not_found", "no such version")
    return jsonify(document_view(row))
