"""Explicit transactions, whatever the engine (see engine.py).

Connections run in autocommit mode; a group of statements that must land together runs inside
`transaction`: all of it lands, or none of it. Write transactions run one at a time, except
those of one workspace's writes (`workspace=`): those of different workspaces run side by side
on PostgreSQL (SQLite has one writer anyway), each still alone against the other transactions.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from api.storage.engine import Connection


def transaction(db: Connection, *,
                workspace: str | None = None) -> AbstractContextManager[Connection]:
    """Run the block in one write transaction: all of it lands, or none of it; one at a time,
    or with `workspace`, one at a time among that workspace's writes."""
    return db.transaction(workspace=workspace)
