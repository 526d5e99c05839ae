"""A fresh app per test, on a temporary data folder and a small fake asset tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from api import create_app
from api.config import REPO_ROOT, Config
from e2e.harness.services import Redis as RedisService
from e2e.harness.services import running_redis

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


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(
        data_dir=tmp_path / "data",
        web_dir=REPO_ROOT / "web",
        static_dir=make_static(tmp_path / "static", FAKE_ASSETS),
        max_request_bytes=1024,
    )


@pytest.fixture
def app(config: Config) -> Flask:
    return create_app(config)


def same_origin_client(app: Flask) -> FlaskClient:
    """A test client that sends the Origin header a browser on our page sends."""
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = app.config["PARAVENT"].public_origin
    return client


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return same_origin_client(app)


@pytest.fixture(scope="session")
def redis_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisService]:
    """One Debian redis-server on a free loopback port for the whole test run."""
    with running_redis(tmp_path_factory.mktemp("redis")) as service:
        yield service


@pytest.fixture
def redis_url(redis_service: RedisService) -> str:
    """The shared Redis, emptied for this test."""
    Redis.from_url(redis_service.url).flushdb()
    return redis_service.url
