"""The SQLite implementation of the store, through sqlite-utils, in WAL mode.

A store's connection is used by one thread at a time. The server keeps a few of them open and
hands one to each request in turn (`api.store`), so a request pays no connect, no pragmas and
no checkpoint-on-close.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from api.storage.identity import IdentityStore
from api.storage.migrations import apply_migrations
from api.storage.workspaces import WorkspaceStore

_BUSY_TIMEOUT_MS = 5000


def connect(path: Path, *, across_threads: bool = False) -> Database:
    """A sqlite-utils database on `path`, with WAL, foreign keys and a busy timeout.
    `across_threads`: it may be handed from one thread to another (never used by two at once)."""
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                 check_same_thread=not across_threads)
    db = Database(connection)
    db.execute("pragma foreign_keys = on")
    db.execute(f"pragma busy_timeout = {_BUSY_TIMEOUT_MS}")
    return db


def prepare(path: Path) -> list[int]:
    """Create or migrate the database at `path`; return the migrations applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        db.enable_wal()
        return apply_migrations(db)
    finally:
        db.close()


class SqliteStore:
    """`api.storage.Store` on one SQLite connection."""

    def __init__(self, path: Path, *, across_threads: bool = False) -> None:
        self._db = connect(path, across_threads=across_threads)
        self.identity = IdentityStore(self._db)
        self.workspaces = WorkspaceStore(self._db)

    def check(self) -> None:
        """Raise if the database cannot be read and written (a write rolled back)."""
        self._db.execute("begin immediate")
        try:
            self._db.execute("update server_meta set value = value where key = 'instance_id'")
        finally:
            self._db.execute("rollback")

    def instance_id(self) -> str:
        return self._db["server_meta"].get("instance_id")["value"]

    def in_transaction(self) -> bool:
        return self._db.conn.in_transaction

    def close(self) -> None:
        self._db.close()
