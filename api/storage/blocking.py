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
    """`function(*args)`, in a native thread when the process runs on gevent. What it raises is
    raised here, in the caller, and nowhere else (gevent's pool would also print the traceback
    of an exception leaving the thread: an expected StorageUnavailable is not an error to log)."""
    if not monkey.is_module_patched("threading"):
        return function(*args)
    value, error = get_hub().threadpool.apply(_outcome, (function, args))
    if error is not None:
        raise error
    return value


def _outcome(function: Callable[..., R], args: tuple[object, ...]) -> tuple[R | None,
                                                                              Exception | None]:
    try:
        return function(*args), None
    except Exception as error:
        return None, error
