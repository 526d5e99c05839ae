"""A local cluster on loopback: two Paravent processes on the same PostgreSQL database and the
same S3 bucket (SeaweedFS), meeting through Redis as their message queue, and nginx in front
spreading WebSocket and HTTP connections over them.

    python -m e2e.harness.cluster [--port 8080] [--data ./var-cluster]   (what `make cluster` runs)
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from e2e.harness.server import ServerProcess, free_port
from e2e.harness.services.nginx import Nginx, start_nginx
from e2e.harness.services.postgresql import create_database, postgresql
from e2e.harness.services.redis_server import running_redis
from e2e.harness.services.seaweedfs import s3_environment, seaweedfs

PROCESSES = 2
DATABASE = "paravent"
BUCKET = "paravent-blocks"


@dataclass(frozen=True)
class Backends:
    """What every process of a cluster shares: its metadata database, its block store and its
    message queue."""

    database: str
    blocks: str
    s3_endpoint: str
    message_queue: str

    @property
    def flags(self) -> tuple[str, ...]:
        return ("--database", self.database, "--blocks", self.blocks,
                "--message-queue", self.message_queue)

    @property
    def environment(self) -> dict[str, str]:
        return s3_environment(self.s3_endpoint)


@contextmanager
def running_backends(folder: Path, *, lasting: bool) -> Iterator[Backends]:
    """PostgreSQL, SeaweedFS and Redis on loopback, their files in `folder`; PostgreSQL's and
    SeaweedFS's data is kept there when `lasting`, else thrown away at the end."""
    with (postgresql(folder / "postgresql" if lasting else None) as server,
          seaweedfs(folder / "seaweedfs" if lasting else None) as endpoint,
          running_redis(folder / "redis") as redis):
        yield Backends(create_database(server, DATABASE), f"s3://{BUCKET}", endpoint, redis.url)


@dataclass
class Cluster:
    """The app processes and nginx; `folder` holds their shared data folder (the server's
    secret key, which signs the session cookies every process must accept) and their logs."""

    folder: Path
    backends: Backends
    port: int = field(default_factory=free_port)
    pinnable: bool = False
    processes: list[ServerProcess] = field(default_factory=list)
    nginx: Nginx | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def start(self) -> Cluster:
        try:
            # nginx, on loopback, names the client in X-Forwarded-For (per-address limits)
            flags = (*self.backends.flags, "--origin", self.url.rstrip("/"),
                     "--trusted-proxies", "127.0.0.1")
            for _ in range(PROCESSES):  # one after the other: the first migrates the database
                self.processes.append(ServerProcess(
                    self.data_dir, flags=flags, environment=self.backends.environment).start())
            self.nginx = start_nginx(self.folder / "nginx", [p.port for p in self.processes],
                                     self.port, pinnable=self.pinnable)
        except BaseException:
            self.stop()
            raise
        return self

    def bootstrap_link(self, organization: str) -> str:
        return self.processes[0].bootstrap_link(organization)

    def stop(self) -> None:
        for service in (self.nginx, *self.processes):
            if service is not None:
                service.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--data", default="var-cluster", help="folder for data and services")
    arguments = parser.parse_args(argv)

    def stop(_signal: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    for stopping in (signal.SIGINT, signal.SIGTERM):  # before starting: a stop during start
        signal.signal(stopping, stop)                  # cleans up too
    folder = Path(arguments.data).resolve()
    try:
        with running_backends(folder, lasting=True) as backends:
            cluster = Cluster(folder, backends, arguments.port).start()
            try:
                print(f"Paravent cluster on {cluster.url}: nginx -> processes on ports "
                      f"{', '.join(str(p.port) for p in cluster.processes)}; PostgreSQL "
                      f"{backends.database.rsplit('@', 1)[1]}, SeaweedFS S3 "
                      f"{backends.s3_endpoint}, Redis {backends.message_queue}")
                print(cluster.processes[0].log_text(whole=True).strip(), flush=True)
                signal.pause()
            finally:
                cluster.stop()
    except KeyboardInterrupt:
        pass
    print("Paravent cluster stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
