"""`python -m bench.serving` (or `make bench-serving`): the production server and the cluster.

- fan-out: 200 WebSockets, half on each of two server processes sharing Redis; a third process
  emits an event through Redis (as a process that handled a write does) and every socket
  records how long it took to arrive; 30 rounds. Target: p99 < 100 ms.
- mixed load: 20 clients (threads, kept-alive connections) signed in as members of a workspace,
  three reads (workspace log, directory) for one write (the next version of the client's own
  state, as read markers are written) each, for
  `LOAD_SECONDS`: the production server against the development server it replaces (Werkzeug,
  threaded, as `python app.py` served before), both on SQLite; and two production processes
  behind nginx, on one PostgreSQL database and one SeaweedFS bucket with Redis (the cluster of
  `make cluster`), against one production process on the same PostgreSQL.
- concurrent writes (bench/concurrent_writes.py): 20 and 50 writers in one workspace, and writes
  spread over 20 workspaces on one process and on two.
Prints each figure and "meets"/"misses" for the targets.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import simple_websocket
from flask_socketio import SocketIO

from api import create_app
from api.config import Config
from bench import concurrent_writes
from e2e.harness.cluster import Backends, Cluster, running_backends
from e2e.harness.server import REPO_ROOT, ServerProcess, free_port
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import create_workspace

SOCKETS = 200
ROUNDS = 30
FANOUT_TARGET_MS = 100.0
CLIENTS = 20
LOAD_SECONDS = 10.0
# An own state as a browser seals it is opaque to the server: any bytes of its size will do.
OWN_STATE = base64.urlsafe_b64encode(bytes(96)).rstrip(b"=").decode()
DEV_SERVER = """
import sys
from pathlib import Path
from api import create_app, socketio_of
from api.config import Config
app = create_app(Config(data_dir=Path(sys.argv[1]), port=int(sys.argv[2])))
socketio_of(app).run(app, host="127.0.0.1", port=int(sys.argv[2]), allow_unsafe_werkzeug=True,
                     log_output=False)
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Listener:
    """A raw Socket.IO client on one WebSocket: answers pings, timestamps `bench:tick`s."""

    def __init__(self, port: int, delays: list[float]) -> None:
        self._ws = simple_websocket.Client.connect(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket")
        # Ask for the namespace at once: simple-websocket's client may keep the server's first
        # frame (engine.io "open") in its handshake buffer until more bytes arrive.
        self._ws.send("40")
        while not str(self._ws.receive(timeout=10)).startswith("40"):
            pass
        self._delays = delays
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                message = self._ws.receive()
                if message == "2":
                    self._ws.send("3")
            except simple_websocket.ConnectionClosed:
                return
            if isinstance(message, str) and message.startswith("42"):
                _, payload = json.loads(message[2:])
                self._delays.append((time.time() - payload["t"]) * 1000)

    def close(self) -> None:
        self._ws.close()


def measure_fanout(folder: Path, backends: Backends) -> dict[str, float]:
    cluster = Cluster(folder, backends).start()
    delays: list[float] = []
    try:
        listeners = [_Listener(cluster.processes[index % 2].port, delays)
                     for index in range(SOCKETS)]
        emitter = SocketIO(message_queue=backends.message_queue)
        for _ in range(ROUNDS):
            emitter.emit("bench:tick", {"t": time.time()})
            time.sleep(0.3)
        deadline = time.monotonic() + 10
        while len(delays) < SOCKETS * ROUNDS and time.monotonic() < deadline:
            time.sleep(0.1)
        for listener in listeners:
            listener.close()
    finally:
        cluster.stop()
    return {"sockets": SOCKETS, "delivered": len(delays), "expected": SOCKETS * ROUNDS,
            "p50_ms": _percentile(delays, 0.50), "p99_ms": _percentile(delays, 0.99),
            "max_ms": max(delays)}


@dataclass(frozen=True)
class Workload:
    cookies: tuple[str, ...]  # one session per load client
    origin: str
    workspace_id: str
    # Each client is its own user with its own state: the next version each one writes, kept
    # across the servers measured on the same data.
    versions: dict[str, Iterator[int]]


def prepare_workload(data_dir: Path, port: int, database: str | None = None) -> Workload:
    """A workspace with one member per load client, each signed in (so that each stays within
    the per-user write limit), created in this process (in SQLite in `data_dir`, or in
    `database`) by an app whose invitation ceremonies are not rate limited."""
    config = Config(data_dir=data_dir, port=port, database=database,
                    ceremony_requests_per_minute=CLIENTS * 100)
    workspace = create_workspace(bootstrap(create_app(config)))
    members = [workspace.owner, *(workspace.add("contributor") for _ in range(CLIENTS - 1))]
    cookies = tuple(member.person.client.get_cookie("paravent_session").value
                    for member in members)
    return Workload(cookies, config.public_origin, workspace.workspace_id,
                    {cookie: itertools.count(1) for cookie in cookies})


def _client(port: int, workload: Workload, cookie: str, stop_at: float,
            counts: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"paravent_session={cookie}", "Origin": workload.origin}
    base = f"/api/workspaces/{workload.workspace_id}"
    requests = [("GET", f"{base}/log"), ("GET", "/api/directory"), ("GET", f"{base}/log"),
                ("PUT", f"{base}/my-state")]
    done = 0
    while time.monotonic() < stop_at:
        method, path = requests[done % len(requests)]
        body = json.dumps({"version": next(workload.versions[cookie]), "state": OWN_STATE}) \
            if method == "PUT" else None
        connection.request(method, path, body=body, headers={
            **headers, **({"Content-Type": "application/json"} if body else {})})
        response = connection.getresponse()
        response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status}")
        done += 1
    counts.append(done)


