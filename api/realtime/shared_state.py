"""Where the state that several server processes must share lives: in Redis when the server
has a message queue (`--message-queue redis://…`), else in this process's memory.

Each kind of state (rate limits, presence) has one interface and two implementations; this
module only opens the Redis connection they share, tells them which to use, and reports the
message queue in `/api/health` (`message_queue`: "ok" or "unavailable"; no entry without one).

Redis holds nothing durable, and an outage must degrade, never fail a request: commands give up
after a short timeout and one retry (the retry replaces a pooled connection that a restarted
Redis dropped), so that each user of this connection falls back quickly (see
api/limits/fallback_store.py and api/workspaces/presence_store.py).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from redis import Redis, RedisError
from redis.backoff import NoBackoff
from redis.retry import Retry

from api.serving.health import register_health_check

KEY_PREFIX = "paravent:"
CONNECT_TIMEOUT_SECONDS = 1.0
COMMAND_TIMEOUT_SECONDS = 2.0
# Options of every connection to the message queue, subscriptions included (those wait for
# messages for as long as it takes, so they get no command timeout).
CONNECTION_OPTIONS: dict[str, Any] = {"socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
                                      "socket_keepalive": True, "retry": Retry(NoBackoff(), 1)}
logger = logging.getLogger(__name__)


def open_redis(url: str) -> Redis:
    """A pool of command connections to the Redis at `url`, failing fast while it is away."""
    return Redis.from_url(url, **CONNECTION_OPTIONS, socket_timeout=COMMAND_TIMEOUT_SECONDS)


def open_subscriber(url: str) -> Redis:
    """A connection to the Redis at `url` for subscriptions: no command timeout, since a
    subscriber waits for messages for as long as it takes."""
    return Redis.from_url(url, **CONNECTION_OPTIONS)


def init_shared_state(app: Flask) -> None:
    url = app.config["PARAVENT"].message_queue
    redis = open_redis(url) if url else None
    app.extensions["paravent_redis"] = redis
    if redis is not None:
        register_health_check(app, "message_queue", lambda: _reachable(redis))


def _reachable(redis: Redis) -> str:
    try:
        redis.ping()
    except RedisError as error:
        logger.error("message queue health check failed: %s", error)
        return "unavailable"
    return "ok"


def redis_of(app: Flask) -> Redis | None:
    """The Redis connection pool shared by this process's state, or None for memory."""
    return app.extensions["paravent_redis"]
