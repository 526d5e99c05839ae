"""`GET /api/health` tells a monitor whether the server works and what it serves."""

from __future__ import annotations

import socket
import sqlite3
from dataclasses import replace

import pytest

from api.serving.health import register_health_check
from api.storage.blocks.s3 import S3BlockStore
from api.storage.sqlstore import SqlStore
from tests.api.conftest import database_of


def test_health_ok_reports_version_release_and_each_dependency(client, app):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "version": "0.1.0",
        "release": app.extensions["paravent_assets"].release,
        "database": "ok",
        "blocks": "ok",
    }


def test_health_degraded_when_database_unreadable(client, monkeypatch):
    def broken(_store):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(SqlStore, "check", broken)
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["database"] == "unavailable"


def test_health_degraded_when_a_registered_dependency_is_down(client, app):
    register_health_check(app, "queue", lambda: "unavailable")
    response = client.get("/api/health")
    assert (response.status_code, response.json["status"]) == (503, "degraded")
    assert (response.json["queue"], response.json["database"]) == ("unavailable", "ok")


@pytest.mark.parametrize("blocks", ["s3"], indirect=True)
def test_health_degraded_when_the_object_store_is_unreachable(client, app, config):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}"
    app.extensions["paravent_blocks"] = S3BlockStore(config.blocks, endpoint=nobody)
    response = client.get("/api/health")
    assert (response.status_code, response.json["blocks"]) == (503, "unavailable")
    assert response.json["database"] == "ok"


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_health_degraded_when_postgresql_goes_away(client, config):
    assert client.get("/api/health").status_code == 200
    name = config.database.rsplit("/", 1)[1]
    with database_of(replace(config, database=config.database.replace(name, "postgres"))) as db:
        db.execute(f"alter database {name} allow_connections false")
        db.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = ?",
                   [name])
    response = client.get("/api/health")
    assert (response.status_code, response.json["database"]) == (503, "unavailable")
    assert response.json["blocks"] == "ok"
