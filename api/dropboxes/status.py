"""Whether a drop link takes deposits: open, or expired, revoked or exhausted (each its own
410 code, so the depositor's page says which in the depositor's language)."""

from __future__ import annotations

import re
import time
from typing import Any

from api.http.errors import ApiError

LINK_ID = re.compile(r"^l-[0-9a-f]{24}$")
DEPOSIT_ID = re.compile(r"^d-[0-9a-f]{24}$")
CLOSED = {
    "revoked": "this drop link was revoked",
    "expired": "this drop link has expired",
    "exhausted": "this drop link has received all the files it accepts",
}


def link_status(link: dict[str, Any], now: float | None = None) -> str:
    if link["revoked_at"] is not None:
        return "revoked"
    if link["expires_at"] <= (time.time() if now is None else now):
        return "expired"
    if link["files_received"] >= link["max_files"]:
        return "exhausted"
    return "open"


def require_open(link: dict[str, Any]) -> None:
    """410 `link_revoked`, `link_expired` or `link_exhausted` unless the link is open."""
    status = link_status(link)
    if status != "open":
        raise ApiError(410, f"link_{status}", CLOSED[status])
