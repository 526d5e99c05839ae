"""The one layer that knows which database engine holds the metadata: SQLite (the default, a file
in the data folder) or PostgreSQL (`--database postgresql://…`, through psycopg 3).

Both are reached through a `Connection` that takes SQL with `?` placeholders, returns rows as
dicts, and runs a group of statements in `transaction()`: all of it lands or none of it, and
write transactions run one at a time (SQLite allows one writer; on PostgreSQL every write
transaction first takes the same advisory lock), so the stores' read-then-write checks
(expected versions, quotas) hold on both engines, across processes too. A workspace's writes
(`transaction(workspace=…)`: its log, members, documents) take that lock shared and the
workspace's own lock, so on PostgreSQL writes to different workspaces run in parallel.

The stores' SQL is shared. It must run on both engines: `?` placeholders; standard upserts
(`insert … on conflict (…) do update set col = table.col + excluded.col`, qualifying the
existing row's columns by the table name) or `on conflict do nothing`, never `insert or
replace/ignore`; `case when` instead of SQLite's two-argument max/min; `coalesce`, not `ifnull`;
no `db.conn` nor sqlite-utils table helpers; integers for booleans; `sum()` comes back as a
Decimal on PostgreSQL (cast it with `cast(sum(x) as bigint)` if Python needs an int). Migrations
are written once in SQLite's words; `ddl` maps their types (and the `grant` column, a reserved
word in PostgreSQL) for PostgreSQL.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

Row = dict[str, Any]
_BUSY_TIMEOUT_MS = 5000
# Any number would do; it names Paravent's write lock among other users of the cluster.
_WRITE_LOCK = 0x70617261
# The two-key space of the workspaces' write locks (keyed by hashtext of the workspace id).
_WORKSPACE_LOCKS = 0x70617277


class Cursor(Protocol):
    rowcount: int
    description: Any

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    dialect: str
    # What the driver raises when an insert repeats a primary or unique key.
    duplicate_key: type[Exception]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]: ...

    def transaction(self, *, workspace: str | None = None) -> Any:
        """A context manager: the block's statements land together, or none does."""

    def table_names(self) -> list[str]: ...

    def references(self, table: str) -> set[str]:
        """The tables `table`'s foreign keys point to."""

    def snapshot(self) -> Any:
        """A context manager: the block reads one consistent state, while writers go on."""

    def in_transaction(self) -> bool: ...

    def room_to_grow(self) -> int | None:
        """Bytes the database can still grow by, where this process can tell (SQLite: the
        file's disk and `max_page_count`); None where it cannot (a PostgreSQL server's disk)."""

    def files_writable(self) -> bool:
        """Whether a new connection could write the database's files (SQLite: each file opened
        for writing, as a new connection would; an open one keeps writing a file made read-only
        since). Always true where the files are a server's (PostgreSQL)."""

    def ddl(self, sql: str) -> str:
        """A migration's statement (written for SQLite) in this engine's words."""

    def close(self) -> None: ...


def _rows(cursor: Any) -> Iterator[Row]:
    columns = [column[0] for column in cursor.description or ()]
    for row in cursor:
        yield dict(zip(columns, row, strict=True))


