"""The real Paravent server on a free loopback port: as a subprocess with its own data folder
(`ServerProcess`), or a given app served from a thread of this process (`serving_in_thread`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving_in_thread(app: Flask, port: int = 0) -> Iterator[int]:
    """`app` served by Werkzeug's threaded server on 127.0.0.1 (`port`, or a free one) until the
    block ends; yields the port."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


@dataclass
class ServerProcess:
    """`python app.py` (the production server) serving from `data_dir` with `flags` added and
    `environment` added to this process's; `url` ends with a slash."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    flags: tuple[str, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        """The origin browsers use: `localhost`, since passkeys cannot be bound to an IP."""
        return f"http://localhost:{self.port}/"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "paravent.sqlite3"

    def bootstrap_link(self, organization: str) -> str:
        """A fresh one-time link to create `organization`, from the server's command line."""
        completed = subprocess.run(
            [sys.executable, "app.py", "--port", str(self.port), "--data", str(self.data_dir),
             *self.flags, "bootstrap-link", "--org", organization],
            cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=30,
            env={**os.environ, **self.environment},
        )
        return completed.stdout.strip()

    def launch(self, command: list[str] | None = None) -> ServerProcess:
        """Start `python app.py …` (or `python <command>`) without waiting; its output is
        added to its log (a process started again on the same port keeps the earlier lines)."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with (self.data_dir.parent / f"server-{self.port}.log").open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, *(command or [
                    "app.py", "--host", "127.0.0.1", "--port", str(self.port),
                    "--data", str(self.data_dir), *self.flags])],
                cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, **self.environment},
            )
        return self

    def start(self, command: list[str] | None = None) -> ServerProcess:
        """Start `python app.py …` (or `python <command>`) and wait until it is healthy."""
        self.launch(command)
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.log_text()}")
            if self.healthy():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer in {START_TIMEOUT_S}s:\n{self.log_text()}")

    def health(self) -> dict[str, object]:
        health_url = f"http://127.0.0.1:{self.port}/api/health"
        with urllib.request.urlopen(health_url, timeout=2) as response:
            return json.load(response)

    def healthy(self) -> bool:
        try:
            return self.health()["status"] == "ok"
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def log_text(self, *, whole: bool = False) -> str:
        path = self.data_dir.parent / f"server-{self.port}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text if whole else text[-4000:]

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL if it has not exited within 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
