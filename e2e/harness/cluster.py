"""A local cluster on loopback: two Paravent processes on the same PostgreSQL database and the
same S3 bucket (SeaweedFS), meeting through Redis as their message queue, and nginx in front
spreading WebSocket and HTTP connections over them.

    python -m e2e.harness.cluster [--port 8080] [--data ./var-cluster]   (what `make cluster` runs)

The deployment is named in one configuration file, `<data>/paravent.conf` (the database, the
block store and its credentials, Redis, the data folder, the origin), written at every start
with that start's ports: the app processes read it, and so does every admin command
(`app.py --config var-cluster/paravent.conf backup DIR`). A supervisor starts an app process
that dies again; each backend (PostgreSQL, SeaweedFS, Redis) can be stopped, killed and started
again (`Cluster.service`), and an app process killed (`Cluster.kill_process`): the API the
fault tests drive.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from e2e.harness.server import ServerProcess, free_port
from e2e.harness.services.nginx import Nginx, start_nginx
from e2e.harness.services.postgresql import create_database, postgresql_service
from e2e.harness.services.process import Restartable
from e2e.harness.services.redis_server import running_redis
from e2e.harness.services.seaweedfs import s3_environment, seaweedfs_service
from e2e.harness.supervisor import Supervisor

PROCESSES = 2
DATABASE = "paravent"
BUCKET = "paravent-blocks"
CONFIG_FILE = "paravent.conf"
SERVING_SECONDS = 60


@dataclass(frozen=True)
class Backends:
    """What every process of a cluster shares: its metadata database, its block store and its
    message queue; and the services that run them, by name ("postgresql", "seaweedfs",
    "redis"), for a test or an operator to stop and start."""

    database: str
    blocks: str
    s3_endpoint: str
    message_queue: str
    services: dict[str, Restartable] = field(default_factory=dict)

    @property
    def flags(self) -> tuple[str, ...]:
        """The flags that name these backends (their S3 credentials are `environment`)."""
        return ("--database", self.database, "--blocks", self.blocks,
                "--message-queue", self.message_queue)

    @property
    def environment(self) -> dict[str, str]:
        return s3_environment(self.s3_endpoint)

    def settings(self) -> dict[str, str]:
        """The configuration file's lines for these backends."""
        return {"PARAVENT_DATABASE": self.database, "PARAVENT_BLOCKS": self.blocks,
                **self.environment, "PARAVENT_MESSAGE_QUEUE": self.message_queue}


@contextmanager
def running_backends(folder: Path, *, lasting: bool) -> Iterator[Backends]:
    """PostgreSQL, SeaweedFS and Redis on loopback, their files in `folder`; PostgreSQL's and
    SeaweedFS's data is kept there when `lasting`, else thrown away at the end."""
    with (postgresql_service(folder / "postgresql" if lasting else None) as postgresql,
          seaweedfs_service(folder / "seaweedfs" if lasting else None) as seaweedfs,
          running_redis(folder / "redis") as redis):
        yield Backends(create_database(postgresql.url, DATABASE), f"s3://{BUCKET}",
                       seaweedfs.endpoint, redis.url,
                       {"postgresql": postgresql, "seaweedfs": seaweedfs, "redis": redis})