class SqliteConnection:
    """SQLite in WAL mode, autocommit outside `transaction`. Writers of this process queue on
    one lock rather than on SQLite's growing sleeps; other processes are kept out by SQLite."""

    dialect = "sqlite"
    duplicate_key: type[Exception] = sqlite3.IntegrityError
    _writer = threading.Lock()

    def __init__(self, path: Path, *, across_threads: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.raw = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=not across_threads)
        self.raw.execute("pragma foreign_keys = on")
        self.raw.execute(f"pragma busy_timeout = {_BUSY_TIMEOUT_MS}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        return _rows(self.raw.execute(sql, params))

    @contextmanager
    def transaction(self, *, workspace: str | None = None) -> Iterator[SqliteConnection]:
        with self._writer:
            self.raw.execute("begin immediate")
            try:
                yield self
            except BaseException:
                self.raw.execute("rollback")
                raise
            self.raw.execute("commit")

    def table_names(self) -> list[str]:
        return [row[0] for row in
                self.raw.execute("select name from sqlite_master where type = 'table'")]

    def references(self, table: str) -> set[str]:
        return {row[0] for row in
                self.raw.execute('select "table" from pragma_foreign_key_list(?)', [table])}

    @contextmanager
    def snapshot(self) -> Iterator[SqliteConnection]:
        self.raw.execute("begin")
        try:
            self.raw.execute("select count(*) from server_meta").fetchone()
            yield self
        finally:
            self.raw.execute("rollback")

    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def room_to_grow(self) -> int:
        def pragma(name: str) -> int:
            return int(self.raw.execute(f"pragma {name}").fetchone()[0])

        page_size, free_pages = pragma("page_size"), pragma("freelist_count")
        disk = os.statvfs(self.path.parent)
        under_limit = pragma("max_page_count") - pragma("page_count") + free_pages
        return min(disk.f_bavail * disk.f_frsize + free_pages * page_size,
                   under_limit * page_size)

    def files_writable(self) -> bool:
        # access(2), never open(2): closing any descriptor of the database's files would drop
        # every POSIX lock this process holds on them, SQLite's own included. access(W_OK)
        # refuses a read-only file system, an immutable file and missing permissions alike.
        files = [self.path, *(self.path.with_name(self.path.name + suffix)
                              for suffix in ("-wal", "-shm"))]
        return all(os.access(path, os.W_OK) for path in files if path.exists()) and os.access(
            self.path.parent, os.W_OK)

    def ddl(self, sql: str) -> str:
        return sql

    def enable_wal(self) -> None:
        self.raw.execute("pragma journal_mode = wal")

    def close(self) -> None:
        self.raw.close()


_POSTGRES_TYPES = [(re.compile(r"\bblob\b"), "bytea"), (re.compile(r"\breal\b"),
                   "double precision"), (re.compile(r"\binteger\b"), "bigint"),
                   (re.compile(r"\bgrant\b"), '"grant"')]


class PostgresConnection:
    """PostgreSQL through psycopg 3, autocommit outside `transaction`; `?` placeholders become
    psycopg's `%s`."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.duplicate_key: type[Exception] = psycopg.errors.UniqueViolation
        self.url = url
        self.raw = psycopg.connect(url, autocommit=True, connect_timeout=10)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.raw.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(self._sql(sql), rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        return _rows(self.raw.execute(self._sql(sql), params))

    @contextmanager
    def transaction(self, *, workspace: str | None = None) -> Iterator[PostgresConnection]:
        """Every write transaction holds the write lock; one scoped to a workspace holds it
        shared, with that workspace's own lock (taken second, always in that order: no
        deadlock), so different workspaces' writes run in parallel while any other write
        transaction still runs alone."""
        from psycopg import sql

        with self.raw.transaction():
            if workspace is None:
                self.raw.execute("select pg_advisory_xact_lock(%s)", [_WRITE_LOCK])
            else:
                # Both in one round trip: two statements without parameters run in order.
                self.raw.execute(sql.SQL(
                    "select pg_advisory_xact_lock_shared({}); "
                    "select pg_advisory_xact_lock({}::int, hashtext({}))").format(
                        _WRITE_LOCK, _WORKSPACE_LOCKS, sql.Literal(workspace)))
            yield self

    def table_names(self) -> list[str]:
        return [row[0] for row in self.raw.execute(
            "select tablename from pg_tables where schemaname = current_schema()")]

    def references(self, table: str) -> set[str]:
        return {row[0] for row in self.raw.execute(
            "select confrelid::regclass::text from pg_constraint "
            "where conrelid = %s::regclass and contype = 'f'", [table])}

    @contextmanager
    def snapshot(self) -> Iterator[PostgresConnection]:
        with self.raw.transaction():
            self.raw.execute("set transaction isolation level repeatable read, read only")
            yield self

    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def room_to_grow(self) -> None:
        return None

    def files_writable(self) -> bool:
        return True

    def ddl(self, sql: str) -> str:
        for pattern, replacement in _POSTGRES_TYPES:
            sql = pattern.sub(replacement, sql)
        return sql

    def close(self) -> None:
        self.raw.close()


def connect(url: str, *, across_threads: bool = False) -> Connection:
    """A connection to `sqlite:///path` or `postgresql://…`."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresConnection(url)
    if url.startswith("sqlite:///"):
        return SqliteConnection(Path(url.removeprefix("sqlite://")),
                                across_threads=across_threads)
    raise ValueError(f"unknown database (sqlite:///path or postgresql://…): {url}")
