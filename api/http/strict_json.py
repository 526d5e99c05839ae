"""Strict JSON for request bodies and Socket.IO packets: what Python's parser would accept but
the server must not.

Refused, as `MalformedJson` (a `ValueError`): nesting deeper than `MAX_DEPTH` (a body nested
100,000 deep otherwise ends in a RecursionError), integers outside SQLite's 64 bits, NaN and
infinities, and strings or keys no database engine stores alike (`storable_text`): lone UTF-16
surrogates (no engine can encode them) and NUL (PostgreSQL refuses it in text, SQLite cuts C
strings at it). Refusing them here makes every engine answer the same 400.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32
MAX_INTEGER = 2**63 - 1


class MalformedJson(ValueError):
    """The text is not JSON the server accepts; the message says why, for the client."""


def _integer(literal: str) -> int:
    value = int(literal)
    if abs(value) > MAX_INTEGER:
        raise MalformedJson("numbers must fit in 64 bits")
    return value


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise MalformedJson("numbers must be finite")
    return value


def _no_constant(literal: str) -> float:
    raise MalformedJson(f"{literal} is not JSON")


def unstorable_text(value: str) -> str | None:
    """Why no database engine stores `value` alike (lone surrogates, NUL), or None."""
    if "\x00" in value:
        return "strings must not hold NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "strings must be valid Unicode (no lone surrogates)"
    return None


def check_value(value: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings no engine stores (`unstorable_text`),
    without recursion (the value may come from a parser with looser limits)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            problem = unstorable_text(item)
            if problem is not None:
                raise MalformedJson(problem)
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            raise MalformedJson(f"JSON nested deeper than {MAX_DEPTH} levels")
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)


def dumps_compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Parse `text` as strict JSON."""
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_finite,
                           parse_constant=_no_constant)
    except RecursionError as error:
        raise MalformedJson(f"JSON nested deeper than {MAX_DEPTH} levels") from error
    except MalformedJson:
        raise
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an over-long integer
        raise MalformedJson("the body is not valid JSON") from error
    check_value(value)
    return value
