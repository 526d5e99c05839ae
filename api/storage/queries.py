"""Small query helpers shared by the SQLite stores: rows as dicts, raw-SQL inserts."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

Row = dict[str, Any]


def one(db: Database, sql: str, params: list[Any]) -> Row | None:
    """The first row of a query, or None (a plain execute: no savepoint around it)."""
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def insert(db: Database, table: str, row: Row) -> None:
    """Insert `row` with raw SQL (safe inside `transaction`)."""
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))
