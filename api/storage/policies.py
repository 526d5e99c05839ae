"""Storage for sharing policies: one row per organization (set by its administrators) and one
per workspace (set by its owners), each saying which ways of sharing with people without an
account exist there (download links, drop boxes), their longest duration, and whether a password
and a watermark are required (SQL shared by both engines, see engine.py)."""

from __future__ import annotations

from api.storage.engine import Connection
from api.storage.queries import Row, insert, one


class PolicyStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    def policy(self, scope_id: str) -> Row | None:
        """The policy of an organization or a workspace (by its id), or None if never set."""
        return one(self.db, "select * from sharing_policies where scope_id = ?", [scope_id])

    def put(self, row: Row) -> None:
        self.db.execute("delete from sharing_policies where scope_id = ?", [row["scope_id"]])
        insert(self.db, "sharing_policies", row)
