"""Waiting for a service child process to be ready, stopping it, and killing it as a crash
would; `Restartable` is what every service of the cluster offers its operator and the tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from typing import Protocol

READY_SECONDS = 60
STOP_SECONDS = 10
# Popen's arguments that put a service in its own process group, so that `kill` reaches the
# processes it started too (PostgreSQL's backends), and a Ctrl-C meant for the harness does not
# stop it behind the harness's back.
OWN_GROUP = {"start_new_session": True}


class Restartable(Protocol):
    """A service that can be stopped cleanly, killed (SIGKILL to it and its children, as a
    crash or an operator's `kill -9`), and started again on the same address with its data."""

    def start(self) -> object: ...

    def stop(self) -> None: ...

    def kill(self) -> None: ...


def wait_until_ready(ready: Callable[[], bool], what: str,
                     process: subprocess.Popen[bytes]) -> None:
    """Poll `ready` until it answers True; fail if `process` exits or time runs out."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start (code {process.returncode})")
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    stop(process, signal.SIGKILL)
    raise RuntimeError(f"{what} was not ready within {READY_SECONDS} s")


def wait_for_port(port: int, what: str, process: subprocess.Popen[bytes]) -> None:
    def listening() -> bool:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True

    wait_until_ready(listening, what, process)


def stop(process: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> None:
    """Send `how`, then SIGKILL if the process has not exited within STOP_SECONDS."""
    if process.poll() is not None:
        return
    process.send_signal(how)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def kill(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGKILL `process` and every process of its group (it was started with `OWN_GROUP`)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
