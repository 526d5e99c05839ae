"""The SQLite implementation of the store, through sqlite-utils, in WAL mode.

Each request (thread) opens its own connection and closes it at teardown, so the threaded server
never shares a connection between threads.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from api.storage.identity import IdentityStore
from api.storage.migrations import apply_migrations
from api.storage.workspaces import WorkspaceStore

_BUSY_TIMEOUT_MS = 5000


def connect(path: Path) -> Database:
    """A sqlite-utils database on `path`, with WAL, foreign keys and a busy timeout."""
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
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

    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self.identity = IdentityStore(self._db)
        self.workspaces = WorkspaceStore(self._db)

    def check(self) -> None:
        self._db.execute("select count(*) from schema_migrations").fetchone()

    def instance_id(self) -> str:
        return self._db["server_meta"].get("instance_id")["value"]

    def close(self) -> None:
        self._db.close()
