"""The per-request store pool: requests reuse open connections, and a connection left inside a
transaction is closed (releasing its lock) rather than handed out again."""

from __future__ import annotations

from api import create_app
from api.storage.pool import StorePool, get_store
from api.storage.sqlstore import prepare


def test_store_pool_hands_back_the_same_open_store(config):
    prepare(config.database_url)
    pool = StorePool(config, size=1)
    first = pool.take()
    second = pool.take()
    assert second is not first
    pool.give_back(first)
    pool.give_back(second)
    assert pool.take() is first
    assert pool.take() is not second


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
