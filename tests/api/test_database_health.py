"""`/api/health` tells the truth about the database on each engine: SQLite read-only (its files
made read-only while the server holds connections, which keep writing them) is `unavailable`,
SQLite full (its disk filled, or `max_page_count` reached: a real SQLITE_FULL) is `full`;
PostgreSQL read-only is `unavailable` (test_storage_faults.py); writes meet 503 and 507."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from api import create_app
from tests.api.identity.conftest import bootstrap
from tests.api.test_storage_faults import data_disk  # noqa: F401

ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
NEW_WORKSPACE = {"workspace_id": "w-" + "a" * 24, "key_grant": "eA", "manifest": "eA",
                 "log_entry": {"seq": 1, "kind": "workspace_created", "entry": "eA"}}


def _app(config):
    return create_app(replace(config, max_request_bytes=1024 * 1024))


def _health(app) -> tuple[int, str]:
    response = app.test_client().get("/api/health")
    return response.status_code, response.json["database"]


def _write(organization):
    """A workspace created: a write of a few rows."""
    return organization.admin.client.post("/api/workspaces", json=NEW_WORKSPACE)


@pytest.fixture
def immutable(config) -> Iterator[Callable[[], None]]:
    """Makes the database's file and its WAL immutable (`chattr +i`: read-only even for root, as
    a chmod is not); undone after the test. Skipped where the file system has no such flag."""
    files = [config.database_path, config.database_path.with_name("paravent.sqlite3-wal")]

    def make_immutable() -> None:
        done = subprocess.run(["chattr", "+i", *map(str, files)], capture_output=True,
                              check=False)
        if done.returncode != 0:
            pytest.skip(f"no immutable files here: {done.stderr.decode().strip()}")

    yield make_immutable
    subprocess.run(["chattr", "-i", *map(str, files)], capture_output=True, check=False)


@ON_SQLITE
def test_health_sqlite_read_only_files_are_unavailable_while_connections_are_open(config,
                                                                                  immutable):
    app = _app(config)
    organization = bootstrap(app)
    assert _health(app) == (200, "ok")

    immutable()

    assert _health(app) == (503, "unavailable")
    app.extensions["paravent_store_pool"].close_idle()
    refused = _write(organization)
    assert (refused.status_code, refused.json["error"]["code"]) == (503, "storage_unavailable")


@ON_SQLITE
def test_health_sqlite_on_a_full_disk_is_full(config, data_disk):  # noqa: F811
    app = _app(config)
    bootstrap(app)
    assert _health(app) == (200, "ok")

    subprocess.run(["dd", "if=/dev/zero", f"of={config.data_dir}/filler", "bs=1M"],
                   capture_output=True, check=False)

    assert _health(app) == (503, "full")


@ON_SQLITE
def test_health_sqlite_at_its_max_page_count_is_full(config):
    app = _app(config)
    organization = bootstrap(app)
    pool = app.extensions["paravent_store_pool"]
    pool.close_idle()
    store = pool.take()
    pages = next(store.db.query("pragma page_count"))["page_count"]
    store.db.execute(f"pragma max_page_count = {pages}")
    pool.give_back(store)

    assert _health(app) == (503, "full")
    statuses = set()
    for number in range(200):
        statuses.add(organization.admin.client.post("/api/invitations", json={
            "display_name": f"Personne {number}", "email": f"p{number}@chu.example",
            "site": "Nord", "profile": "member"}).status_code)
        if 507 in statuses:
            break
    assert statuses <= {201, 507} and 507 in statuses, statuses
