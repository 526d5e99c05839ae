"""SQLite storage: WAL, numbered migrations applied once, newer databases refused."""

from __future__ import annotations

import pytest

from api import create_app
from api.storage import migrations
from api.storage.sqlite import SqliteStore, connect, prepare


def test_storage_migrations_applied_once_in_order(tmp_path):
    path = tmp_path / "db.sqlite3"
    assert prepare(path) == [number for number, _ in migrations.MIGRATIONS]
    assert prepare(path) == []
    db = connect(path)
    applied = [row[0] for row in db.execute("select number from schema_migrations")]
    assert applied == [number for number, _ in migrations.MIGRATIONS]
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_storage_instance_id_is_stable_across_restarts(config):
    create_app(config)
    first = SqliteStore(config.database_path).instance_id()
    create_app(config)
    assert SqliteStore(config.database_path).instance_id() == first
    assert len(first) == 32


def test_storage_newer_database_is_refused(config):
    create_app(config)
    db = connect(config.database_path)
    db.execute("insert into schema_migrations values (999, 'future')")
    with pytest.raises(migrations.SchemaTooNewError, match="schema 999"):
        create_app(config)


def test_storage_failed_migration_leaves_nothing_half_applied(tmp_path, monkeypatch):
    def broken(db):
        db.execute("create table half (x)")
        raise RuntimeError("crash in the middle")

    latest = migrations.MIGRATIONS[-1][0]
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, (latest + 1, broken)])
    path = tmp_path / "db.sqlite3"
    with pytest.raises(RuntimeError):
        prepare(path)
    db = connect(path)
    assert "half" not in db.table_names()
    assert migrations.schema_version(db) == latest
