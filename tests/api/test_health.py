"""`GET /api/health` tells a monitor whether the server works and what it serves."""

from __future__ import annotations

import sqlite3

from api.health import register_health_check
from api.storage.sqlstore import SqlStore


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