@dataclass
class Cluster:
    """The app processes, their supervisor and nginx; `folder` holds the configuration file,
    the processes' shared data folder (the server's secret key, which signs the session cookies
    every process must accept) and their logs."""

    folder: Path
    backends: Backends
    port: int = field(default_factory=free_port)
    pinnable: bool = False
    processes: list[ServerProcess] = field(default_factory=list)
    nginx: Nginx | None = None
    supervisor: Supervisor | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def config_file(self) -> Path:
        return self.folder / CONFIG_FILE

    def write_config(self) -> Path:
        """The deployment's configuration file (mode 0600: it holds the S3 credentials)."""
        settings = {"PARAVENT_DATA": str(self.data_dir),
                    "PARAVENT_ORIGIN": self.url.rstrip("/"),
                    # nginx, on loopback, names the client in X-Forwarded-For
                    "PARAVENT_TRUSTED_PROXIES": "127.0.0.1",
                    **self.backends.settings()}
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write("# The local cluster's deployment, written by `make cluster` at each start "
                       "(its ports change).\n# Every admin command reads it: "
                       f"app.py --config {self.config_file} bootstrap-link --org NAME\n")
            file.writelines(f"{name}={value}\n" for name, value in settings.items())
        return self.config_file

    def start(self, report: Callable[[str], None] | None = None) -> Cluster:
        """Start the processes (one after the other: the first migrates the database), nginx
        and the supervisor, which tells `report` each restart."""
        try:
            flags = ("--config", str(self.write_config()))
            for _ in range(PROCESSES):
                self.processes.append(ServerProcess(self.data_dir, flags=flags).start())
            self.nginx = start_nginx(self.folder / "nginx", [p.port for p in self.processes],
                                     self.port, pinnable=self.pinnable)
            self.supervisor = Supervisor(self.processes, report or (lambda _line: None))
        except BaseException:
            self.stop()
            raise
        return self

    def bootstrap_link(self, organization: str) -> str:
        return self.processes[0].bootstrap_link(organization)

    # operations: what fault tests and operators do to a running cluster ----------------------
    def service(self, name: str) -> Restartable:
        """A backend by name: "postgresql", "seaweedfs" or "redis"."""
        return self.backends.services[name]

    def kill_process(self, index: int) -> int:
        """SIGKILL app process `index`, as a crash would (the supervisor starts it again);
        the pid it had."""
        process = self.processes[index].process
        assert process is not None
        process.kill()
        process.wait()
        return process.pid

    def wait_until_serving(self, index: int, timeout: float = SERVING_SECONDS) -> None:
        """Wait until app process `index` answers its health check with "ok"."""
        deadline = time.monotonic() + timeout
        while not self.processes[index].healthy():
            if time.monotonic() > deadline:
                raise TimeoutError(f"app process {index} is not serving after {timeout} s:\n"
                                   f"{self.processes[index].log_text()}")
            time.sleep(0.2)

    def health(self) -> tuple[int, dict[str, Any]]:
        """(status code, body) of `/api/health` asked through nginx."""
        try:
            with urllib.request.urlopen(f"{self.url}api/health", timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def wait_for_health(self, status: str, timeout: float = SERVING_SECONDS) -> dict[str, Any]:
        """Wait until every app process's health says `status` ("ok" or "degraded"); the last
        body read."""
        deadline = time.monotonic() + timeout
        while True:
            bodies = [self._health_of(process) for process in self.processes]
            if all(body.get("status") == status for body in bodies):
                return bodies[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"health is not {status!r} after {timeout} s: {bodies}")
            time.sleep(0.2)

    @staticmethod
    def _health_of(process: ServerProcess) -> dict[str, Any]:
        try:
            return process.health()
        except urllib.error.HTTPError as error:
            return json.load(error)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return {}

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
        for service in (self.nginx, *self.processes):
            if service is not None:
                service.stop()


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--data", default="var-cluster", help="folder for data and services")
    arguments = parser.parse_args(argv)

    def stop(_signal: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    for stopping in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # before starting: a stop
        signal.signal(stopping, stop)  # during start cleans up too
    folder = Path(arguments.data).resolve()
    try:
        with running_backends(folder, lasting=True) as backends:
            cluster = Cluster(folder, backends, arguments.port).start(
                report=lambda line: print(line, flush=True))
            try:
                config = _shown(cluster.config_file)
                print(f"Paravent cluster on {cluster.url}: nginx -> processes on ports "
                      f"{', '.join(str(p.port) for p in cluster.processes)}; PostgreSQL "
                      f"{backends.database}, SeaweedFS S3 {backends.s3_endpoint}, Redis "
                      f"{backends.message_queue}")
                print(f"Its configuration is in {config} (rewritten at each start). Admin "
                      f"commands read it:\n  .venv/bin/python app.py --config {config} "
                      f"bootstrap-link --org NAME\n  .venv/bin/python app.py --config {config} "
                      "backup /backups/DATE")
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
