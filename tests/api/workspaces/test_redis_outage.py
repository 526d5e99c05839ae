"""A Redis outage degrades, never fails: with a real redis-server of this test's own, stopped and
started again on the same port (empty, as a restarted Redis without persistence is).

Rate-limited writes and ceremonies answer 2xx or 429 throughout (each process counts alone while
Redis is away), `/api/health` says `message_queue` is unavailable then ok again, and two real
server processes see each other's presence again within a few seconds of Redis's return, with
nobody navigating: the events from one process reach the sockets of the other again.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import simple_websocket
from flask import Flask

from api.config import Config
from e2e.harness.server import ServerProcess
from e2e.harness.services.redis_server import Redis, start_redis
from tests.api.identity.conftest import Organization, make_app
from tests.api.workspaces.conftest import Workspace, creation

CREATIONS_PER_MINUTE = 3
CEREMONIES_PER_MINUTE = 5
RECOVERY_SECONDS = 8  # "Also viewing" must be back within this, with nobody doing anything
DOSSIER_ID = "d-" + "2" * 24
OTHER_DOSSIER_ID = "d-" + "3" * 24


@dataclass
class OwnRedis:
    """A redis-server this test may stop and start again on the same port."""

    folder: Path
    server: Redis

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server = start_redis(self.folder, self.server.port)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(tmp_path / "redis", start_redis(tmp_path / "redis"))
    yield redis
    redis.stop()


@pytest.fixture
def app(config: Config, own_redis: OwnRedis) -> Flask:
    return make_app(config, message_queue=own_redis.url,
                    workspace_creations_per_minute=CREATIONS_PER_MINUTE,
                    ceremony_requests_per_minute=CEREMONIES_PER_MINUTE)


def _create(organization: Organization) -> int:
    """The admin creates a workspace (a rate-limited write); the reply's status."""
    _, body = creation(organization, organization.admin)
    return organization.admin.client.post("/api/workspaces", json=body).status_code


def test_rate_limited_writes_answer_2xx_or_429_while_redis_is_away(
        organization: Organization, own_redis: OwnRedis) -> None:
    client = organization.admin.client
    assert client.get("/api/health").json["message_queue"] == "ok"
    own_redis.stop()
    health = client.get("/api/health")
    assert (health.status_code, health.json["status"], health.json["message_queue"]) == (
        503, "degraded", "unavailable")
    assert health.json["database"] == "ok"
    away = [_create(organization) for _ in range(CREATIONS_PER_MINUTE + 1)]
    assert away == [201] * CREATIONS_PER_MINUTE + [429]  # counted in this process meanwhile
    ceremonies = [client.post("/api/login/options", json={}).status_code
                  for _ in range(CEREMONIES_PER_MINUTE + 1)]
    assert ceremonies == [200] * CEREMONIES_PER_MINUTE + [429]
    own_redis.start()
    deadline = time.monotonic() + RECOVERY_SECONDS
    while client.get("/api/health").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    health = client.get("/api/health")
    assert (health.status_code, health.json["status"], health.json["message_queue"]) == (
        200, "ok", "ok")
    time.sleep(1.1)  # the next attempt on Redis
    back = [_create(organization) for _ in range(CREATIONS_PER_MINUTE + 1)]
    assert back == [201] * CREATIONS_PER_MINUTE + [429]  # counted in Redis again, from empty


def test_health_has_no_message_queue_entry_without_one(config: Config) -> None:
    client = make_app(config).test_client()
    assert "message_queue" not in client.get("/api/health").json


