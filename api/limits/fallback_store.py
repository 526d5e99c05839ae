"""Rate limits through a Redis outage: the shared store while it answers, this process's memory
while it does not, and the shared store again as soon as it is back.

Why a per-process fallback rather than refusing with 503: rate limits protect the server from
one user repeating cheap writes; they are not what makes a write safe. Refusing every
rate-limited write while Redis is away would stop a hospital's committee from saving dossiers,
comments and files for an outage of a dependency that holds nothing durable. Counted per process,
a limit still holds within each process (with N processes a user may do up to N times the limit
for the length of the outage), which is the protection a single-process deployment has.

While Redis is away, one attempt per `RETRY_SECONDS` goes to it (the others are counted in
memory at once), so an unreachable Redis costs at most one connection timeout per second.
The hits counted in memory are not carried over to Redis when it returns.
"""

from __future__ import annotations

import logging
import threading
import time

from redis import RedisError

from api.limits.memory_store import WINDOW_SECONDS, InMemoryRateLimitStore, RateLimitStore

RETRY_SECONDS = 1.0
logger = logging.getLogger(__name__)


class FallingBackRateLimitStore:
    """`shared` (Redis) while it answers, `local` (this process's memory) while it does not."""

    def __init__(self, shared: RateLimitStore, local: RateLimitStore | None = None) -> None:
        self._shared = shared
        self._local = local or InMemoryRateLimitStore()
        self._lock = threading.Lock()
        self._away_until: float | None = None  # monotonic time of the next attempt on Redis

    def allow(self, key: str, limit: int, now: float, window: float = WINDOW_SECONDS) -> bool:
        if self._away_until is not None and time.monotonic() < self._away_until:
            return self._local.allow(key, limit, now, window)
        try:
            allowed = self._shared.allow(key, limit, now, window)
        except RedisError as error:
            self._went_away(error)
            return self._local.allow(key, limit, now, window)
        self._came_back()
        return allowed

    def _went_away(self, error: RedisError) -> None:
        with self._lock:
            if self._away_until is None:
                logger.warning("rate limits: Redis unreachable (%s); counting in this process "
                               "until it is back", error)
            self._away_until = time.monotonic() + RETRY_SECONDS

    def _came_back(self) -> None:
        if self._away_until is None:
            return
        with self._lock:
            if self._away_until is not None:
                self._away_until = None
                logger.warning("rate limits: Redis is back; counting there again")
