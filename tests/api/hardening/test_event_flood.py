"""3,000 `presence:view` events sent at once on one WebSocket of the real server: each is
acknowledged (most as `rate_limited`, counted before any database work), the server never holds
more database connections than `--database-connections`, and another member's request still
answers promptly."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import replace

import simple_websocket

from api.identity.sessions import COOKIE
from e2e.harness.server import ServerProcess
from tests.api.conftest import database_of
from tests.api.identity.conftest import Person, bootstrap, make_app
from tests.api.workspaces.conftest import create_workspace

EVENTS = 3000
CONNECTIONS = 4
PROMPT_SECONDS = 3.0


def _cookie(person: Person) -> str:
    return f"{COOKIE}={person.client.get_cookie(COOKIE).value}"


def _websocket(server: ServerProcess, person: Person) -> simple_websocket.Client:
    socket = simple_websocket.Client.connect(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        headers={"Cookie": _cookie(person)})
    socket.send("40")
    while not str(socket.receive(timeout=10)).startswith("40"):
        pass
    return socket


def _acks(socket: simple_websocket.Client, count: int) -> Counter[str]:
    """The outcome of `count` acknowledgements: "ok" or the refusal's code."""
    outcomes: Counter[str] = Counter()
    deadline = time.monotonic() + 120
    while sum(outcomes.values()) < count and time.monotonic() < deadline:
        packet = str(socket.receive(timeout=5) or "")
        if packet.startswith("43"):
            reply = json.loads(packet[packet.index("["):])[0]
            outcomes["ok" if reply.get("ok") else reply["error"]["code"]] += 1
        elif packet == "2":
            socket.send("3")
    return outcomes


class ConnectionCount(threading.Thread):
    """The most connections the database had open at once (PostgreSQL; 0 on SQLite), sampled
    until stopped, this sampler's own connection left out."""

    def __init__(self, config) -> None:
        super().__init__(daemon=True)
        self.config = config
        self.most = 0
        self.running = True

    def run(self) -> None:
        if self.config.database is None:
            return
        name = self.config.database.rsplit("/", 1)[1]
        with database_of(self.config) as db:
            while self.running:
                row = next(db.query("select count(*) - 1 as n from pg_stat_activity "
                                    "where datname = ?", [name]))
                self.most = max(self.most, row["n"])
                time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.most


def test_an_event_flood_on_one_socket_leaves_the_database_to_others(config):
    app = make_app(config, presence_events_per_minute=120)
    team = create_workspace(bootstrap(app))
    reader = team.add("reader")
    app.extensions["paravent_store_pool"].close_idle()
    database = ("--database", config.database) if config.database else ()
    server = ServerProcess(config.data_dir, port=config.port, flags=(
        "--database-connections", str(CONNECTIONS), *database)).start()
    counter = ConnectionCount(replace(config))
    try:
        socket = _websocket(server, team.owner.person)
        counter.start()
        view = json.dumps(["presence:view", {"workspace_id": team.workspace_id,
                                             "dossier_id": None}])
        for ack_id in range(EVENTS):
            socket.send(f"42{ack_id}{view}")
        started = time.monotonic()
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/workspaces",
                                         headers={"Cookie": _cookie(reader.person)})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
        answered_in = time.monotonic() - started
        outcomes = _acks(socket, EVENTS)
    finally:
        most_connections = counter.stop()
        server.stop()
    assert answered_in < PROMPT_SECONDS
    assert sum(outcomes.values()) == EVENTS, outcomes
    assert set(outcomes) == {"ok", "rate_limited"}, outcomes
    assert outcomes["ok"] <= 120
    assert most_connections <= CONNECTIONS
    assert "ERROR" not in server.log_text(whole=True)
