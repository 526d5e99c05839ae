"""`python -m bench.concurrent_writes` (also part of `make bench-serving`): many writers at once.

Each writer is its own member (threads of this process, kept-alive connections), writing
comments into the log as a browser's worker seals them, on PostgreSQL:
- one workspace, `WRITERS` writers, one production process: each writer reads the log's new
  entries, seals a comment and posts it; on 409 `stale_log` it reads again and re-seals (a
  *re-seal*); a write's latency runs from its first seal to its 201. Today's log format 4 (a
  write names the head its writer verified; the server places it) beside format 3 (each entry
  must follow the last one exactly, which the server still accepts from older pages).
- one workspace, `MANY_WRITERS` writers (format 4): no 5xx, and every 201 is in the log.
- writes spread over `WORKSPACES` workspaces (`PER_WORKSPACE` writers each, each writer
  posting as fast as it is answered for `SPREAD_SECONDS`), one production process behind nginx
  against two behind nginx (the cluster of `make cluster`): writes per second, and the CPU
  each part spent per write (app processes, nginx, PostgreSQL, Redis, this process's writer
  threads), from which the most two processes could reach on this machine's cores follows.
Each writer stays under the per-user write limit (300 a minute) in the first two runs by a pause
between writes, as a person does; in the third the limit is what caps a writer (429s are
counted, never retried).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api import create_app
from api.config import Config
from bench.cpu_usage import CLIENT, CpuUsage, cpu_usage
from e2e.harness.cluster import Backends, Cluster, running_backends
from e2e.harness.server import ServerProcess, free_port
from e2e.harness.services.nginx import start_nginx
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import GENESIS, entry_hash, seal_entry, write_entry
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import Member, Workspace, create_workspace

WRITERS = 20
MANY_WRITERS = 50
WRITES_EACH = 12
PAUSE_SECONDS = 0.25
DEADLINE_SECONDS = 60.0
WORKSPACES = 20
PER_WORKSPACE = 3
SPREAD_SECONDS = 10.0
P99_TARGET_MS = 300.0
RESEAL_TARGET = 0.05
SCALE_TARGET = 1.6
DOSSIER_ID = "d-" + "b" * 24


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Writer:
    """A member's session and keys, writing into one workspace."""

    cookie: str
    member: Member
    workspace_id: str
    keyring: Keyring


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    accepted: int = 0
    reseals: int = 0
    limited: int = 0
    server_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: Any) -> None:
        with self.lock:
            for name, value in counts.items():
                if name == "latency_ms":
                    self.latencies_ms.append(value)
                else:
                    setattr(self, name, getattr(self, name) + value)


class _Connection:
    """One writer's kept-alive connection, signed in as the writer."""

    def __init__(self, port: int, writer: Writer, origin: str) -> None:
        self._http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self._headers = {"Cookie": f"paravent_session={writer.cookie}", "Origin": origin}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body) if body is not None else None
        headers = {**self._headers, **({"Content-Type": "application/json"} if data else {})}
        self._http.request(method, path, body=data, headers=headers)
        response = self._http.getresponse()
        return response.status, json.loads(response.read() or b"null")


@dataclass
class _Head:
    """The log as far as one writer has read it: its length and its last entry's hash."""

    length: int = 0
    hash: bytes = GENESIS

    def follow(self, connection: _Connection, workspace_id: str) -> None:
        status, listing = connection.call(
            "GET", f"/api/workspaces/{workspace_id}/log?after={self.length}")
        if status != 200:
            raise RuntimeError(f"reading the log: {status}")
        for entry in listing["entries"]:
            self.length, self.hash = entry["seq"], entry_hash(_unb64(entry["entry"]))


def _sealed(writer: Writer, head: _Head, format_version: int, text: str) -> dict[str, Any]:
    content = {"dossier_id": DOSSIER_ID, "text": text}
    author = writer.member.person.user_id
    if format_version == 3:
        entry = seal_entry(writer.keyring, writer.member.signing, author=author,
                           seq=head.length + 1, prev=head.hash, kind="comment", content=content)
        return {"seq": head.length + 1, "kind": "comment", "entry": to_b64(entry)}
    entry = write_entry(writer.keyring, writer.member.signing, author=author,
                        head=(head.length, head.hash), kind="comment", content=content)
    return {"head": head.length, "kind": "comment", "entry": to_b64(entry)}


