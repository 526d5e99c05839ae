"""A local cluster on loopback: Redis, two Paravent processes sharing it as their message queue,
and nginx in front spreading WebSocket and HTTP connections over them.

    python -m e2e.harness.cluster [--port 8080] [--data ./var-cluster]   (what `make cluster` runs)

Both processes use one SQLite database and one block folder in the data folder: a stopgap until
the PostgreSQL metadata store lands (SQLite lets one writer in at a time across processes).
"""

from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from e2e.harness.server import ServerProcess, free_port
from e2e.harness.services import Nginx, Redis, start_nginx, start_redis

PROCESSES = 2


@dataclass
class Cluster:
    folder: Path
    port: int = field(default_factory=free_port)
    pinnable: bool = False
    redis: Redis | None = None
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
            self.redis = start_redis(self.folder / "redis")
            flags = ("--message-queue", self.redis.url, "--origin", self.url.rstrip("/"))
            for _ in range(PROCESSES):  # one after the other: the first creates the database
                self.processes.append(ServerProcess(self.data_dir, flags=flags).start())
            self.nginx = start_nginx(self.folder / "nginx", [p.port for p in self.processes],
                                     self.port, pinnable=self.pinnable)
        except BaseException:
            self.stop()
            raise
        return self

    def bootstrap_link(self, organization: str) -> str:
        return self.processes[0].bootstrap_link(organization)

    def stop(self) -> None:
        for service in (self.nginx, *self.processes, self.redis):
            if service is not None:
                service.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--data", default="var-cluster", help="folder for data and services")
    arguments = parser.parse_args(argv)

    def stop(_signal: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # before starting: a stop during start cleans up too
    cluster = Cluster(Path(arguments.data).resolve(), arguments.port)
    try:
        cluster.start()
        print(f"Paravent cluster on {cluster.url} (nginx -> processes on ports "
              f"{', '.join(str(p.port) for p in cluster.processes)}, Redis on "
              f"{cluster.redis.port})")
        print(cluster.processes[0].log_text(whole=True).strip(), flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        print("Paravent cluster stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
