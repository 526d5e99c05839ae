"""Where the state that several server processes must share lives: in Redis when the server
has a message queue (`--message-queue redis://…`), else in this process's memory.

Each kind of state (rate limits, presence) has one interface and two implementations; this
module only opens the Redis connection they share and tells them which to use.
"""

from __future__ import annotations

from flask import Flask
from redis import Redis

KEY_PREFIX = "paravent:"


def init_shared_state(app: Flask) -> None:
    url = app.config["PARAVENT"].message_queue
    app.extensions["paravent_redis"] = Redis.from_url(url) if url else None


def redis_of(app: Flask) -> Redis | None:
    """The Redis connection pool shared by this process's state, or None for memory."""
    return app.extensions["paravent_redis"]
