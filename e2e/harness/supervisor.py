"""Keeps a cluster's app processes running, as systemd's `Restart=on-failure` does in production:
a process that exits without being asked to (a crash, an out-of-memory kill, `kill -9`) is
started again on its port, after a pause that doubles with each quick failure (0.5 s up to 8 s)
and starts over once the process has run for a while."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from e2e.harness.server import ServerProcess

FIRST_PAUSE_SECONDS = 0.5
LONGEST_PAUSE_SECONDS = 8.0
# A process that ran this long before it exited failed on its own, not at start: no backoff.
STEADY_SECONDS = 30.0
WATCH_EVERY_SECONDS = 0.2


@dataclass
class _Watched:
    process: ServerProcess
    started_at: float = field(default_factory=time.monotonic)
    pause: float = FIRST_PAUSE_SECONDS
    restarts: int = 0


class Supervisor:
    """Watches `processes` from a thread of its own until `stop`; `report` is told each
    restart in one line."""

    def __init__(self, processes: list[ServerProcess],
                 report: Callable[[str], None] = lambda _line: None) -> None:
        self._watched = [_Watched(process) for process in processes]
        self._report = report
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._thread.start()

    def restarts(self, index: int) -> int:
        """How many times process `index` was started again."""
        return self._watched[index].restarts

    def _watch(self) -> None:
        while not self._stopping.wait(WATCH_EVERY_SECONDS):
            for watched in self._watched:
                process = watched.process.process
                if process is not None and process.poll() is not None:
                    self._restart(watched, process.returncode)

    def _restart(self, watched: _Watched, code: int) -> None:
        ran = time.monotonic() - watched.started_at
        if ran >= STEADY_SECONDS:
            watched.pause = FIRST_PAUSE_SECONDS
        self._report(f"app process on port {watched.process.port} exited (code {code}) after "
                     f"{ran:.0f} s; starting it again in {watched.pause:.1f} s")
        if self._stopping.wait(watched.pause):
            return
        watched.process.launch()
        watched.started_at = time.monotonic()
        watched.restarts += 1
        watched.pause = min(watched.pause * 2, LONGEST_PAUSE_SECONDS)

    def stop(self) -> None:
        """Stop watching (before the processes are stopped, so none is started again)."""
        self._stopping.set()
        self._thread.join()
