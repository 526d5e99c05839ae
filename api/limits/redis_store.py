"""The Redis implementation of `api.limits.memory_store.RateLimitStore`, used when server processes
share a message queue (`--message-queue redis://…`), so that a limit holds across all of them
(and in each process alone while Redis is away: api/limits/fallback_store.py).

Each key is a sorted set of hit times; the check and the hit run as one script, on Redis's own
clock: the caller's `now` comes from its process's monotonic clock, which other processes do not
share, so it is not used.
"""

from __future__ import annotations

import secrets

from flask import Flask
from redis import Redis

from api.limits.fallback_store import FallingBackRateLimitStore
from api.limits.memory_store import WINDOW_SECONDS
from api.realtime.shared_state import KEY_PREFIX, redis_of

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


class RedisRateLimitStore:
    """Sliding windows shared by every process on the same Redis."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SLIDING_WINDOW)

    def allow(self, key: str, limit: int, now: float, window: float = WINDOW_SECONDS) -> bool:
        hit = secrets.token_hex(8)
        return self._script(keys=[f"{KEY_PREFIX}ratelimit:{key}"],
                            args=[limit, window, hit]) == 1


def shared_rate_limits(app: Flask) -> FallingBackRateLimitStore | None:
    """The Redis store (counting in memory while Redis is away) when the app has a message
    queue; None leaves the in-memory default."""
    redis = redis_of(app)
    return FallingBackRateLimitStore(RedisRateLimitStore(redis)) if redis is not None else None
