"""Debian's redis-server on a free loopback port, keeping nothing on disk: stopped or killed, it
starts again on the same port, empty (Paravent keeps nothing durable there)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from e2e.harness.server import free_port
from e2e.harness.services.process import OWN_GROUP, kill, stop, wait_for_port


@dataclass
class Redis:
    process: subprocess.Popen[bytes]
    port: int
    folder: Path | None = None

    @property
    def url(self) -> str:
        return self.database_url(0)

    def database_url(self, number: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{number}"

    def stop(self) -> None:
        stop(self.process)

    def kill(self) -> None:
        kill(self.process)

    def start(self) -> Redis:
        """Start it again on its port, if it is not running."""
        if self.process.poll() is not None:
            assert self.folder is not None, "a Redis started by start_redis"
            self.process = _launch(self.folder, self.port)
        return self


def _launch(folder: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **OWN_GROUP,
    )
    wait_for_port(port, "redis-server", process)
    return process


def start_redis(folder: Path, port: int | None = None) -> Redis:
    """A Redis on loopback (on `port`, or a free one) with its log in `folder`."""
    if shutil.which("redis-server") is None:
        raise RuntimeError("redis-server is missing: apt-get install redis-server")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    return Redis(_launch(folder, port), port, folder)


@contextmanager
def running_redis(folder: Path) -> Iterator[Redis]:
    redis = start_redis(folder)
    try:
        yield redis
    finally:
        redis.stop()