def _write_in_turns(port: int, origin: str, writer: Writer, format_version: int, tally: Tally,
                    stop_at: float) -> None:
    """`WRITES_EACH` comments, a pause between: the writer reads the log's new entries (as the
    page does when told of them), then seals and sends its comment until it is accepted, reading
    again and re-sealing after each 409. A write's latency runs from its first seal to its 201."""
    connection = _Connection(port, writer, origin)
    head = _Head()
    path = f"/api/workspaces/{writer.workspace_id}/log"
    for number in range(WRITES_EACH):
        if time.monotonic() > stop_at:
            return
        head.follow(connection, writer.workspace_id)
        started = time.perf_counter()
        while time.monotonic() < stop_at:
            status, _ = connection.call("POST", path, _sealed(writer, head, format_version,
                                                              f"avis {number}"))
            if status == 201:
                tally.add(accepted=1, latency_ms=(time.perf_counter() - started) * 1000)
                break
            if status >= 500:
                tally.add(server_errors=1)
                break
            if status == 429:
                tally.add(limited=1)
                time.sleep(1.0)
            elif status == 409:
                tally.add(reseals=1)
            else:
                raise RuntimeError(f"a write was refused: {status}")
            head.follow(connection, writer.workspace_id)
        time.sleep(PAUSE_SECONDS)


def _write_flat_out(port: int, origin: str, writer: Writer, tally: Tally,
                    stop_at: float) -> None:
    """Comments naming the head this writer read once, as fast as they are answered."""
    connection = _Connection(port, writer, origin)
    head = _Head()
    head.follow(connection, writer.workspace_id)
    path = f"/api/workspaces/{writer.workspace_id}/log"
    while time.monotonic() < stop_at:
        status, _ = connection.call("POST", path, _sealed(writer, head, 4, "avis"))
        if status == 201:
            tally.add(accepted=1)
        elif status == 429:
            tally.add(limited=1)
        elif status >= 500:
            tally.add(server_errors=1)
        else:
            raise RuntimeError(f"a write was refused: {status}")


