"""Rate limits on the ceremony and invitation endpoints: a sliding window per client address.

Kept in this process's memory, which is right for the single-process default; several server
processes would share it through Redis (DESIGN.md §6).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, request

from api.errors import ApiError

View = TypeVar("View", bound=Callable[..., Any])
WINDOW_SECONDS = 60.0


class RateLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, now: float) -> bool:
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True


def init_rate_limits(app: Flask) -> None:
    app.extensions["paravent_rate_limiter"] = RateLimiter()


def rate_limited(group: str) -> Callable[[View], View]:
    """Refuse a client that calls this group of endpoints too often, with a 429."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            limiter: RateLimiter = current_app.extensions["paravent_rate_limiter"]
            limit = current_app.config["PARAVENT"].ceremony_requests_per_minute
            if not limiter.allow(f"{group}:{request.remote_addr}", limit, time.monotonic()):
                raise ApiError(429, "rate_limited", "too many attempts; wait a minute and retry")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
