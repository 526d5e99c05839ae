"""Where rate limits count hits: the `RateLimitStore` interface and its in-memory implementation.

A store answers one question, atomically: may `key` have one more hit now, given at most `limit`
hits in the last `window` seconds (and if so, count it)? The in-memory store keeps a sliding
window per key in this process, right for the single-process default; several server processes
share one store through another implementation of the same interface (e.g. Redis). Keys whose
window emptied are dropped, so memory stays bounded by the keys active within a window.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Protocol

WINDOW_SECONDS = 60.0


class RateLimitStore(Protocol):
    def allow(self, key: str, limit: int, now: float, window: float = WINDOW_SECONDS) -> bool:
        """Count one hit for `key` at `now` and say True, unless it already had `limit` hits
        within `window` seconds (then count nothing and say False)."""
        ...


class InMemoryRateLimitStore:
    """Sliding windows of hit times, per key, in this process's memory."""

    # Past this many keys, the next hit sweeps out the keys whose window emptied.
    SWEEP_AFTER_KEYS = 10_000

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, now: float, window: float = WINDOW_SECONDS) -> bool:
        with self._lock:
            if len(self._hits) > self.SWEEP_AFTER_KEYS:
                self._sweep(now - window)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True

    def _sweep(self, oldest: float) -> None:
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= oldest]:
            del self._hits[key]