def _run_threads(target: Callable[..., None], writers: list[Writer], *args: Any) -> None:
    threads = [threading.Thread(target=target, args=(*args[:2], writer, *args[2:]))
               for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Workload:
    origin: str
    one: list[Writer]  # the writers of one workspace (at least MANY_WRITERS)
    spread: list[Writer]  # PER_WORKSPACE writers in each of WORKSPACES workspaces
    workspace: Workspace


def prepare(data_dir: Path, port: int, database: str) -> Workload:
    """The members and workspaces, created in this process by an app whose invitation
    ceremonies are not rate limited, on the database the servers will use."""
    config = Config(data_dir=data_dir, port=port, database=database,
                    ceremony_requests_per_minute=100_000,
                    workspace_creations_per_minute=100_000)
    organization = bootstrap(create_app(config))
    shared = create_workspace(organization)
    members = [shared.add("contributor")
               for _ in range(max(MANY_WRITERS, WORKSPACES * PER_WORKSPACE))]
    spread: list[Writer] = []
    for index in range(WORKSPACES):
        workspace = create_workspace(organization)
        for member in members[index * PER_WORKSPACE:(index + 1) * PER_WORKSPACE]:
            workspace.add("contributor", member.person)
            spread.append(_writer(member, workspace))
    return Workload(config.public_origin, [_writer(member, shared) for member in members],
                    spread, shared)


def _writer(member: Member, workspace: Workspace) -> Writer:
    cookie = member.person.client.get_cookie("paravent_session")
    assert cookie is not None
    return Writer(cookie.value, member, workspace.workspace_id, workspace.keyring)


def _log_kinds(workload: Workload) -> list[str]:
    client = workload.workspace.owner.person.client
    kinds: list[str] = []
    after = 0
    while True:
        listing = client.get(f"{workload.workspace.url}/log?after={after}").json
        kinds += [entry["kind"] for entry in listing["entries"]]
        if not listing["entries"]:
            return kinds
        after = listing["entries"][-1]["seq"]


def in_turns(port: int, workload: Workload, writers: int, format_version: int) -> dict[str, Any]:
    """`writers` members writing into one workspace; whether every accepted write is in it."""
    before = _log_kinds(workload).count("comment")
    tally = Tally()
    started = time.monotonic()
    _run_threads(_write_in_turns, workload.one[:writers], port, workload.origin,
                 format_version, tally, started + DEADLINE_SECONDS)
    elapsed = time.monotonic() - started
    stored = _log_kinds(workload).count("comment") - before
    return {"writers": writers, "format": format_version, "accepted": tally.accepted,
            "stored": stored, "unfinished": writers * WRITES_EACH - tally.accepted,
            "reseals": tally.reseals, "limited": tally.limited,
            "server_errors": tally.server_errors, "seconds": elapsed,
            "p50_ms": _percentile(tally.latencies_ms, 0.50),
            "p99_ms": _percentile(tally.latencies_ms, 0.99),
            "reseals_per_write": tally.reseals / max(tally.accepted, 1)}


def _pids(servers: list[ServerProcess]) -> list[int]:
    return [server.process.pid for server in servers if server.process is not None]


def _service_parts(backends: Backends) -> dict[str, Callable[[], list[int]]]:
    return {name: lambda service=service: [service.process.pid]
            for name, service in backends.services.items() if name != "seaweedfs"}


def spread(port: int, workload: Workload,
           parts: dict[str, Callable[[], list[int]]]) -> dict[str, Any]:
    """Writes per second over the workspaces, and the CPU milliseconds each part spent per
    write (`parts` names the root process ids of the servers, nginx and the databases)."""
    tally = Tally()
    with cpu_usage(parts) as usage:
        _run_threads(_write_flat_out, workload.spread, port, workload.origin, tally,
                     time.monotonic() + SPREAD_SECONDS)
    return {"writes_per_second": tally.accepted / SPREAD_SECONDS, "limited": tally.limited,
            "server_errors": tally.server_errors, **_costs(usage, tally.accepted)}


def _costs(usage: CpuUsage, writes: int) -> dict[str, Any]:
    return {"cpu_ms_per_write": usage.per(writes),
            "cpu_ms_per_write_total": usage.total * 1000 / max(writes, 1),
            "machine_cores_busy": usage.cores_busy, "our_cores_busy": usage.total /
            max(usage.wall_seconds, 1e-9)}


def measure(folder: Path, backends: Backends) -> dict[str, Any]:
    port = free_port()
    cluster_folder = folder / "writes"
    workload = prepare(cluster_folder / "data", port, backends.database)
    flags = ("--origin", workload.origin, *backends.flags)
    process = ServerProcess(cluster_folder / "data", port=port, flags=flags,
                            environment=backends.environment).start()
    try:
        results = {"format_3": in_turns(port, workload, WRITERS, 3),
                   "format_4": in_turns(port, workload, WRITERS, 4),
                   "many": in_turns(port, workload, MANY_WRITERS, 4)}
    finally:
        process.stop()
    # One process behind the same nginx as the cluster's two, so that only the count differs.
    process = ServerProcess(cluster_folder / "data", port=free_port(), flags=flags,
                            environment=backends.environment).start()
    nginx = start_nginx(folder / "nginx", [process.port], port)
    try:
        results["spread_one_process"] = spread(port, workload, {
            "app": lambda: _pids([process]), "nginx": lambda: [nginx.process.pid],
            **_service_parts(backends)})
    finally:
        nginx.stop()
        process.stop()
    cluster = Cluster(cluster_folder, backends, port).start()
    try:
        results["spread_two_processes"] = spread(port, workload, {
            "app": lambda: _pids(cluster.processes),
            "nginx": lambda: [cluster.nginx.process.pid] if cluster.nginx else [],
            **_service_parts(backends)})
    finally:
        cluster.stop()
    results["cores"] = os.cpu_count() or 1
    return results


def _verdict(met: bool) -> str:
    return "meets" if met else "misses"


def report(results: dict[str, Any]) -> list[str]:
    lines = []
    for name in ("format_3", "format_4"):
        run = results[name]
        design = ("today's design (format 4: writes name their head, the server places them)"
                  if name == "format_4" else "the previous design (format 3: each entry must "
                  "follow the last one)")
        met = run["p99_ms"] < P99_TARGET_MS and run["reseals_per_write"] < RESEAL_TARGET
        lines.append(
            f"{run['writers']} writers in one workspace, one process, {design}: "
            f"{run['accepted']} writes in {run['seconds']:.1f} s ({run['unfinished']} not done "
            f"by {DEADLINE_SECONDS:.0f} s), p50 {run['p50_ms']:.0f} ms, p99 {run['p99_ms']:.0f} "
            f"ms, {run['reseals']} re-seals ({run['reseals_per_write']:.1%} of writes), "
            f"{run['limited']} rate-limited, {run['server_errors']} 5xx (target p99 < "
            f"{P99_TARGET_MS:.0f} ms, re-seals < {RESEAL_TARGET:.0%}: {_verdict(met)})")
    many = results["many"]
    whole = many["server_errors"] == 0 and many["stored"] == many["accepted"]
    lines.append(
        f"{many['writers']} writers in one workspace (format 4): {many['accepted']} accepted, "
        f"{many['stored']} in the log, {many['server_errors']} 5xx, {many['reseals']} re-seals, "
        f"p99 {many['p99_ms']:.0f} ms (no 5xx, nothing lost: {_verdict(whole)})")
    one = results["spread_one_process"]["writes_per_second"]
    two = results["spread_two_processes"]["writes_per_second"]
    lines.append(
        f"writes spread over {WORKSPACES} workspaces ({WORKSPACES * PER_WORKSPACE} writers), "
        f"PostgreSQL, behind nginx: one process {one:.0f} writes/s, two {two:.0f} writes/s "
        f"({two / max(one, 1e-9):.2f}x, target >= {SCALE_TARGET}x: "
        f"{_verdict(two >= SCALE_TARGET * one)}); rate-limited "
        f"{results['spread_one_process']['limited']} / "
        f"{results['spread_two_processes']['limited']}")
    return [*lines, *_scaling_report(results)]


def _most(run: dict[str, Any], processes: int, cores: int, *, client: bool) -> float:
    """Writes per second the CPU costs of `run` allow: each app process runs on one core, and
    every part (the writers' threads too, unless `client` is False) shares `cores` cores."""
    costs = run["cpu_ms_per_write"]
    shared = run["cpu_ms_per_write_total"] - (0.0 if client else costs[CLIENT])
    return min(processes * 1000 / max(costs["app"], 1e-9), cores * 1000 / max(shared, 1e-9))


def _scaling_report(results: dict[str, Any]) -> list[str]:
    """Where each write's CPU went, and what the CPU costs allow one and two processes on these
    cores, whatever else the machine was running (the measured figures depend on it)."""
    lines = []
    cores = results["cores"]
    one, two = results["spread_one_process"], results["spread_two_processes"]
    for run, label in ((one, "one process"), (two, "two processes")):
        parts = ", ".join(f"{part} {ms:.2f}" for part, ms in run["cpu_ms_per_write"].items())
        lines.append(
            f"  {label}: CPU per write (ms) {parts}; total {run['cpu_ms_per_write_total']:.2f}; "
            f"cores busy: this benchmark {run['our_cores_busy']:.2f}, the whole machine "
            f"{run['machine_cores_busy']:.2f} of {cores}")
    for client, where in ((True, "writers on the same cores"), (False, "writers elsewhere")):
        most_one, most_two = (_most(one, 1, cores, client=client),
                              _most(two, 2, cores, client=client))
        ratio = most_two / max(most_one, 1e-9)
        lines.append(
            f"  what these CPU costs allow on {cores} cores, {where}: one process "
            f"{most_one:.0f} writes/s, two {most_two:.0f} ({ratio:.2f}x: "
            + ("the target is out of reach here)" if ratio < SCALE_TARGET
               else "the cores allow the target)"))
    return lines


def main() -> None:
    with (tempfile.TemporaryDirectory(prefix="paravent-bench-writes-") as folder,
          running_backends(Path(folder) / "services", lasting=False) as backends):
        results = measure(Path(folder), backends)
    print("\n".join(report(results)))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "concurrent_writes.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
