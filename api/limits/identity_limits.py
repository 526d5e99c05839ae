"""Rate limits on the ceremony and invitation endpoints: a sliding window per client address
(the client behind a trusted proxy, see api/http/proxies.py), counted in the app's rate-limit store
(api/limits/)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, request

from api.http.errors import ApiError
from api.limits.memory_store import InMemoryRateLimitStore, RateLimitStore

View = TypeVar("View", bound=Callable[..., Any])


def init_rate_limits(app: Flask, store: RateLimitStore | None = None) -> None:
    app.extensions["paravent_rate_limiter"] = store or InMemoryRateLimitStore()


def rate_limit_store() -> RateLimitStore:
    return current_app.extensions["paravent_rate_limiter"]


def too_many(what: str) -> ApiError:
    return ApiError(429, "rate_limited", f"too many {what}; wait a minute and retry")


def rate_limited(group: str) -> Callable[[View], View]:
    """Refuse a client that calls this group of endpoints too often, with a 429."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            limit = current_app.config["PARAVENT"].ceremony_requests_per_minute
            if not rate_limit_store().allow(f"{group}:{request.remote_addr}", limit,
                                            time.monotonic()):
                raise too_many("attempts")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
