"""Who may do what in a workspace: membership and role, checked on every request."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from api.http.errors import ApiError
from api.identity.sessions import current_user
from api.storage.pool import get_store

ROLES = ("reader", "contributor", "manager", "owner")
WORKSPACE_ID = re.compile(r"^w-[0-9a-f]{24}$")
DOCUMENT_ID = re.compile(r"^[a-z]-[0-9a-f]{24,32}$")
BLOCK_ID = re.compile(r"^[0-9a-f]{64}$")
# Documents one request may name by id (`?ids=`): a page's rows.
MAX_DOCUMENT_IDS = 100


def rank(role: str) -> int:
    return ROLES.index(role)


def check_id(pattern: re.Pattern[str], value: object, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ApiError(400, "bad_request", f"malformed {what} id")
    return value


def queried_document_ids() -> list[str]:
    """The documents `?ids=` names (comma-separated, 1 to `MAX_DOCUMENT_IDS`, distinct)."""
    ids = request.args.get("ids", "").split(",")
    if not 1 <= len(ids) <= MAX_DOCUMENT_IDS or len(set(ids)) != len(ids):
        raise ApiError(400, "bad_request",
                       f"'ids' names 1 to {MAX_DOCUMENT_IDS} distinct documents")
    for document_id in ids:
        check_id(DOCUMENT_ID, document_id, "document")
    return ids


def membership(workspace_id: str, minimum_role: str = "reader") -> tuple[dict[str, Any],
                                                                        dict[str, Any]]:
    """(the signed-in user, their membership), or 404 for non-members, 403 for a weaker role."""
    user = current_user()
    check_id(WORKSPACE_ID, workspace_id, "workspace")
    member = get_store().workspaces.membership(workspace_id, user["id"])
    if member is None:
        raise ApiError(404, "not_found", "no such workspace, or you are not a member")
    if rank(member["role"]) < rank(minimum_role):
        raise ApiError(403, "forbidden",
                       f"your role ({member['role']}) does not allow this in this workspace")
    return user, member
