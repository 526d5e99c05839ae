"""The SQL store on both engines: numbered migrations applied once, newer databases refused, a
failed migration leaves nothing half applied, the read markers once kept in clear are
dropped; SQLite runs in WAL mode."""

from __future__ import annotations

import pytest

from api import create_app
from api.storage import migrations
from api.storage.engine import connect
from api.storage.sqlstore import open_store, prepare
from tests.api.conftest import database_of


def test_storage_migrations_applied_once_in_order(config):
    assert prepare(config.database_url) == [number for number, _ in migrations.MIGRATIONS]
    assert prepare(config.database_url) == []
    with database_of(config) as db:
        applied = [row["number"] for row in
                   db.query("select number from schema_migrations order by number")]
        assert applied == [number for number, _ in migrations.MIGRATIONS]


def test_storage_sqlite_runs_in_wal_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    prepare(url)
    db = connect(url)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_storage_instance_id_is_stable_across_restarts(config):
    create_app(config)
    first = open_store(config).instance_id()
    create_app(config)
    assert open_store(config).instance_id() == first
    assert len(first) == 32


def test_storage_newer_database_is_refused(config):
    create_app(config)
    with database_of(config) as db:
        db.execute("insert into schema_migrations values (999, 'future')")
    with pytest.raises(migrations.SchemaTooNewError, match="schema 999"):
        create_app(config)


def test_storage_failed_migration_leaves_nothing_half_applied(config, monkeypatch):
    def broken(db):
        db.execute("create table half (x integer)")
        raise RuntimeError("crash in the middle")

    latest = migrations.MIGRATIONS[-1][0]
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, (latest + 1, broken)])
    with pytest.raises(RuntimeError):
        prepare(config.database_url)
    with database_of(config) as db:
        assert "half" not in db.table_names()
        assert migrations.schema_version(db) == latest


def test_storage_read_markers_in_clear_are_dropped_for_own_states(config, monkeypatch):
    every = migrations.MIGRATIONS
    monkeypatch.setattr(migrations, "MIGRATIONS", [m for m in every if m[0] < 7])
    prepare(config.database_url)
    with database_of(config) as db:
        db.execute("insert into read_markers values ('u-1', 'w-1', 'd-1', 4)")
    monkeypatch.setattr(migrations, "MIGRATIONS", every)
    assert prepare(config.database_url) == [number for number, _ in every if number >= 7]
    with database_of(config) as db:
        assert "read_markers" not in db.table_names()
        assert "own_states" in db.table_names()
