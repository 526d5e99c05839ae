"""PostgreSQL from Debian's binaries on a free loopback port, run as the `postgres` user when
started as root (PostgreSQL refuses to run as root): a throw-away cluster in a temporary folder,
or a lasting one in a given folder; either can be stopped, killed and started again."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from e2e.harness.server import free_port
from e2e.harness.services.process import OWN_GROUP, kill, stop, wait_until_ready

SUPERUSER = "postgres"
# Durability off: a throw-away cluster's data is lost with it anyway.
THROWAWAY_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _binaries() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise RuntimeError("no PostgreSQL: apt-get install -y postgresql")
    return versions[-1].parent


def _as_postgres() -> dict[str, str]:
    """Popen's arguments to run as the `postgres` user when started as root."""
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


class PostgreSQL:
    """PostgreSQL on a loopback port chosen at its first start and kept: stopped (a fast
    shutdown) or killed (SIGKILL to the postmaster and its backends, as a crash), it starts
    again on the same port with the same data. Without `folder`, a throw-away cluster
    (durability off, removed by `close`); with it, the cluster lives in `folder`, created on
    first use and kept."""

    def __init__(self, folder: Path | None = None) -> None:
        self.throwaway = folder is None
        self.home = Path(tempfile.mkdtemp(prefix="paravent-postgres-")) if folder is None \
            else folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The `postgres` database as the superuser."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.home / "data"

    def _initialize(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            subprocess.run([str(_binaries() / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                            "--auth=trust", "-E", "UTF8",
                            *(["--no-sync"] if self.throwaway else [])],
                           check=True, capture_output=True, cwd=self.home, **_as_postgres())

    def _remove_stale_lock(self) -> None:
        """A postmaster.pid left by a postmaster that was killed: PostgreSQL refuses to start
        while it names a live process, which a reused pid can be."""
        lock = self.data / "postmaster.pid"
        try:
            pid = int(lock.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            alive = str(self.data) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(
                errors="replace")
        except OSError:
            alive = False
        if alive:
            raise RuntimeError(f"PostgreSQL already runs on {self.data} (pid {pid})")
        lock.unlink(missing_ok=True)

    def start(self) -> PostgreSQL:
        """Start it unless it runs; wait until it accepts connections."""
        if self.process is not None and self.process.poll() is None:
            return self
        self._initialize()
        self._remove_stale_lock()
        settings = [f"-c{setting}" for setting in (
            *(THROWAWAY_SETTINGS if self.throwaway else ()), "max_connections=300")]
        with (self.home / "postgresql.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(_binaries() / "postgres"), "-D", str(self.data), "-p", str(self.port),
                 "-h", "127.0.0.1", "-k", str(self.home), *settings],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.home, **_as_postgres(),
                **OWN_GROUP)

        def ready() -> bool:
            with psycopg.connect(self.url, connect_timeout=2):
                return True

        wait_until_ready(ready, "PostgreSQL", self.process)
        return self

    def stop(self) -> None:
        """A fast shutdown (SIGINT: it does not wait for clients to disconnect)."""
        if self.process is not None:
            stop(self.process, signal.SIGINT)

    def kill(self) -> None:
        if self.process is not None:
            kill(self.process)

    def close(self) -> None:
        """Stop it; a throw-away cluster's files are removed."""
        self.stop()
        if self.throwaway:
            shutil.rmtree(self.home, ignore_errors=True)


@contextlib.contextmanager
def postgresql_service(folder: Path | None = None) -> Iterator[PostgreSQL]:
    """A started `PostgreSQL`, closed at the end."""
    service = PostgreSQL(folder)
    try:
        yield service.start()
    finally:
        service.close()


@contextlib.contextmanager
def postgresql(folder: Path | None = None) -> Iterator[str]:
    """PostgreSQL on loopback; yields the URL of its `postgres` database as the superuser."""
    with postgresql_service(folder) as service:
        yield service.url


def create_database(server_url: str, name: str) -> str:
    """Database `name` on the server at `server_url`, created unless it exists; its URL."""
    with psycopg.connect(server_url, autocommit=True) as connection:
        if connection.execute("select 1 from pg_database where datname = %s",
                              (name,)).fetchone() is None:
            connection.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return f"{server_url.rsplit('/', 1)[0]}/{name}"


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))
