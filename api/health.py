"""`GET /api/health`: is the server up, which version and release does it serve."""

from __future__ import annotations

import logging
import sqlite3

from flask import Blueprint, Response, current_app, jsonify

from api.store import get_store
from api.version import server_version

logger = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)


@blueprint.get("/api/health")
def health() -> tuple[Response, int]:
    try:
        get_store().check()
        database = "ok"
    except sqlite3.Error:
        logger.exception("database health check failed")
        database = "unavailable"
    manifest = current_app.extensions["paravent_assets"]
    status = "ok" if database == "ok" else "degraded"
    body = {
        "status": status,
        "version": server_version(),
        "release": manifest.release if manifest.complete else None,
        "database": database,
    }
    return jsonify(body), 200 if status == "ok" else 503
