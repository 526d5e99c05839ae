"""The per-request store pool: requests reuse open connections, a connection left inside a
transaction is closed (releasing its lock) rather than handed out again, and no more than the
configured number are ever open: past them callers wait, then get 503 `server_busy`."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from api import create_app
from api.config import DEFAULT_MAX_REQUEST_BYTES
from api.storage.pool import ServerBusy, StorePool, get_store
from api.storage.sqlstore import prepare
from tests.api.conftest import database_of
from tests.api.identity.conftest import bootstrap


def test_store_pool_hands_back_the_same_open_store(config):
    prepare(config.database_url)
    pool = StorePool(config, size=2)
    first = pool.take()
    second = pool.take()
    assert second is not first
    pool.give_back(first)
    pool.give_back(second)
    assert pool.take() is second
    assert pool.take() is first


def test_store_pool_is_bounded_a_caller_waits_then_gets_server_busy(config):
    prepare(config.database_url)
    pool = StorePool(config, size=2, wait_seconds=0.3)
    held = [pool.take(), pool.take()]
    started = time.monotonic()
    with pytest.raises(ServerBusy) as refused:
        pool.take()
    assert time.monotonic() - started >= 0.3
    assert (refused.value.status, refused.value.code) == (503, "server_busy")

    threading.Timer(0.1, pool.give_back, [held[0]]).start()
    assert pool.take() is held[0]


def test_store_pool_size_comes_from_the_configuration(config):
    app = create_app(replace(config, database_connections=3))
    assert app.extensions["paravent_store_pool"].size == 3


def test_store_pool_closes_a_store_left_in_a_transaction(config):
    prepare(config.database_url)
    pool = StorePool(config)
    stuck = pool.take()
    stuck.db.execute("begin")
    stuck.db.execute("update server_meta set value = value")
    pool.give_back(stuck)
    fresh = pool.take()
    assert fresh is not stuck
    with fresh.db.transaction():
        fresh.db.execute("update server_meta set value = value")


def test_store_requests_one_after_another_share_one_connection(config):
    app = create_app(config)
    seen = set()
    for _ in range(20):
        with app.test_request_context("/api/health"):
            seen.add(id(get_store()))
    assert len(seen) == 1


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_after_the_database_comes_back_one_failed_request_is_enough(config):
    """PostgreSQL restarted: every idle connection is dead. The request that meets the first
    one gets 503, and the pool drops the others with it, so the next request is served."""
    app = create_app(replace(config, max_request_bytes=DEFAULT_MAX_REQUEST_BYTES))
    organization = bootstrap(app)
    pool = app.extensions["paravent_store_pool"]
    idle = [pool.take() for _ in range(5)]
    for store in idle:
        pool.give_back(store)
    name = config.database.rsplit("/", 1)[1]
    with database_of(replace(config, database=config.database.replace(name, "postgres"))) as db:
        db.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = ?",
                   [name])

    first = organization.admin.client.get("/api/workspaces")
    assert (first.status_code, first.json["error"]["code"]) == (503, "storage_unavailable")
    assert organization.admin.client.get("/api/workspaces").status_code == 200
