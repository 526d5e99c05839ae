"""Hands each request (or Socket.IO event) a store from a bounded pool of open connections, and
takes it back when the request ends.

Opening a connection per request cost more than the request's queries (SQLite: connect,
pragmas, and a WAL checkpoint when the last connection closes; PostgreSQL: a new backend). A
store goes back to the pool only if it is not inside a transaction.

At most `database_connections` stores are open at once (`--database-connections`, default 16
per process: PostgreSQL allows 100 clients by default, shared by every process and by the
operator). A caller that finds them all in use waits up to `WAIT_SECONDS` for one, then gets
503 `server_busy`: a burst (thousands of socket events, a crowd of uploads) queues here instead
of exhausting the database's connections, which would refuse everyone.
"""

from __future__ import annotations

import queue
import threading

from flask import Flask, current_app, g

from api.config import Config
from api.http.errors import ApiError
from api.storage import Store
from api.storage.sqlstore import SqlStore, open_store, prepare

WAIT_SECONDS = 10.0


class ServerBusy(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "server_busy", "the server is busy; try again in a moment")


class StorePool:
    """At most `size` stores on one database, each used by one thread at a time."""

    def __init__(self, config: Config, size: int | None = None,
                 wait_seconds: float = WAIT_SECONDS) -> None:
        self._config = config
        self.size = size or config.database_connections
        self._wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(self.size)
        self._idle: queue.LifoQueue[SqlStore] = queue.LifoQueue(maxsize=self.size)

    def take(self) -> SqlStore:
        """An idle store, or a new one while fewer than `size` are open; else wait for one to
        come back, or raise `ServerBusy`."""
        if not self._slots.acquire(timeout=self._wait_seconds):
            raise ServerBusy()
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        try:
            return open_store(self._config, across_threads=True)
        except BaseException:
            self._slots.release()
            raise

    def give_back(self, store: SqlStore) -> None:
        try:
            if store.in_transaction():
                store.close()
            else:
                self._idle.put_nowait(store)
        finally:
            self._slots.release()

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
