"""The store on a SQL database, SQLite or PostgreSQL (see engine.py): the identity and
workspace stores on one connection, used by one thread at a time.

The server keeps a few of them open and hands one to each request in turn (`api.storage.pool`), so a
request pays no connect, no pragmas and no checkpoint-on-close.
"""

from __future__ import annotations

from api.config import Config
from api.storage.engine import Connection, SqliteConnection, connect
from api.storage.identity import IdentityStore
from api.storage.migrations import apply_migrations
from api.storage.notifications import NotificationStore
from api.storage.workspaces import WorkspaceStore


class _HealthProbe(Exception):
    """Rolls the health check's write back."""


def prepare(url: str) -> list[int]:
    """Create or migrate the database at `url`; return the migrations applied."""
    db = connect(url)
    try:
        if isinstance(db, SqliteConnection):
            db.enable_wal()
        return apply_migrations(db)
    finally:
        db.close()


class SqlStore:
    """`api.storage.Store` on one connection."""

    def __init__(self, db: Connection) -> None:
        self._db = db
        self.identity = IdentityStore(db)
        self.workspaces = WorkspaceStore(db)
        self.notifications = NotificationStore(db)

    @property
    def db(self) -> Connection:
        return self._db

    def check(self) -> None:
        """Raise if the database cannot be read and written (a write rolled back)."""
        try:
            with self._db.transaction():
                self._db.execute(
                    "update server_meta set value = value where key = 'instance_id'")
                raise _HealthProbe
        except _HealthProbe:
            pass

    def instance_id(self) -> str:
        row = next(self._db.query("select value from server_meta where key = 'instance_id'"))
        return row["value"]

    def in_transaction(self) -> bool:
        return self._db.in_transaction()

    def close(self) -> None:
        self._db.close()


def open_store(config: Config, *, across_threads: bool = False) -> SqlStore:
    """A store on the configuration's database (already prepared)."""
    return SqlStore(connect(config.database_url, across_threads=across_threads))
