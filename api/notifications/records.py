"""What a notification is, and recording one: a row per recipient (which space, which item by
id, which kind, by whom, when), told live to the recipient's open pages and queued for mail
unless they never want mail. The kinds are a small fixed set; nothing else is kept."""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import Flask

from api.notifications.sender import start_sender
from api.realtime.channel import notify_users
from api.storage import Store
from api.storage.queries import Row

KINDS = ("mention", "document_request", "results_waiting", "signature_awaited")
# Kinds only the server records (a member's page cannot send them): a download link ended.
SERVER_KINDS = ("link_ended",)
NEW_EVENT = "notification:new"
READ_EVENT = "notification:read"


def shown(row: Row) -> dict[str, Any]:
    """A notification as its recipient's page gets it."""
    return {"notification_id": row["id"], "workspace_id": row["workspace_id"],
            "item_id": row["item_id"], "kind": row["kind"], "by_user_id": row["by_user_id"],
            "created_at": row["created_at"], "read": row["read_at"] is not None}


def record_notifications(app: Flask, store: Store, *, workspace_id: str, kind: str,
                         by_user_id: str, recipient_ids: list[str],
                         item_id: str | None = None) -> list[Row]:
    """Notify each of `recipient_ids` (members of the space: the caller checked) of `kind`."""
    now = time.time()
    rows = [{"id": f"n-{secrets.token_hex(16)}", "user_id": user_id,
             "workspace_id": workspace_id, "item_id": item_id, "kind": kind,
             "by_user_id": by_user_id, "created_at": now, "read_at": None,
             "mail_state": ("none" if store.notifications.preferences(user_id)["mail"] == "never"
                            else "pending"),
             "mail_claim": None, "claimed_at": None, "mailed_at": None}
            for user_id in recipient_ids]
    store.notifications.add(rows)
    for row in rows:
        notify_users(app, [row["user_id"]], NEW_EVENT, shown(row))
    if any(row["mail_state"] == "pending" for row in rows):
        start_sender(app)
    return rows
