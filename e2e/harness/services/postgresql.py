"""PostgreSQL from Debian's binaries on a free loopback port, run as the `postgres` user when
started as root (PostgreSQL refuses to run as root): a throw-away cluster in a temporary folder,
or a lasting one in a given folder."""

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
from e2e.harness.services.process import stop, wait_until_ready

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


@contextlib.contextmanager
def postgresql(folder: Path | None = None) -> Iterator[str]:
    """PostgreSQL on loopback; yields the URL of its `postgres` database as the superuser.
    Without `folder`, a throw-away cluster (durability off, removed at the end); with it, the
    cluster lives in `folder`, created on first use and kept."""
    throwaway = folder is None
    home = Path(tempfile.mkdtemp(prefix="paravent-postgres-")) if folder is None else folder
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    data = home / "data"
    binaries = _binaries()
    if not (data / "PG_VERSION").exists():
        subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER,
                        "--auth=trust", "-E", "UTF8", *(["--no-sync"] if throwaway else [])],
                       check=True, capture_output=True, cwd=home, **_as_postgres())
    port = free_port()
    settings = [f"-c{setting}" for setting in (*(THROWAWAY_SETTINGS if throwaway else ()),
                                                "max_connections=300")]
    with (home / "postgresql.log").open("ab") as log:
        process = subprocess.Popen(
            [str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
             "-k", str(home), *settings],
            stdout=log, stderr=subprocess.STDOUT, cwd=home, **_as_postgres())
    url = f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"

    def ready() -> bool:
        with psycopg.connect(url, connect_timeout=2):
            return True

    try:
        wait_until_ready(ready, "PostgreSQL", process)
        yield url
    finally:
        # SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
        stop(process, signal.SIGINT)
        if throwaway:
            shutil.rmtree(home, ignore_errors=True)


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
