"""Paging of lists that grow without bound (log, documents, versions, directory, invitations).

A list route reads `limit` (1 to `MAX_LIMIT`, default `DEFAULT_LIMIT`) and `cursor` from the
query string and replies with one page and `next`: the cursor of the following page, or null on
the last one. A cursor is opaque to clients: the sort key of the last row served (base64url
JSON), so that rows added or moved meanwhile are not skipped.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import request

from api.http.errors import ApiError
from api.http.inputs import query_whole_number
from api.http.strict_json import dumps_compact, loads

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
SortKey = tuple[Any, ...]


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    next: str | None


def _encode(key: SortKey) -> str:
    return base64.urlsafe_b64encode(dumps_compact(list(key)).encode()).decode("ascii")


def _decode(cursor: str) -> SortKey:
    try:
        key = loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as error:
        raise ApiError(400, "bad_request", "'cursor' is not one this server gave") from error
    if not isinstance(key, list):
        raise ApiError(400, "bad_request", "'cursor' is not one this server gave")
    return tuple(key)


def paged(rows: Sequence[dict[str, Any]], key: Callable[[dict[str, Any]], SortKey]) -> Page:
    """The page of `rows` (in any order) that the request's `cursor` and `limit` ask for,
    sorted by `key`."""
    limit = query_whole_number("limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, "bad_request", f"'limit' must be from 1 to {MAX_LIMIT}")
    cursor = request.args.get("cursor")
    after = _decode(cursor) if cursor else None
    ordered = sorted(rows, key=key)
    try:
        remaining = [row for row in ordered if after is None or key(row) > after]
    except TypeError as error:  # a cursor whose parts do not compare with this list's keys
        raise ApiError(400, "bad_request", "'cursor' is not one this server gave") from error
    page = remaining[:limit]
    more = len(remaining) > limit
    return Page(page, _encode(key(page[-1])) if more else None)
