"""Blocking work kept off the gevent hub.

Under the production server (gevent, monkey-patched) every request shares one OS thread: while
one waits for an fsync, no other request moves. `off_hub` runs such work in one of gevent's
native threads instead, so only the request that asked for it waits, and several fsyncs run at
once. In an unpatched process (the development server's threads, the command-line tools, most
tests) it simply calls the function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gevent import get_hub, monkey

R = TypeVar("R")


def off_hub(function: Callable[..., R], *args: object) -> R:
    """`function(*args)`, in a native thread when the process runs on gevent."""
    if not monkey.is_module_patched("threading"):
        return function(*args)
    return get_hub().threadpool.apply(function, args)
