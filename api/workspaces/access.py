"""Who may do what in a workspace: membership and role, checked on every request."""

from __future__ import annotations

import re
from typing import Any

from api.http.errors import ApiError
from api.identity.sessions import current_user
from api.storage.pool import get_store

ROLES = ("reader", "contributor", "manager", "owner")
WORKSPACE_ID = re.compile(r"^w-[0-9a-f]{24}$")
DOCUMENT_ID = re.compile(r"^[a-z]-[0-9a-f]{24,32}$")
BLOCK_ID = re.compile(r"^[0-9a-f]{64}$")


def rank(role: str) -> int:
    return ROLES.index(role)


def check_id(pattern: re.Pattern[str], value: object, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ApiError(400, "bad_request", f"malformed {what} id")
    return value


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
