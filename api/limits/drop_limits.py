"""Rate limits on the drop links' anonymous routes (api/dropboxes/): each request counts once
for the link it names and once for the client's address (behind a trusted proxy, the client
`X-Forwarded-For` names), in sliding windows of a minute in the app's rate-limit store, so that
neither one address nor many addresses together can flood a link."""

from __future__ import annotations

import time

from flask import current_app, request

from api.limits.identity_limits import rate_limit_store, too_many


def check_drop_limits(link_id: str) -> None:
    """Raise a 429 ApiError when this link, or this client, asked too often this minute."""
    limit = current_app.config["PARAVENT"].drop_requests_per_minute
    now = time.monotonic()
    store = rate_limit_store()
    for key in (f"drop-link:{link_id}", f"drop-client:{request.remote_addr}"):
        if not store.allow(key, limit, now):
            raise too_many("requests to this drop link")
