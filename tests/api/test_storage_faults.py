"""A full disk or storage that cannot be written is named as such: 507 `storage_full`, 503
`storage_unavailable`, /api/health degraded, and a one-line message at start-up. Each test
mounts a small tmpfs (the tests run as root in CI); elsewhere they are skipped."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from api import create_app
from api.config import REPO_ROOT
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE, encrypt_block
from tests.api.conftest import database_of
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import create_workspace, upload_blocks


class Mount:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)


def _mounted(path: Path, size: str) -> Iterator[Mount]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield Mount(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def block_disk(config) -> Iterator[Mount]:
    """The block folder on a 1 MiB disk: room for one block, not two."""
    yield from _mounted(config.blocks_dir, "1m")


@pytest.fixture
def data_disk(config) -> Iterator[Mount]:
    """The whole data folder on a disk of its own."""
    yield from _mounted(config.data_dir, "16m")


def _full_blocks(team) -> list[tuple[str, bytes]]:
    blocks = []
    for index in range(3):
        ref, ciphertext = encrypt_block(bytes([index]) * BLOCK_SIZE, organization="o",
                                        workspace="w", file_id="f", index=index)
        blocks.append((ref.block_id, ciphertext))
    return blocks


def _app(config):
    return create_app(replace(config, max_request_bytes=2 * BLOCK_SIZE))


def test_a_full_block_disk_is_507_storage_full_and_health_says_so(config, block_disk):
    app = _app(config)
    team = create_workspace(bootstrap(app))
    first, second, _ = _full_blocks(team)
    assert upload_blocks(team.owner, team.workspace_id, [first]).status_code == 201

    response = upload_blocks(team.owner, team.workspace_id, [second])

    assert (response.status_code, response.json["error"]["code"]) == (507, "storage_full")
    health = app.test_client().get("/api/health")
    assert (health.status_code, health.json["status"], health.json["blocks"]) == (
        503, "degraded", "full")
    assert health.json["database"] == "ok"


def test_a_read_only_block_disk_is_503_storage_unavailable(config, block_disk):
    app = _app(config)
    team = create_workspace(bootstrap(app))
    block_disk.read_only()

    response = upload_blocks(team.owner, team.workspace_id, _full_blocks(team)[:1])

    assert (response.status_code, response.json["error"]["code"]) == (503, "storage_unavailable")
    health = app.test_client().get("/api/health")
    assert (health.status_code, health.json["blocks"]) == (503, "unavailable")


def _make_database_read_only(config, request) -> Callable[[], None]:
    """SQLite: its data folder on a disk of its own, remounted read-only. PostgreSQL: the
    database set to read-only transactions."""
    if config.database is None:
        disk = request.getfixturevalue("data_disk")
        return disk.read_only
    name = config.database.rsplit("/", 1)[1]

    def read_only() -> None:
        with database_of(config) as db:
            db.execute(f"alter database {name} set default_transaction_read_only = on")
    return read_only


def test_a_read_only_database_is_503_storage_unavailable(config, request):
    read_only = _make_database_read_only(config, request)
    app = _app(config)
    organization = bootstrap(app)
    app.extensions["paravent_store_pool"].close_idle()
    read_only()

    response = organization.admin.client.post("/api/workspaces", json={
        "workspace_id": "w-" + "a" * 24, "key_grant": "eA", "manifest": "eA",
        "log_entry": {"seq": 1, "kind": "workspace_created", "entry": "eA"}})

    assert (response.status_code, response.json["error"]["code"]) == (503, "storage_unavailable")
    health = app.test_client().get("/api/health")
    assert (health.status_code, health.json["database"]) == (503, "unavailable")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_start_up_on_a_read_only_data_folder_says_so_in_one_line(config, data_disk):
    data_disk.read_only()

    started = subprocess.run([sys.executable, "app.py", "--data", str(config.data_dir),
                              "--port", "0"], cwd=REPO_ROOT, capture_output=True, text=True,
                             timeout=60, check=False)

    assert started.returncode == 1
    assert started.stderr.strip().splitlines() == [
        f"Paravent cannot start: cannot write the data folder {config.data_dir}: "
        "Read-only file system"]