class RawSocket:
    """A page's Socket.IO connection to one server process, with its session cookie."""

    def __init__(self, port: int, cookie: str) -> None:
        self.socket = simple_websocket.Client.connect(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
            headers={"Cookie": f"paravent_session={cookie}"})
        self.socket.send("40")
        while not str(self.socket.receive(timeout=10)).startswith("40"):
            pass

    def emit(self, event: str, data: dict[str, Any]) -> None:
        self.socket.send("42" + json.dumps([event, data]))

    def ask(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Emit `event` with an acknowledgement; the server's answer."""
        self.socket.send("421" + json.dumps([event, data]))
        while not (message := str(self.socket.receive(timeout=10))).startswith("431"):
            pass
        return json.loads(message[3:])[0]

    def presence_within(self, seconds: float) -> list[dict[str, Any]]:
        """The presence summaries received within `seconds`."""
        summaries = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = self.socket.receive(timeout=left)
            if message == "2":  # Engine.IO's ping
                self.socket.send("3")
            elif isinstance(message, str) and message.startswith('42["presence:changed"'):
                summaries.append(json.loads(message[2:])[1])
        return summaries

    def close(self) -> None:
        self.socket.close()


def _message_queue_of(server: ServerProcess) -> str:
    """What the process's `/api/health` says of the message queue, degraded (503) or not."""
    try:
        return server.health()["message_queue"]
    except urllib.error.HTTPError as degraded:
        return json.load(degraded)["message_queue"]


def _viewers_of(summaries: list[dict[str, Any]]) -> dict[str, list[str]] | None:
    return summaries[-1]["viewers"] if summaries else None


def test_presence_comes_back_by_itself_after_redis_returns(
        config: Config, organization: Organization, own_redis: OwnRedis,
        workspace: Workspace) -> None:
    """Alice's page is held by one process, Bob's by another; Redis restarts empty."""
    bob = workspace.add("contributor")
    database = ("--database", config.database) if config.database else ()
    flags = ("--message-queue", own_redis.url, *database)
    first = ServerProcess(config.data_dir, flags=flags).start()
    second = ServerProcess(config.data_dir, flags=flags).start()
    sockets = []
    try:
        alice = RawSocket(first.port, organization.admin.client.get_cookie(
            "paravent_session").value)
        watcher = RawSocket(second.port, bob.person.client.get_cookie("paravent_session").value)
        sockets = [alice, watcher]
        place = {"workspace_id": workspace.workspace_id, "dossier_id": DOSSIER_ID}
        watcher.emit("presence:view", place)
        alice.emit("presence:view", place)
        both = sorted([organization.admin.user_id, bob.person.user_id])
        assert _viewers_of(watcher.presence_within(2)) == {DOSSIER_ID: both}
        own_redis.stop()
        assert _message_queue_of(second) == "unavailable"
        away = alice.ask("presence:view", place)  # answered from this process's sockets
        assert (away["ok"], away["viewers"]) == (True, {DOSSIER_ID: [organization.admin.user_id]})
        assert alice.ask("presence:typing", {"dossier_id": DOSSIER_ID}) == {"ok": True}
        time.sleep(3)
        own_redis.start()
        started, seen, back_after = time.monotonic(), [], None
        while time.monotonic() - started < RECOVERY_SECONDS:
            seen += watcher.presence_within(0.25)
            if back_after is None and _viewers_of(seen) == {DOSSIER_ID: both}:
                back_after = time.monotonic() - started
        assert _viewers_of(seen) == {DOSSIER_ID: both}, seen  # and it stays so
        print(f"presence back {back_after:.1f} s after Redis started again")
        elsewhere = {**place, "dossier_id": OTHER_DOSSIER_ID}
        alice.emit("presence:view", elsewhere)  # heard on the other process: events flow again
        assert _viewers_of(watcher.presence_within(2)) == {
            DOSSIER_ID: [bob.person.user_id], OTHER_DOSSIER_ID: [organization.admin.user_id]}
        assert _message_queue_of(first) == _message_queue_of(second) == "ok"
        assert "Traceback" not in first.log_text(whole=True) + second.log_text(whole=True)
    finally:
        for socket in sockets:
            socket.close()
        first.stop()
        second.stop()
