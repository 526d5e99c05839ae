"""Storage for drop boxes: drop links, the deposits made through them, the blocks each deposit
holds (so the collector keeps them), and depositors' e-mail confirmation codes (SQL shared by
both engines, see engine.py)."""

from __future__ import annotations

from typing import Any

from api.storage.engine import Connection
from api.storage.queries import Row, insert, one


class DropboxStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    # links ------------------------------------------------------------------------------------
    def add_link(self, link: Row) -> None:
        insert(self.db, "drop_links", link)

    def link(self, link_id: str) -> Row | None:
        return one(self.db, "select * from drop_links where id = ?", [link_id])

    def links_of(self, workspace_id: str) -> list[Row]:
        return list(self.db.query(
            "select * from drop_links where workspace_id = ? order by created_at, id",
            [workspace_id]))

    def update_link(self, link_id: str, **changes: Any) -> None:
        columns = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(f"update drop_links set {columns} where id = ?",
                        [*changes.values(), link_id])

    def reseal_link(self, link_id: str, expected_version: int, descriptor: bytes) -> bool:
        """Store the descriptor's next version only on top of `expected_version`."""
        changed = self.db.execute(
            "update drop_links set descriptor = ?, descriptor_version = ? "
            "where id = ? and descriptor_version = ?",
            [descriptor, expected_version + 1, link_id, expected_version])
        return changed.rowcount == 1

    def count_files(self, link_id: str, files: int, max_files: int) -> bool:
        """Count `files` more received through the link, unless that passes `max_files`."""
        changed = self.db.execute(
            "update drop_links set files_received = files_received + ? "
            "where id = ? and files_received + ? <= ?", [files, link_id, files, max_files])
        return changed.rowcount == 1

    # deposits ---------------------------------------------------------------------------------
    def add_deposit(self, deposit: Row) -> None:
        insert(self.db, "drop_deposits", deposit)

    def deposit(self, deposit_id: str) -> Row | None:
        return one(self.db, "select * from drop_deposits where id = ?", [deposit_id])

    def completed_deposits(self, workspace_id: str) -> list[Row]:
        return list(self.db.query(
            "select * from drop_deposits where workspace_id = ? and completed_at is not null "
            "order by completed_at, id", [workspace_id]))

    def update_deposit(self, deposit_id: str, **changes: Any) -> None:
        columns = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(f"update drop_deposits set {columns} where id = ?",
                        [*changes.values(), deposit_id])

    def add_deposit_blocks(self, deposit_id: str, workspace_id: str, block_ids: list[str],
                           size: int) -> None:
        self.db.executemany(
            "insert into drop_deposit_blocks values (?, ?, ?) on conflict do nothing",
            [(deposit_id, workspace_id, block_id) for block_id in block_ids])
        self.db.execute("update drop_deposits set bytes = bytes + ? where id = ?",
                        [size, deposit_id])

    def deposit_blocks(self, deposit_id: str) -> set[str]:
        return {row["block_id"] for row in self.db.query(
            "select block_id from drop_deposit_blocks where deposit_id = ?", [deposit_id])}

    # e-mail confirmation codes ----------------------------------------------------------------
    def add_code(self, code: Row) -> None:
        insert(self.db, "drop_email_codes", code)

    def code(self, code_id: str) -> Row | None:
        return one(self.db, "select * from drop_email_codes where id = ?", [code_id])

    def update_code(self, code_id: str, **changes: Any) -> None:
        columns = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(f"update drop_email_codes set {columns} where id = ?",
                        [*changes.values(), code_id])
