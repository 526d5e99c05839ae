"""The notification API: a member asks the server to notify other members of a space (the
browser that wrote a mention or a request says whom and of what kind, nothing else); each user
lists their notifications across spaces with unread counts, marks a space's (or an item's) read,
and sets how often they are mailed and in which language."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.http.errors import ApiError
from api.http.inputs import choice, json_body
from api.identity.sessions import current_user, login_required
from api.notifications.mail_text import LANGUAGES
from api.notifications.records import KINDS, READ_EVENT, record_notifications, shown
from api.realtime.channel import notify_users
from api.storage.notifications import MAIL_MODES
from api.storage.pool import get_store
from api.workspaces.access import DOCUMENT_ID, WORKSPACE_ID, check_id, membership

blueprint = Blueprint("notifications", __name__)
MAX_RECIPIENTS = 100
LISTED = 50


def _item_id(body: dict[str, Any]) -> str | None:
    item = body.get("item_id")
    return None if item is None else check_id(DOCUMENT_ID, item, "item")


def _recipients(body: dict[str, Any], members: set[str], me: str) -> list[str]:
    """The body's `user_ids`: a list of members of the space (myself left out)."""
    user_ids = body.get("user_ids")
    if (not isinstance(user_ids, list) or not 1 <= len(user_ids) <= MAX_RECIPIENTS
            or not all(isinstance(user_id, str) for user_id in user_ids)):
        raise ApiError(400, "bad_request", f"'user_ids' must list 1 to {MAX_RECIPIENTS} members")
    strangers = [user_id for user_id in user_ids if user_id not in members]
    if strangers:
        raise ApiError(403, "not_a_member", "only members of this workspace can be notified")
    return sorted(set(user_ids) - {me})


@blueprint.post("/api/workspaces/<workspace_id>/notifications")
@login_required
def notify(workspace_id: str) -> tuple[Response, int]:
    user, _ = membership(workspace_id)
    body = json_body()
    kind = choice(body, "kind", KINDS)
    item_id = _item_id(body)
    store = get_store()
    members = {member["user_id"] for member in store.workspaces.members(workspace_id)}
    recipients = _recipients(body, members, user["id"])
    rows = record_notifications(current_app, store, workspace_id=workspace_id, kind=kind,
                                by_user_id=user["id"], recipient_ids=recipients,
                                item_id=item_id)
    return jsonify({"notified": len(rows)}), 201


@blueprint.get("/api/notifications")
@login_required
def list_notifications() -> Response:
    """My newest notifications across spaces, and my unread counts per space."""
    user = current_user()
    store = get_store().notifications
    unread = store.unread_by_workspace(user["id"])
    return jsonify({"notifications": [shown(row) for row in store.recent(user["id"], LISTED)],
                    "unread": {"total": sum(unread.values()), "workspaces": unread}})


@blueprint.post("/api/notifications/read")
@login_required
def mark_read() -> Response:
    """Mark my notifications of a space (`workspace_id`), or of one item in it, read."""
    user = current_user()
    body = json_body()
    workspace_id = check_id(WORKSPACE_ID, body.get("workspace_id"), "workspace")
    item_id = _item_id(body)
    read = get_store().notifications.mark_read(user["id"], workspace_id, item_id, time.time())
    if read:
        notify_users(current_app, [user["id"]], READ_EVENT,
                     {"workspace_id": workspace_id, "item_id": item_id})
    return jsonify({"read": read})


@blueprint.get("/api/notifications/preferences")
@login_required
def read_preferences() -> Response:
    return jsonify(get_store().notifications.preferences(current_user()["id"]))


@blueprint.put("/api/notifications/preferences")
@login_required
def write_preferences() -> Response:
    """How often I am mailed (`mail`: grouped, daily or never) and in which `language`."""
    body = json_body()
    mail = choice(body, "mail", MAIL_MODES)
    language = choice(body, "language", LANGUAGES)
    get_store().notifications.set_preferences(current_user()["id"], mail, language)
    return jsonify({"mail": mail, "language": language})
