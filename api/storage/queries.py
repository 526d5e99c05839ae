"""Small query helpers shared by the stores: the first row as a dict, raw-SQL inserts."""

from __future__ import annotations

from typing import Any

from api.storage.engine import Connection, Row

__all__ = ["Row", "insert", "one"]


def one(db: Connection, sql: str, params: list[Any]) -> Row | None:
    """The first row of a query, or None."""
    return next(db.query(sql, params), None)


def insert(db: Connection, table: str, row: Row) -> None:
    """Insert `row` (column names quoted: `grant` is a reserved word in PostgreSQL)."""
    columns = ", ".join(f'"{column}"' for column in row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))
