"""Rate-limit counters: a sliding window of recent hits per key, in memory or in Redis.

`allow(key, limit, window_seconds)` records a hit and says whether it is within `limit` hits
over the last `window_seconds`. The Redis implementation runs the check and the hit as one
script, on Redis's own clock, so every server process counts against the same window.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Protocol

from redis import Redis

from api.shared_state import KEY_PREFIX


class RateLimitStore(Protocol):
    def allow(self, key: str, limit: int, window_seconds: float) -> bool: ...


class MemoryRateLimits:
    """This process's counters: right for a single server process."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, window_seconds: float) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - window_seconds:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True


_SLIDING_WINDOW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 1
"""


class RedisRateLimits:
    """Counters shared by every process on the same Redis (a sorted set of hit times per key)."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SLIDING_WINDOW)

    def allow(self, key: str, limit: int, window_seconds: float) -> bool:
        hit = secrets.token_hex(8)
        return self._script(keys=[f"{KEY_PREFIX}ratelimit:{key}"],
                            args=[limit, window_seconds, hit]) == 1
