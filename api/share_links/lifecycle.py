"""How a download link ends, and who is told: a link ends when it expires, when its last
download is counted (exhausted) or when a member revokes it; the sharer then gets an in-app
notification (`link_ended`), unless they revoked it themselves. Expired links are found when
something reads them, and by a sweep that runs at most once a minute per process before a
member's read."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, request

from api.http.errors import ApiError
from api.notifications.records import record_notifications
from api.storage import Store
from api.storage.pool import get_store
from api.storage.queries import Row

ENDED_CODES = {"expired": "link_expired", "exhausted": "link_exhausted",
               "revoked": "link_revoked"}
ENDED_MESSAGES = {"expired": "this link has expired",
                  "exhausted": "this link has been used as many times as it allows",
                  "revoked": "this link was revoked by the person who shared it"}
SWEEP_EVERY = 60.0
# Signed-in reads that run the sweep (the notifications a member's page polls among them).
SWEPT_PATHS = ("/api/notifications", "/api/workspaces")


def end_link(app: Flask, store: Store, link: Row, reason: str, *, by_user_id: str | None = None,
             now: float | None = None) -> bool:
    """Marks the link ended for `reason` and tells its sharer; False if it had already ended."""
    now = time.time() if now is None else now
    changes: dict[str, Any] = {"revoked_at": now, "revoked_by": by_user_id} \
        if reason == "revoked" else {}
    if not store.share_links.end(link["id"], reason, now, **changes):
        return False
    if by_user_id != link["created_by"]:
        record_notifications(app, store, workspace_id=link["workspace_id"], kind="link_ended",
                             by_user_id=by_user_id or link["created_by"],
                             recipient_ids=[link["created_by"]], item_id=link["id"])
    return True


def current(link: Row, now: float | None = None) -> Row:
    """The link as it stands now: one past its expiry is ended (and its sharer told)."""
    now = time.time() if now is None else now
    if link["ended_at"] is None and link["expires_at"] <= now:
        store = get_store()
        end_link(current_app._get_current_object(), store, link, "expired", now=now)  # type: ignore[attr-defined]
        return store.share_links.link(link["id"]) or link
    return link


def refuse_if_ended(link: Row) -> None:
    """A 410 naming why the link ended (the recipient's page shows its own page for each)."""
    reason = link["ended_reason"]
    if reason is not None:
        raise ApiError(410, ENDED_CODES[reason], ENDED_MESSAGES[reason])


def sweep_expired(app: Flask, store: Store, now: float) -> int:
    ended = 0
    for link in store.share_links.still_open_expired(now):
        ended += end_link(app, store, link, "expired", now=now)
    return ended


def init_link_sweep(app: Flask) -> None:
    last = {"at": 0.0}

    @app.before_request
    def _sweep_expired_links() -> None:
        if request.method != "GET" or not request.path.startswith(SWEPT_PATHS):
            return
        moment = time.monotonic()
        if moment - last["at"] < SWEEP_EVERY:
            return
        last["at"] = moment
        sweep_expired(app, get_store(), time.time())