def measure_load(port: int, workload: Workload) -> float:
    """Requests per second served to `CLIENTS` clients on `port`."""
    counts: list[int] = []
    stop_at = time.monotonic() + LOAD_SECONDS
    threads = [threading.Thread(target=_client, args=(port, workload, cookie, stop_at, counts))
               for cookie in workload.cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(counts) != CLIENTS:
        raise RuntimeError("a load client failed")
    return sum(counts) / LOAD_SECONDS


def _serving(start: Callable[[], Callable[[], None]], measure: Callable[[], float]) -> float:
    stop = start()
    try:
        return measure()
    finally:
        stop()


def measure_servers(folder: Path, backends: Backends) -> dict[str, float]:
    data_dir, cluster_folder = folder / "data", folder / "cluster"
    nginx_port = free_port()
    workload = prepare_workload(data_dir, nginx_port)
    cluster_workload = prepare_workload(cluster_folder / "data", nginx_port, backends.database)
    flags = ("--origin", workload.origin)

    def production() -> Callable[[], None]:
        return ServerProcess(data_dir, port=nginx_port, flags=flags).start().stop

    def development() -> Callable[[], None]:
        process = subprocess.Popen([sys.executable, "-c", DEV_SERVER, str(data_dir),
                                    str(nginx_port)], cwd=REPO_ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        probe, deadline = ServerProcess(data_dir, port=nginx_port), time.monotonic() + 30
        while not probe.healthy() and time.monotonic() < deadline:
            time.sleep(0.1)
        return lambda: (process.terminate(), process.wait())

    def production_on_postgresql() -> Callable[[], None]:
        return ServerProcess(cluster_folder / "data", port=nginx_port,
                             flags=(*flags, *backends.flags),
                             environment=backends.environment).start().stop

    def two_processes() -> Callable[[], None]:
        return Cluster(cluster_folder, backends, nginx_port).start().stop

    def load() -> float:
        return measure_load(nginx_port, workload)

    def cluster_load() -> float:
        return measure_load(nginx_port, cluster_workload)

    return {"development": _serving(development, load),
            "production": _serving(production, load),
            "production_postgresql": _serving(production_on_postgresql, cluster_load),
            "two_processes": _serving(two_processes, cluster_load)}


def report(fanout: dict[str, float], load: dict[str, float]) -> list[str]:
    verdict = "meets" if fanout["p99_ms"] < FANOUT_TARGET_MS else "misses"
    production_ratio = load["production"] / load["development"]
    scale_ratio = load["two_processes"] / load["production_postgresql"]
    return [
        f"fan-out, {fanout['sockets']} sockets on 2 processes through Redis: "
        f"{fanout['delivered']}/{fanout['expected']} delivered, p50 {fanout['p50_ms']:.1f} ms, "
        f"p99 {fanout['p99_ms']:.1f} ms, max {fanout['max_ms']:.1f} ms "
        f"(target p99 < {FANOUT_TARGET_MS:.0f} ms: {verdict})",
        f"mixed load, {CLIENTS} clients, 3 reads : 1 write, on SQLite: development server "
        f"{load['development']:.0f} req/s, production server {load['production']:.0f} req/s "
        f"({production_ratio:.2f}x: {'meets' if production_ratio >= 1 else 'misses'} >= 1x)",
        f"mixed load, {CLIENTS} clients, on PostgreSQL + SeaweedFS + Redis: one process "
        f"{load['production_postgresql']:.0f} req/s, two processes behind nginx "
        f"{load['two_processes']:.0f} req/s "
        f"({scale_ratio:.2f}x one: {'meets' if scale_ratio > 1 else 'misses'} > 1x)",
    ]


def main() -> None:
    with (tempfile.TemporaryDirectory(prefix="paravent-bench-serving-") as folder,
          running_backends(Path(folder) / "services", lasting=False) as backends):
        fanout = measure_fanout(Path(folder) / "fanout", backends)
        load = measure_servers(Path(folder) / "load", backends)
        writes = concurrent_writes.measure(Path(folder) / "writes", backends)
    print("\n".join([*report(fanout, load), *concurrent_writes.report(writes)]))
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "serving.json").write_text(json.dumps({"fanout": fanout, "load": load,
                                                      "writes": writes}, indent=2))


if __name__ == "__main__":
    main()
