"""Debian's redis-server on a free loopback port, keeping nothing on disk."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from e2e.harness.server import free_port
from e2e.harness.services.process import stop, wait_for_port


@dataclass
class Redis:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return self.database_url(0)

    def database_url(self, number: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{number}"

    def stop(self) -> None:
        stop(self.process)


def start_redis(folder: Path, port: int | None = None) -> Redis:
    """A Redis on loopback (on `port`, or a free one) with its log in `folder`."""
    if shutil.which("redis-server") is None:
        raise RuntimeError("redis-server is missing: apt-get install redis-server")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, "redis-server", process)
    return Redis(process, port)


@contextmanager
def running_redis(folder: Path) -> Iterator[Redis]:
    redis = start_redis(folder)
    try:
        yield redis
    finally:
        redis.stop()
