"""Per-user rate limits on what a signed-in member can repeat cheaply and others pay for:
creating workspaces, writing documents and log entries (and the notifications that follow
them), uploading blocks, and presence events (each one is broadcast to every member of the
workspace). Over the limit: HTTP 429, or a refused
Socket.IO acknowledgement, both `rate_limited`.

Every Socket.IO event counts in a group (those not listed in `OTHER_EVENTS`), and is counted
before any database work: the socket's user comes from memory (api/realtime/socket_sessions.py),
so a flood of events on one socket costs no more than the counting.

Which endpoint or event counts in which group is this module's table; the limits per minute are
settings (api/config.py). Hits are counted in the app's rate-limit store (api/limits/).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request

from api.config import Config
from api.identity.sessions import current_user
from api.limits.identity_limits import rate_limit_store, too_many
from api.realtime.socket_sessions import socket_user_id

# Flask endpoint -> group of per-user limits.
ENDPOINT_GROUPS = {
    "workspaces.create_workspace": "workspace_creations",
    "documents.put_document": "document_writes",
    "log.append_entry": "log_writes",
    "own_state.write_own_state": "log_writes",
    "notifications.notify": "log_writes",
    "blocks.upload_blocks": "block_uploads",
}
# Socket.IO event name's prefix -> group of per-user (or, for a socket with no user,
# per-socket) limits; any other event counts in OTHER_EVENTS.
EVENT_GROUPS = {
    "presence:": "presence_events",
    "invitation:": "invitation_events",
}
OTHER_EVENTS = "other_events"


def limit_of(config: Config, group: str) -> int:
    return {
        "workspace_creations": config.workspace_creations_per_minute,
        "document_writes": config.document_writes_per_minute,
        "log_writes": config.log_writes_per_minute,
        "block_uploads": config.block_uploads_per_minute,
        "presence_events": config.presence_events_per_minute,
        "invitation_events": config.ceremony_requests_per_minute,
        OTHER_EVENTS: config.presence_events_per_minute,
    }[group]


def _check(group: str, who: str) -> None:
    limit = limit_of(current_app.config["PARAVENT"], group)
    if not rate_limit_store().allow(f"{group}:{who}", limit, time.monotonic()):
        raise too_many(group.replace("_", " "))


def check_event_limit(event: str) -> None:
    """Raise a 429 ApiError if this socket's user (or this socket, if it has none) sent
    `event`'s group too often. No database work."""
    group = next((group for prefix, group in EVENT_GROUPS.items() if event.startswith(prefix)),
                 OTHER_EVENTS)
    user_id = socket_user_id()
    _check(group, f"user:{user_id}" if user_id else f"socket:{request.sid}")


def init_user_limits(app: Flask) -> None:
    @app.before_request
    def _per_user_limit() -> None:
        group = ENDPOINT_GROUPS.get(request.endpoint or "")
        if group is not None:
            _check(group, f"user:{current_user()['id']}")
