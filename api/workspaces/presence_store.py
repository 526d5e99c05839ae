"""Who views which dossier, per socket: in this process's memory, or in Redis so that members
connected to different server processes see each other.

`set(sid, viewing)` records what a socket views (None: nothing, or gone) and returns the
workspace it left; `typing(sid, dossier_id)` marks it typing for a few seconds; `summary` lists
a workspace's viewers and typists among the members it is given (a member removed meanwhile may
still have a socket open); `changes` counts the changes to a workspace's presence, so that
whoever told a summary can tell whether it was overtaken before it went out. In Redis, each
socket's entry names the process holding the socket; a process that dies stops refreshing its
heartbeat and its sockets drop out of the summaries within `HEARTBEAT_TTL_SECONDS`. A Redis
outage fails no event: each process keeps its own sockets' presence and writes it back when
Redis returns (`RedisPresence`).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from redis import Redis, RedisError

from api.realtime.shared_state import KEY_PREFIX

TYPING_SECONDS = 6
# A beat every two seconds: it is also how a process finds that Redis is back, or lost its
# entries (a restart), and writes its sockets back.
HEARTBEAT_SECONDS = 2
HEARTBEAT_TTL_SECONDS = 30
# The workspace hash's field counting its changes: no socket id has a "#".
CHANGES_FIELD = "#changes"
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

    def changes(self, workspace_id: str) -> int: ...

    def stop(self) -> None: ...


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
        self._changes: dict[str, int] = {}

    def set(self, sid: str, viewing: Viewing | None) -> str | None:
        with self._lock:
            before = self._by_socket.pop(sid, None)
            if viewing is not None:
                self._by_socket[sid] = viewing
            self._changed(before, viewing)
        return before.workspace_id if before else None

    def typing(self, sid: str, dossier_id: str) -> Viewing | None:
        with self._lock:
            viewing = self._by_socket.get(sid)
            if viewing is not None and viewing.dossier_id == dossier_id:
                viewing.typing_until = time.time() + TYPING_SECONDS
                self._changed(viewing)
            return viewing

    def _changed(self, *viewings: Viewing | None) -> None:
        for workspace_id in {viewing.workspace_id for viewing in viewings if viewing}:
            self._changes[workspace_id] = self._changes.get(workspace_id, 0) + 1

    def summary(self, workspace_id: str, members: Collection[str]) -> dict[str, Any]:
        return summarize(workspace_id, self.viewings().values(), members)

    def changes(self, workspace_id: str) -> int:
        with self._lock:
            return self._changes.get(workspace_id, 0)

    def stop(self) -> None:
        """Nothing of it runs in the background."""

    def viewings(self) -> dict[str, Viewing]:
        """What each socket views, as of now (copies)."""
        with self._lock:
            return {sid: replace(viewing) for sid, viewing in self._by_socket.items()}


class RedisPresence:
    """Every process's sockets: a hash per workspace (socket -> what it views, and which
    process holds it), written from this process's own copy of its sockets (`MemoryPresence`).

    That copy is the truth about the sockets this process holds, so Redis can be rebuilt from
    it: while Redis is away, changes are kept here (and summaries list this process's sockets
    only); when it answers again, or when it lost this process's entries (it restarted, or the
    heartbeat lapsed), they are written back and `on_restored(workspaces)` is called with the
    workspaces whose presence changed, for their members to be told within a few seconds.
    """

    def __init__(self, redis: Redis,
                 on_restored: Callable[[set[str]], None] = lambda _workspaces: None) -> None:
        self._redis = redis
        self._process = secrets.token_hex(8)
        self._local = MemoryPresence()
        self._on_restored = on_restored
        self._lock = threading.Lock()
        # Sockets whose change did not reach Redis -> the workspaces they may still be listed in.
        self._unsaved: dict[str, set[str]] = {}
        self._reachable = True
        self._tell_again: set[str] = set()
        self._stopped = threading.Event()
        self._beat_or_note()
        threading.Thread(target=self._keep_beating, name="presence-heartbeat",
                         daemon=True).start()

    def _keep_beating(self) -> None:
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            self._beat_or_note()

    def stop(self) -> None:
        """Stop the heartbeat (its app is closing)."""
        self._stopped.set()

    def _beat_or_note(self) -> None:
        try:
            self.beat()
        except RedisError as error:  # Redis is away for a while: beat again when it is back
            self._lost(error)

    def beat(self) -> None:
        """Say this process is alive; write its sockets back if Redis lost them or was away.
        Members are told after the write-back, and once more at the next beat: by then every
        process wrote its own sockets back, so the last summary they get lists them all."""
        was_known = self._redis.set(_process_key(self._process), 1, ex=HEARTBEAT_TTL_SECONDS,
                                    get=True)
        told_again, self._tell_again = self._tell_again, set()
        if was_known is None or not self._reachable or self._unsaved:
            self._tell_again = self._restore()
            self._tell(self._tell_again)
        elif told_again:
            self._tell(told_again)

    def _restore(self) -> set[str]:
        """Write this process's sockets back; the workspaces whose presence may have changed."""
        with self._lock:
            unsaved, self._unsaved = self._unsaved, {}
        viewings = self._local.viewings()
        pipeline = self._redis.pipeline()
        for sid, workspaces in unsaved.items():
            for workspace_id in workspaces:
                _remove(pipeline, workspace_id, sid)
        for sid, viewing in viewings.items():
            self._store(pipeline, sid, viewing)
        try:
            pipeline.execute()
        except RedisError:
            with self._lock:
                for sid, workspaces in unsaved.items():
                    self._unsaved.setdefault(sid, set()).update(workspaces)
            raise
        if not self._reachable:
            logger.warning("presence: Redis is back; this process's sockets written back")
        self._reachable = True
        changed = {workspace for workspaces in unsaved.values() for workspace in workspaces}
        return changed | {viewing.workspace_id for viewing in viewings.values()}

    def _tell(self, workspace_ids: set[str]) -> None:
        if not workspace_ids:
            return
        try:
            self._on_restored(workspace_ids)
        except Exception:  # telling members failed (the database?): the beat must go on
            logger.exception("presence: telling members of the restored presence failed")

    def _lost(self, error: RedisError) -> None:
        if self._reachable:
            logger.warning("presence: Redis unreachable (%s); this process's sockets only, "
                           "until it is back", error)
        self._reachable = False

    def _unsaved_change(self, sid: str, workspaces: Iterable[str | None],
                        error: RedisError) -> None:
        self._lost(error)
        with self._lock:
            self._unsaved.setdefault(sid, set()).update(w for w in workspaces if w)

    def set(self, sid: str, viewing: Viewing | None) -> str | None:
        left = self._local.set(sid, viewing)
        pipeline = self._redis.pipeline()
        if left is not None:
            _remove(pipeline, left, sid)
        if viewing is not None:
            self._store(pipeline, sid, viewing)
        try:
            pipeline.execute()
        except RedisError as error:
            self._unsaved_change(sid, [left, viewing and viewing.workspace_id], error)
        return left

    def _store(self, pipeline: Any, sid: str, viewing: Viewing) -> None:
        entry = json.dumps({**asdict(viewing), "process": self._process})
        pipeline.hset(_workspace_key(viewing.workspace_id), sid, entry)
        pipeline.hincrby(_workspace_key(viewing.workspace_id), CHANGES_FIELD, 1)

    def typing(self, sid: str, dossier_id: str) -> Viewing | None:
        viewing = self._local.typing(sid, dossier_id)
        if viewing is not None and viewing.dossier_id == dossier_id:
            pipeline = self._redis.pipeline()
            self._store(pipeline, sid, viewing)
            try:
                pipeline.execute()
            except RedisError as error:
                self._unsaved_change(sid, [viewing.workspace_id], error)
        return viewing

    def summary(self, workspace_id: str, members: Collection[str]) -> dict[str, Any]:
        try:
            return self._shared_summary(workspace_id, members)
        except RedisError as error:
            self._lost(error)
            return self._local.summary(workspace_id, members)

    def changes(self, workspace_id: str) -> int:
        try:
            return int(self._redis.hget(_workspace_key(workspace_id), CHANGES_FIELD) or 0)
        except RedisError as error:
            self._lost(error)
            return self._local.changes(workspace_id)

    def _shared_summary(self, workspace_id: str, members: Collection[str]) -> dict[str, Any]:
        entries = {sid.decode(): json.loads(raw) for sid, raw
                   in self._redis.hgetall(_workspace_key(workspace_id)).items()
                   if sid != CHANGES_FIELD.encode()}
        processes = sorted({entry["process"] for entry in entries.values()})
        beats = self._redis.mget([_process_key(process) for process in processes]) if processes \
            else []
        alive = {process for process, beat in zip(processes, beats, strict=True) if beat}
        dead = [sid for sid, entry in entries.items() if entry["process"] not in alive]
        if dead:
            pipeline = self._redis.pipeline()
            _remove(pipeline, workspace_id, *dead)
            pipeline.execute()
        return summarize(workspace_id, (_viewing(entry) for entry in entries.values()
                                        if entry["process"] in alive), members)


def _viewing(entry: dict[str, Any]) -> Viewing:
    return Viewing(entry["user_id"], entry["workspace_id"], entry["dossier_id"],
                   entry["typing_until"])


def _remove(pipeline: Any, workspace_id: str, *sids: str) -> None:
    pipeline.hdel(_workspace_key(workspace_id), *sids)
    pipeline.hincrby(_workspace_key(workspace_id), CHANGES_FIELD, 1)


def _workspace_key(workspace_id: str) -> str:
    return f"{KEY_PREFIX}presence:workspace:{workspace_id}"


def _process_key(process: str) -> str:
    return f"{KEY_PREFIX}process:{process}"
