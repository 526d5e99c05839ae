"""Who views which dossier, per socket: in this process's memory, or in Redis so that members
connected to different server processes see each other.

`set(sid, viewing)` records what a socket views (None: nothing, or gone) and returns the
workspace it left; `typing(sid, dossier_id)` marks it typing for a few seconds; `summary` lists
a workspace's viewers and typists among the members it is given (a member removed meanwhile may
still have a socket open). In Redis, each socket's entry names the process holding the socket;
a process that dies stops refreshing its heartbeat and its sockets drop out of the summaries
within `HEARTBEAT_TTL_SECONDS`.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from redis import Redis, RedisError

from api.realtime.shared_state import KEY_PREFIX

TYPING_SECONDS = 6
HEARTBEAT_SECONDS = 10
HEARTBEAT_TTL_SECONDS = 3 * HEARTBEAT_SECONDS
logger = logging.getLogger(__name__)


@dataclass
class Viewing:
    user_id: str
    workspace_id: str
    dossier_id: str | None
    typing_until: float = 0.0


class PresenceStore(Protocol):
    def set(self, sid: str, viewing: Viewing | None) -> str | None: ...

    def typing(self, sid: str, dossier_id: str) -> Viewing | None: ...

    def summary(self, workspace_id: str, members: Collection[str]) -> dict[str, Any]: ...


def summarize(workspace_id: str, viewings: Iterable[Viewing],
              members: Collection[str]) -> dict[str, Any]:
    now = time.time()
    viewers: dict[str, set[str]] = {}
    typing: dict[str, set[str]] = {}
    for viewing in viewings:
        if (viewing.workspace_id != workspace_id or viewing.dossier_id is None
                or viewing.user_id not in members):
            continue
        viewers.setdefault(viewing.dossier_id, set()).add(viewing.user_id)
        if viewing.typing_until > now:
            typing.setdefault(viewing.dossier_id, set()).add(viewing.user_id)
    return {"workspace_id": workspace_id,
            "viewers": {dossier: sorted(users) for dossier, users in viewers.items()},
            "typing": {dossier: sorted(users) for dossier, users in typing.items()}}


class MemoryPresence:
    """This process's sockets only: right for a single server process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_socket: dict[str, Viewing] = {}

    def set(self, sid: str, viewing: Viewing | None) -> str | None:
        with self._lock:
            before = self._by_socket.pop(sid, None)
            if viewing is not None:
                self._by_socket[sid] = viewing
        return before.workspace_id if before else None

    def typing(self, sid: str, dossier_id: str) -> Viewing | None:
        with self._lock:
            viewing = self._by_socket.get(sid)
            if viewing is not None and viewing.dossier_id == dossier_id:
                viewing.typing_until = time.time() + TYPING_SECONDS
            return viewing

    def summary(self, workspace_id: str, members: Collection[str]) -> dict[str, Any]:
        with self._lock:
            viewings = list(self._by_socket.values())
        return summarize(workspace_id, viewings, members)


class RedisPresence:
    """Every process's sockets: a hash per workspace (socket -> what it views, and which
    process holds it) and a key per socket naming its workspace."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._process = secrets.token_hex(8)
        self._beat()
        threading.Thread(target=self._keep_beating, name="presence-heartbeat",
                         daemon=True).start()

    def _beat(self) -> None:
        self._redis.set(_process_key(self._process), 1, ex=HEARTBEAT_TTL_SECONDS)

    def _keep_beating(self) -> None:
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            try:
                self._beat()
            except RedisError:  # Redis is away for a while: beat again when it is back
                logger.warning("presence heartbeat: Redis unreachable")

    def set(self, sid: str, viewing: Viewing | None) -> str | None:
        before = self._redis.get(_socket_key(sid))
        pipeline = self._redis.pipeline()
        if before is not None:
            pipeline.hdel(_workspace_key(before.decode()), sid)
        if viewing is None:
            pipeline.delete(_socket_key(sid))
        else:
            self._store(pipeline, sid, viewing)
        pipeline.execute()
        return before.decode() if before is not None else None

    def _store(self, pipeline: Any, sid: str, viewing: Viewing) -> None:
        entry = json.dumps({**asdict(viewing), "process": self._process})
        pipeline.hset(_workspace_key(viewing.workspace_id), sid, entry)
        pipeline.set(_socket_key(sid), viewing.workspace_id)

    def typing(self, sid: str, dossier_id: str) -> Viewing | None:
        workspace_id = self._redis.get(_socket_key(sid))
        raw = workspace_id and self._redis.hget(_workspace_key(workspace_id.decode()), sid)
        if not raw:
            return None
        viewing = _viewing(json.loads(raw))
        if viewing.dossier_id == dossier_id:
            viewing.typing_until = time.time() + TYPING_SECONDS
            pipeline = self._redis.pipeline()
            self._store(pipeline, sid, viewing)
            pipeline.execute()
        return viewing

    def summary(self, workspace_id: str, members: Collection[str]) -> dict[str, Any]:
        entries = {sid.decode(): json.loads(raw) for sid, raw
                   in self._redis.hgetall(_workspace_key(workspace_id)).items()}
        processes = sorted({entry["process"] for entry in entries.values()})
        beats = self._redis.mget([_process_key(process) for process in processes]) if processes \
            else []
        alive = {process for process, beat in zip(processes, beats, strict=True) if beat}
        dead = [sid for sid, entry in entries.items() if entry["process"] not in alive]
        if dead:
            self._redis.hdel(_workspace_key(workspace_id), *dead)
        return summarize(workspace_id, (_viewing(entry) for entry in entries.values()
                                        if entry["process"] in alive), members)


def _viewing(entry: dict[str, Any]) -> Viewing:
    return Viewing(entry["user_id"], entry["workspace_id"], entry["dossier_id"],
                   entry["typing_until"])


def _workspace_key(workspace_id: str) -> str:
    return f"{KEY_PREFIX}presence:workspace:{workspace_id}"


def _socket_key(sid: str) -> str:
    return f"{KEY_PREFIX}presence:socket:{sid}"


def _process_key(process: str) -> str:
    return f"{KEY_PREFIX}process:{process}"
