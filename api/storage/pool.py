"""Hands each request a store from a small pool of open connections, and takes it back when
the request ends.

Opening a connection per request cost more than the request's queries (SQLite: connect,
pragmas, and a WAL checkpoint when the last connection closes; PostgreSQL: a new backend). A
store goes back to the pool only if it is not inside a transaction; beyond `POOL_SIZE` idle
stores, extras are closed.
"""

from __future__ import annotations

import queue

from flask import Flask, current_app, g

from api.config import Config
from api.storage import Store
from api.storage.sqlstore import SqlStore, open_store, prepare

POOL_SIZE = 8


class StorePool:
    """Idle stores on one database, each used by one thread at a time."""

    def __init__(self, config: Config, size: int = POOL_SIZE) -> None:
        self._config = config
        self._idle: queue.LifoQueue[SqlStore] = queue.LifoQueue(maxsize=size)

    def take(self) -> SqlStore:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return open_store(self._config, across_threads=True)

    def give_back(self, store: SqlStore) -> None:
        if store.in_transaction():
            store.close()
            return
        try:
            self._idle.put_nowait(store)
        except queue.Full:
            store.close()

    def close_idle(self) -> None:
        """Close every idle store (those in use close when given back)."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def init_store(app: Flask) -> None:
    config = app.config["PARAVENT"]
    prepare(config.database_url)
    app.extensions["paravent_store_pool"] = StorePool(config)

    @app.teardown_appcontext
    def _release_store(_error: BaseException | None) -> None:
        store = g.pop("store", None)
        if store is not None:
            app.extensions["paravent_store_pool"].give_back(store)


def get_store() -> Store:
    """This request's store."""
    if "store" not in g:
        g.store = current_app.extensions["paravent_store_pool"].take()
    return g.store
