"""Hands each request its store, opened on first use and closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g

from api.storage import Store
from api.storage.sqlite import SqliteStore, prepare


def init_store(app: Flask) -> None:
    prepare(app.config["PARAVENT"].database_path)

    @app.teardown_appcontext
    def _close_store(_error: BaseException | None) -> None:
        store = g.pop("store", None)
        if store is not None:
            store.close()


def get_store() -> Store:
    """This request's store."""
    if "store" not in g:
        g.store = SqliteStore(current_app.config["PARAVENT"].database_path)
    return g.store
