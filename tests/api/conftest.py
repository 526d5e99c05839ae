"""A fresh app per test, on a temporary data folder and a small fake asset tree, its metadata in
SQLite or in PostgreSQL (every API test runs on both: one throw-away PostgreSQL cluster per run,
a fresh database per test), its blocks in the data folder (or SeaweedFS where a test module
asks for every block store)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from api import create_app
from api.config import REPO_ROOT, Config
from api.realtime.background import stop_background_tasks
from api.storage.engine import Connection, connect
from e2e.harness.services.postgresql import create_database, drop_database
from e2e.harness.services.redis_server import Redis as RedisService

FAKE_ASSETS = {
    "vendor/pyodide/pyodide.mjs": b"export const loadPyodide = () => null;\n",
    "vendor/pyodide/pyodide.asm.wasm": b"\x00asm\x01\x00\x00\x00",
    "vendor/libsodium/libsodium-wrappers.mjs": b"export default {};\n",
    "vendor/socket.io/socket.io.esm.min.js": b"export const io = () => null;\n",
    "wheels/pycrypto_wasm-0.1.0-py3-none-any.whl": b"PK\x05\x06" + bytes(18),
}


def make_static(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


# Runs a test once per block store: the data folder, and SeaweedFS's S3.
ON_EVERY_BLOCK_STORE = pytest.mark.parametrize("blocks", ["folder", "s3"], indirect=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The test's metadata database: None for SQLite in the data folder, or the URL of a fresh
    PostgreSQL database, dropped after the test (each one is a copy of a template's files)."""
    if request.param == "sqlite":
        yield None
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex}"
    yield create_database(server, name)
    drop_database(server, name)


@contextlib.contextmanager
def database_of(config: Config) -> Iterator[Connection]:
    """A connection to the configuration's database, for a test to look or tamper."""
    connection = connect(config.database_url)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def blocks(request: pytest.FixtureRequest) -> str:
    """Which block store the test's app uses: "folder" unless parametrized."""
    return getattr(request, "param", "folder")


@pytest.fixture
def config(tmp_path: Path, database: str | None, blocks: str,
           request: pytest.FixtureRequest) -> Config:
    s3 = {}
    if blocks == "s3":
        s3 = {"blocks": f"s3://paravent-tests/{uuid.uuid4().hex}",
              "s3_endpoint": request.getfixturevalue("s3_endpoint")}
    return Config(
        data_dir=tmp_path / "data",
        web_dir=REPO_ROOT / "web",
        static_dir=make_static(tmp_path / "static", FAKE_ASSETS),
        max_request_bytes=1024,
        database=database,
        **s3,
    )


@pytest.fixture
def app(config: Config) -> Iterator[Flask]:
    """The test's app; its background tasks stop with the test (its database goes)."""
    app = create_app(config)
    yield app
    stop_background_tasks(app)


def same_origin_client(app: Flask) -> FlaskClient:
    """A test client that sends the Origin header a browser on our page sends."""
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = app.config["PARAVENT"].public_origin
    return client


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return same_origin_client(app)


@pytest.fixture
def redis_url(redis_service: RedisService) -> str:
    """The shared Redis, emptied for this test."""
    Redis.from_url(redis_service.url).flushdb()
    return redis_service.url
