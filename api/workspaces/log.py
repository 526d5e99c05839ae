"""A workspace's log on the server: append-only, in order, with the role each kind needs.

Entries are signed, chained and encrypted by clients; the server checks only what it can see:
the member's role against the kind (the workflow's policy, shared with the clients), that the
entry follows the last one (409 `stale_log` otherwise: the client re-reads and retries), and the
size. The committee's entries are appended here; membership, settings and document entries
arrive with the write they record (`log_row`), in the same transaction. The roles come
from the workspace's workflow settings (api/workspaces/settings.py).
Members hear of every new entry live. Read markers say up to which entry each member has
read each dossier's discussion (for unread counts); they hold ids and numbers only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.errors import ApiError
from api.identity.sessions import login_required
from api.inputs import b64_encode, blob, json_body
from api.realtime import notify_users
from api.storage.queries import Row
from api.storage.workspaces import StaleLogError
from api.store import get_store
from api.workspaces.access import DOCUMENT_ID, check_id, membership
from api.workspaces.settings import workflow_of
from pycrypto_wasm.workspace.workflow import DEFAULT_POLICY, may_append

blueprint = Blueprint("log", __name__)
MAX_ENTRY_BYTES = 64 * 1024


def _whole_number(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ApiError(400, "bad_request", f"'{name}' must be a whole number")
    return value


def log_row(body: dict[str, Any], workspace_id: str, author_id: str, kind: str) -> Row:
    """The log entry a write carries (`{seq, kind, entry}`, as the crypto worker seals it),
    which must be of `kind`, as a row to append in the write's transaction."""
    entry = body.get("log_entry")
    if not isinstance(entry, dict) or entry.get("kind") != kind:
        raise ApiError(400, "bad_request", f"this write needs its log entry ('log_entry' of "
                       f"kind {kind})")
    return {"workspace_id": workspace_id, "seq": _whole_number(entry.get("seq"), "seq"),
            "kind": kind, "author_id": author_id,
            "entry": blob(entry, "entry", max_bytes=MAX_ENTRY_BYTES), "created_at": time.time()}


@contextmanager
def appending() -> Iterator[None]:
    """Turn a log entry that does not follow the log into 409 `stale_log`."""
    try:
        yield
    except StaleLogError as error:
        raise ApiError(409, "stale_log", f"the log has {error.length} entries: read it and "
                       "retry") from error


@blueprint.post("/api/workspaces/<workspace_id>/log")
@login_required
def append_entry(workspace_id: str) -> tuple[Response, int]:
    body = json_body()
    kind = body.get("kind")
    if kind not in DEFAULT_POLICY:
        raise ApiError(400, "bad_request", f"'kind' must be one of {', '.join(DEFAULT_POLICY)}")
    user, member = membership(workspace_id)
    policy = workflow_of(workspace_id)["policy"]
    if not may_append(member["role"], kind, policy):
        raise ApiError(403, "forbidden", f"your role ({member['role']}) may not record this "
                       f"({kind}); it needs {policy[kind]}")
    row = log_row({"log_entry": body}, workspace_id, user["id"], kind)
    store = get_store().workspaces
    with appending():
        store.append_log(row)
    seq = row["seq"]
    members = [m["user_id"] for m in store.members(workspace_id)]
    notify_users(current_app, members, "workspace:changed", {
        "workspace_id": workspace_id, "what": "log", "seq": seq, "kind": kind})
    return jsonify({"seq": seq}), 201


@blueprint.get("/api/workspaces/<workspace_id>/log")
@login_required
def read_log(workspace_id: str) -> Response:
    user, _ = membership(workspace_id)
    store = get_store().workspaces
    after = request.args.get("after", "0")
    if not after.isdigit():
        raise ApiError(400, "bad_request", "'after' must be a whole number")
    entries = [{"seq": row["seq"], "kind": row["kind"], "author_id": row["author_id"],
                "created_at": row["created_at"], "entry": b64_encode(row["entry"])}
               for row in store.log(workspace_id, int(after))]
    return jsonify({"entries": entries,
                    "read_markers": store.read_markers(user["id"], workspace_id)})


@blueprint.put("/api/workspaces/<workspace_id>/read-markers/<dossier_id>")
@login_required
def mark_read(workspace_id: str, dossier_id: str) -> Response:
    user, _ = membership(workspace_id)
    check_id(DOCUMENT_ID, dossier_id, "dossier")
    seq = _whole_number(json_body().get("seq"), "seq")
    get_store().workspaces.mark_read(user["id"], workspace_id, dossier_id, seq)
    return jsonify({"seq": seq})
