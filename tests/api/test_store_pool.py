"""The per-request store pool: requests reuse open connections, a connection left inside a
transaction is closed (releasing its lock) rather than handed out again, and no more than the
configured number are ever open: past them callers wait, then get 503 `server_busy`."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from api import create_app
from api.storage.pool import ServerBusy, StorePool, get_store
from api.storage.sqlstore import prepare


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
