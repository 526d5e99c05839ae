"""Rate limits on the ceremony and invitation endpoints: a sliding window per client address.

The counters live in `api.ratelimit_store`: this process's memory by default, Redis when several
server processes share a message queue, so that a limit holds across all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, request

from api.errors import ApiError
from api.ratelimit_store import MemoryRateLimits, RateLimitStore, RedisRateLimits
from api.shared_state import redis_of

View = TypeVar("View", bound=Callable[..., Any])
WINDOW_SECONDS = 60.0


def init_rate_limits(app: Flask) -> None:
    redis = redis_of(app)
    store = RedisRateLimits(redis) if redis is not None else MemoryRateLimits()
    app.extensions["paravent_rate_limits"] = store


def rate_limited(group: str) -> Callable[[View], View]:
    """Refuse a client that calls this group of endpoints too often, with a 429."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            store: RateLimitStore = current_app.extensions["paravent_rate_limits"]
            limit = current_app.config["PARAVENT"].ceremony_requests_per_minute
            if not store.allow(f"{group}:{request.remote_addr}", limit, WINDOW_SECONDS):
                raise ApiError(429, "rate_limited", "too many attempts; wait a minute and retry")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
