"""The store on a SQL database, SQLite or PostgreSQL (see engine.py): the identity and
workspace stores on one connection, used by one thread at a time.

The server keeps a few of them open and hands one to each request in turn (`api.storage.pool`), so a
request pays no connect, no pragmas and no checkpoint-on-close.
"""

from __future__ import annotations

from api.config import Config
from api.storage.dropboxes import DropboxStore
from api.storage.engine import Connection, SqliteConnection, connect
from api.storage.escalations import EscalationStore
from api.storage.faults import StorageFull, StorageUnavailable
from api.storage.identity import IdentityStore
from api.storage.migrations import apply_migrations
from api.storage.notifications import NotificationStore
from api.storage.partners import PartnerStore
from api.storage.policies import PolicyStore
from api.storage.share_links import ShareLinkStore
from api.storage.workspaces import WorkspaceStore

# Below this room to grow, the database is reported full: its next writes would fail.
MIN_ROOM_BYTES = 8 * 1024 * 1024


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
        self.partners = PartnerStore(db)
        self.escalations = EscalationStore(db)
        self.policies = PolicyStore(db)
        self.share_links = ShareLinkStore(db)
        self.dropboxes = DropboxStore(db)

    @property
    def db(self) -> Connection:
        return self._db

    def check(self) -> None:
        """Raise if the database cannot be written now: a write committed (a rolled-back one
        never reaches SQLite's file, so a read-only disk would pass; PostgreSQL refuses it when
        read-only: default_transaction_read_only, a standby); then, where the engine can tell
        (SQLite), less room to grow than `MIN_ROOM_BYTES` is `StorageFull`, and files a new
        connection could not write (read-only since this one opened them) `StorageUnavailable`."""
        with self._db.transaction():
            self._db.execute("update server_meta set value = value where key = 'instance_id'")
        room = self._db.room_to_grow()
        if room is not None and room < MIN_ROOM_BYTES:
            raise StorageFull("database")
        if not self._db.files_writable():
            raise StorageUnavailable("database")

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
