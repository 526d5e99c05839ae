"""A workspace's log on the server: append-only, in order, with the role each kind needs.

Entries are signed, chained and encrypted by clients; the server checks only what it can see:
the member's role against the kind (the workflow's policy, shared with the clients), where the
entry goes, and the size. A write (format 4 of pycrypto_wasm/workspace/log.py) names the head
its writer verified: the server places it after the last entry (its seq and the previous
entry's hash, which every reader checks), unless an entry that changes membership, keys or
settings came after that head (409 `stale_log`: the writer must see it). Concurrent writes on
different things never wait for each other; two versions of one document still conflict on
the document's expected version. Older clients' entries (formats 2 and 3) must follow the last
entry exactly. The committee's entries are appended here; membership, settings and document entries
arrive with the write they record (`log_row`), in the same transaction. The roles come
from the workspace's workflow settings (api/workspaces/settings.py).
Members hear of every new entry live. Up to where each member has read each dossier's
discussion is in their own sealed state (api/workspaces/own_state.py), not here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, choice, json_body, query_whole_number, whole_number
from api.http.paging import MAX_LIMIT, paged
from api.identity.sessions import login_required
from api.partners.escalation import receipt_check, receipt_reached
from api.realtime.channel import notify_users
from api.storage.pool import get_store
from api.storage.queries import Row
from api.storage.workspaces import StaleLogError
from api.workspaces.access import membership
from api.workspaces.settings import workflow_of
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.workspace.log import VERSION as WRITE_FORMAT
from pycrypto_wasm.workspace.log import write_claims
from pycrypto_wasm.workspace.workflow import DEFAULT_POLICY, may_append

blueprint = Blueprint("log", __name__)
MAX_ENTRY_BYTES = 64 * 1024


def log_row(body: dict[str, Any], workspace_id: str, author_id: str, kind: str) -> Row:
    """The log entry a write carries (`{seq, kind, entry}`, as the crypto worker seals it),
    which must be of `kind`, as a row to append in the write's transaction."""
    entry = body.get("log_entry")
    if not isinstance(entry, dict) or entry.get("kind") != kind:
        raise ApiError(400, "bad_request", f"this write needs its log entry ('log_entry' of "
                       f"kind {kind})")
    written = blob(entry, "entry", max_bytes=MAX_ENTRY_BYTES)
    if written[:1] == bytes([WRITE_FORMAT]):
        try:
            claims = write_claims(written)
        except CryptoError as error:
            raise ApiError(400, "bad_request", f"the log entry is not a write: {error}") from error
        if claims.kind != kind:
            raise ApiError(400, "bad_request", f"the log entry's write is of kind {claims.kind}, "
                           f"not {kind}")
        seq = None
    else:
        seq = whole_number(entry.get("seq"), "seq")
    return {"workspace_id": workspace_id, "seq": seq, "kind": kind, "author_id": author_id,
            "entry": written, "created_at": time.time()}


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
    kind = choice(body, "kind", tuple(DEFAULT_POLICY))
    user, member = membership(workspace_id)
    policy = workflow_of(workspace_id)["policy"]
    if not may_append(member["role"], kind, policy):
        raise ApiError(403, "forbidden", f"your role ({member['role']}) may not record this "
                       f"({kind}); it needs {policy[kind]}")
    row = log_row({"log_entry": body}, workspace_id, user["id"], kind)
    receipt = receipt_check(write_claims(row["entry"]), workspace_id, user["id"]) \
        if row["seq"] is None else None
    store = get_store().workspaces
    with appending():
        store.append_log(row)
    if receipt is not None:
        receipt_reached(workspace_id, receipt)
    seq = row["seq"]
    members = [m["user_id"] for m in store.members(workspace_id)]
    notify_users(current_app, members, "workspace:changed", {
        "workspace_id": workspace_id, "what": "log", "seq": seq, "kind": kind})
    return jsonify({"seq": seq}), 201


@blueprint.get("/api/workspaces/<workspace_id>/log")
@login_required
def read_log(workspace_id: str) -> Response:
    membership(workspace_id)
    store = get_store().workspaces
    after = query_whole_number("after")
    # Paged from a position (`after`, the last entry a reader holds): one page and one more
    # row, so `next` says whether more follow; a cursor pages over every entry after `after`.
    rows = store.log(workspace_id, after, None if request.args.get("cursor") else MAX_LIMIT + 1)
    page = paged(rows, key=lambda row: (row["seq"],))
    entries = [{"seq": row["seq"], "kind": row["kind"], "author_id": row["author_id"],
                "created_at": row["created_at"], "entry": b64_encode(row["entry"])}
               for row in page.rows]
    return jsonify({"entries": entries, "next": page.next})

