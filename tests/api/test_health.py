"""`GET /api/health` tells a monitor whether the server works and what it serves."""

from __future__ import annotations

import sqlite3

from api.storage.sqlite import SqliteStore


def test_health_ok_reports_version_release_and_database(client, app):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "version": "0.1.0",
        "release": app.extensions["paravent_assets"].release,
        "database": "ok",
    }


def test_health_degraded_when_database_unreadable(client, monkeypatch):
    def broken(_store):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(SqliteStore, "check", broken)
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["database"] == "unavailable"
