"""Storage for download links: the links (what the server keeps of each, see
api/share_links/), the blocks each lets its recipients read, and each link's access list
(SQL shared by both engines, see engine.py)."""

from __future__ import annotations

from typing import Any

from api.storage.engine import Connection
from api.storage.queries import Row, insert, one


class ShareLinkStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    def add(self, link: Row, block_ids: list[str]) -> None:
        with self.db.transaction():
            insert(self.db, "share_links", link)
            self.db.executemany(
                "insert into share_link_blocks (link_id, block_id) values (?, ?)",
                [[link["id"], block_id] for block_id in dict.fromkeys(block_ids)])

    def link(self, link_id: str) -> Row | None:
        return one(self.db, "select * from share_links where id = ?", [link_id])

    def links_of(self, workspace_id: str) -> list[Row]:
        return list(self.db.query(
            "select * from share_links where workspace_id = ? order by created_at",
            [workspace_id]))

    def still_open_expired(self, now: float) -> list[Row]:
        """Links past their expiry not yet marked ended."""
        return list(self.db.query(
            "select * from share_links where ended_at is null and expires_at <= ?", [now]))

    def has_block(self, link_id: str, block_id: str) -> bool:
        return one(self.db, "select 1 as found from share_link_blocks "
                   "where link_id = ? and block_id = ?", [link_id, block_id]) is not None

    def end(self, link_id: str, reason: str, now: float, **changes: Any) -> bool:
        """Marks an open link ended; False if it had already ended."""
        columns = "".join(f", {column} = ?" for column in changes)
        ended = self.db.execute(
            f"update share_links set ended_at = ?, ended_reason = ?{columns} "
            "where id = ? and ended_at is null", [now, reason, *changes.values(), link_id])
        return ended.rowcount == 1

    def count_download(self, link_id: str) -> int | None:
        """One more download of an open link that has downloads left: its new count, or None."""
        with self.db.transaction():
            counted = self.db.execute(
                "update share_links set downloads = downloads + 1 where id = ? "
                "and ended_at is null and downloads < max_downloads", [link_id])
            if counted.rowcount != 1:
                return None
            row = one(self.db, "select downloads from share_links where id = ?", [link_id])
            return int(row["downloads"]) if row else None

    def record_access(self, link_id: str, at: float, event: str) -> None:
        insert(self.db, "share_link_accesses", {"link_id": link_id, "at": at, "event": event})

    def accesses(self, link_id: str) -> list[Row]:
        return list(self.db.query(
            "select at, event from share_link_accesses where link_id = ? order by at",
            [link_id]))
