"""CPU seconds spent by named process trees, by this process and by the whole machine while a
block of a benchmark runs, read from /proc (Linux).

A benchmark that runs its load generator, the servers and their databases on the same few cores
measures the machine as much as the server: `CpuUsage` says what each part cost, so that the
figure can be judged against what the cores allow.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CLIENT = "bench client"
_TICKS = os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (those alive now)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid, *(each for child in children for each in _descendants(int(child)))]


def _process_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_seconds() -> float:
    """Seconds of every core spent on anything but idling and waiting for I/O."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICKS


@dataclass
class CpuUsage:
    """What one measured block cost: CPU seconds per part (`CLIENT` is this process, the load
    generator), the whole machine's busy core-seconds (other users included) and the wall time."""

    seconds: dict[str, float] = field(default_factory=dict)
    machine_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def per(self, count: float) -> dict[str, float]:
        """Milliseconds of CPU per unit of work, per part."""
        return {name: value * 1000 / max(count, 1) for name, value in self.seconds.items()}

    @property
    def cores_busy(self) -> float:
        """Cores the whole machine kept busy on average (ours and anyone else's)."""
        return self.machine_seconds / max(self.wall_seconds, 1e-9)


@contextmanager
def cpu_usage(parts: dict[str, Callable[[], list[int]]]) -> Iterator[CpuUsage]:
    """Measure the block: each part names a function giving its root process ids (asked at the
    start and at the end, so processes started meanwhile, such as a database's new backends,
    count from zero)."""
    usage = CpuUsage()

    def trees() -> dict[int, str]:
        return {pid: name for name, roots in parts.items() for root in roots()
                for pid in _descendants(root)}

    before = {pid: _process_seconds(pid) for pid in trees()}
    own, machine, started = _own_seconds(), _machine_busy_seconds(), time.monotonic()
    yield usage
    usage.wall_seconds = time.monotonic() - started
    usage.machine_seconds = _machine_busy_seconds() - machine
    usage.seconds = dict.fromkeys(parts, 0.0)
    for pid, name in trees().items():
        usage.seconds[name] += _process_seconds(pid) - before.get(pid, 0.0)
    usage.seconds[CLIENT] = _own_seconds() - own
