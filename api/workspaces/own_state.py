"""Each member's own state in a workspace: one opaque blob per (user, workspace), sealed by the
user's crypto worker with a key only they hold (today it carries their read markers, so the
server no longer sees which dossiers they read, nor when, beyond the blob's size and write times).

Versions only grow: version N + 1 is stored only on top of N (409 `stale_state` otherwise: the
worker reads the newer state, merges and writes again). Only the member reads or writes their
own state; nobody else's is ever served.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, json_body, whole_number
from api.identity.sessions import login_required
from api.storage.pool import get_store
from api.workspaces.access import membership

blueprint = Blueprint("own_state", __name__)
MAX_STATE_BYTES = 64 * 1024


@blueprint.get("/api/workspaces/<workspace_id>/my-state")
@login_required
def read_own_state(workspace_id: str) -> Response:
    """My own state in the workspace: its version (0: none yet) and the sealed blob."""
    user, _ = membership(workspace_id)
    held = get_store().workspaces.own_state(user["id"], workspace_id)
    if held is None:
        return jsonify({"version": 0, "state": None, "updated_at": None})
    return jsonify({"version": held["version"], "state": b64_encode(held["state"]),
                    "updated_at": held["updated_at"]})


@blueprint.put("/api/workspaces/<workspace_id>/my-state")
@login_required
def write_own_state(workspace_id: str) -> Response:
    """Store version N of my own state (`{version, state}`), on top of version N - 1."""
    user, _ = membership(workspace_id)
    body = json_body()
    version = whole_number(body.get("version"), "version")
    if version < 1:
        raise ApiError(400, "bad_request", "'version' starts at 1")
    state = blob(body, "state", max_bytes=MAX_STATE_BYTES)
    held = get_store().workspaces.put_own_state({
        "user_id": user["id"], "workspace_id": workspace_id, "version": version,
        "state": state, "updated_at": time.time()})
    if held is not None:
        raise ApiError(409, "stale_state", f"your own state is at version {held}: read it, "
                       "merge and write the next version")
    return jsonify({"version": version})
