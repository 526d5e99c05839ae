"""What a sharing policy says and how one is checked.

A workspace's effective policy is its organization's, tightened by the workspace's own: a kind
exists only if both allow it, the longest duration is the smaller, and a password or a
watermark is required if either requires it. Without any policy set, both kinds exist, for at
most `DEFAULT_MAX_DAYS` days, with no password or watermark required.

`check_link_allowed` is the one check every creation of a link (download link or drop box)
goes through on the server; `web/policies.js` applies the same rules in the browser.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from api.http.errors import ApiError
from api.storage import Store
from api.storage.queries import Row

KINDS = ("link", "dropbox")
# How external contacts get a space's files, from the most open to the strictest (the page
# applies it: the server serves the same blocks to every member).
EXTERNAL_FILES = ("download", "download_watermarked", "preview_only")
DEFAULT_MAX_DAYS = 30
LONGEST_MAX_DAYS = 365
DAY = 86400.0
# A link may be created with the longest duration a few seconds after the page computed it.
CLOCK_SLACK = 300.0


@dataclass(frozen=True)
class Policy:
    links: bool = True
    dropboxes: bool = True
    max_days: int = DEFAULT_MAX_DAYS
    password_required: bool = False
    watermark_required: bool = False
    external_files: str = "download"

    def allows(self, kind: str) -> bool:
        return self.links if kind == "link" else self.dropboxes

    def tightened_by(self, other: Policy) -> Policy:
        return Policy(
            links=self.links and other.links, dropboxes=self.dropboxes and other.dropboxes,
            max_days=min(self.max_days, other.max_days),
            password_required=self.password_required or other.password_required,
            watermark_required=self.watermark_required or other.watermark_required,
            external_files=max(self.external_files, other.external_files,
                               key=EXTERNAL_FILES.index))

    def view(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Row | None) -> Policy:
        if row is None:
            return cls()
        return cls(links=bool(row["links"]), dropboxes=bool(row["dropboxes"]),
                   max_days=int(row["max_days"]),
                   password_required=bool(row["password_required"]),
                   watermark_required=bool(row["watermark_required"]),
                   external_files=row["external_files"])


def organization_policy(store: Store, organization_id: str) -> Policy:
    return Policy.from_row(store.policies.policy(organization_id))


def workspace_policy(store: Store, workspace_id: str) -> Policy:
    """The workspace's own policy (before its organization's tightens it)."""
    return Policy.from_row(store.policies.policy(workspace_id))


def effective_policy(store: Store, organization_id: str, workspace_id: str) -> Policy:
    return organization_policy(store, organization_id).tightened_by(
        workspace_policy(store, workspace_id))


def _refused(message: str) -> ApiError:
    return ApiError(403, "policy_forbids", message)


def check_link_allowed(store: Store, organization_id: str, workspace_id: str, kind: str,
                       expires_at: float, password: bool, watermark: bool | None = None,
                       now: float | None = None) -> Policy:
    """The effective policy, if it allows creating a link of `kind` ("link" or "dropbox") that
    ends at `expires_at` (seconds since the epoch), with or without a password; `watermark` is
    None when the server cannot see it (the browser checks it). Otherwise 403 `policy_forbids`
    (or 400 for an expiry in the past), saying which rule refused it."""
    if kind not in KINDS:
        raise ApiError(400, "bad_request", f"unknown link kind {kind!r}")
    policy = effective_policy(store, organization_id, workspace_id)
    now = time.time() if now is None else now
    what = "download links" if kind == "link" else "drop boxes"
    if not policy.allows(kind):
        raise _refused(f"the sharing policy does not allow {what} here")
    if expires_at <= now:
        raise ApiError(400, "bad_request", "the expiry must be in the future")
    if expires_at > now + policy.max_days * DAY + CLOCK_SLACK:
        raise _refused(f"the sharing policy allows {what} of at most {policy.max_days} days")
    if policy.password_required and not password:
        raise _refused(f"the sharing policy requires a password on {what}")
    if policy.watermark_required and watermark is False:
        raise _refused(f"the sharing policy requires a watermark on {what}")
    return policy
