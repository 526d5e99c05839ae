"""Storage: the one interface the routes use, whatever engine is behind it.

Metadata live in SQLite (the default) or PostgreSQL, behind one SQL store (`sqlstore.py` on
`engine.py`); block bytes in the data folder or an S3-compatible bucket (`blocks/`). The
configuration chooses (`--database`, `--blocks`).
"""

from __future__ import annotations

from typing import Protocol

from api.storage.dropboxes import DropboxStore
from api.storage.escalations import EscalationStore
from api.storage.identity import IdentityStore
from api.storage.notifications import NotificationStore
from api.storage.partners import PartnerStore
from api.storage.policies import PolicyStore
from api.storage.share_links import ShareLinkStore
from api.storage.workspaces import WorkspaceStore


class Store(Protocol):
    """What the server stores. Grows one domain at a time (users, workspaces, blocks…)."""

    identity: IdentityStore
    workspaces: WorkspaceStore
    notifications: NotificationStore
    partners: PartnerStore
    escalations: EscalationStore
    policies: PolicyStore
    share_links: ShareLinkStore
    dropboxes: DropboxStore

    def check(self) -> None:
        """Raise if the storage cannot be read and written."""

    def instance_id(self) -> str:
        """The random id this server's database was created with."""

    def close(self) -> None:
        """Release this request's resources."""
