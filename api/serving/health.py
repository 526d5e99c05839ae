"""`GET /api/health`: is the server up, which version and release does it serve, and can each
dependency it needs (database, block store, and whatever else registers a check) be written.

A check returns "ok", or a word saying what is wrong ("full", "unavailable"); any other answer
than "ok" makes the reply 503 "degraded", for a monitor or a load balancer to act on. Other
parts of the server add their dependency with `register_health_check` (the message queue, say).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, jsonify

from api.serving.version import server_version
from api.storage.faults import (
    StorageFull,
    StorageUnavailable,
    database_error_types,
    fault_of_database_error,
)
from api.storage.pool import ServerBusy, get_store
from api.storage.sqlstore import MIN_ROOM_BYTES

logger = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)

HealthCheck = Callable[[], str]


def register_health_check(app: Flask, name: str, check: HealthCheck) -> None:
    app.extensions.setdefault("paravent_health_checks", {})[name] = check


def _database() -> str:
    """A write committed and the room left to grow (see `SqlStore.check`)."""
    try:
        get_store().check()
    except database_error_types() as error:
        logger.error("database health check failed: %s", error)
        fault = fault_of_database_error(error)
        return "full" if fault is not None and fault.status == 507 else "unavailable"
    except StorageFull:
        logger.error("database health check: less than %d MiB left to grow",
                     MIN_ROOM_BYTES // 2**20)
        return "full"
    except StorageUnavailable:
        logger.error("database health check: its files cannot be written")
        return "unavailable"
    except ServerBusy:
        return "busy"
    return "ok"


def _blocks() -> str:
    return current_app.extensions["paravent_blocks"].health()


def init_health(app: Flask) -> None:
    register_health_check(app, "database", _database)
    register_health_check(app, "blocks", _blocks)
    app.register_blueprint(blueprint)


@blueprint.get("/api/health")
def health() -> tuple[Response, int]:
    checks = {name: check() for name, check in
              current_app.extensions["paravent_health_checks"].items()}
    manifest = current_app.extensions["paravent_assets"]
    status = "ok" if all(state == "ok" for state in checks.values()) else "degraded"
    body = {
        "status": status,
        "version": server_version(),
        "release": manifest.release if manifest.complete else None,
        **checks,
    }
    return jsonify(body), 200 if status == "ok" else 503
