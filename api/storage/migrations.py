"""Numbered schema migrations for the SQLite store, applied in order, each in a transaction.

Migrations use raw SQL (see transactions.py). A migration is never edited once released: a
schema change is a new numbered function appended to MIGRATIONS. `schema_migrations` records
which ones ran, so restarting applies nothing twice, and a database made by newer code is
refused rather than misread.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from sqlite_utils import Database

from api.storage.transactions import transaction


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer Paravent than this one."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _0001_server_meta(db: Database) -> None:
    db.execute("create table server_meta (key text primary key, value text not null)")
    db.execute(
        "insert into server_meta (key, value) values ('instance_id', ?), ('created_at', ?)",
        [secrets.token_hex(16), _now()],
    )


MIGRATIONS: list[tuple[int, Callable[[Database], None]]] = [
    (1, _0001_server_meta),
]


def schema_version(db: Database) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("select max(number) from schema_migrations").fetchone()
    return row[0] or 0


def apply_migrations(db: Database) -> list[int]:
    """Apply every migration the database lacks; return the numbers applied."""
    current = schema_version(db)
    latest = MIGRATIONS[-1][0]
    if current > latest:
        raise SchemaTooNewError(
            f"the database is at schema {current}, this server knows up to {latest}: "
            "upgrade Paravent or restore a matching backup"
        )
    applied = []
    for number, migrate in MIGRATIONS:
        if number <= current:
            continue
        with transaction(db):
            db.execute(
                "create table if not exists schema_migrations "
                "(number integer primary key, applied_at text not null)"
            )
            migrate(db)
            db.execute("insert into schema_migrations values (?, ?)", [number, _now()])
        applied.append(number)
    return applied
