"""Reading requests: every body field and query parameter checked for presence, type, size
and form, or a clear 400. Bodies are strict JSON (api/http/strict_json.py); whole numbers are never
booleans and fit in 64 bits; base64url is canonical; names hold no control or bidi-override
characters. The URL's path and query never hold text no engine stores alike (NUL: PostgreSQL
refuses it), checked once for every route (`init_input_checks`), signed in or not. A body cut
short or stalled by its client is a 400, never an error of the server."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.http.errors import ApiError
from api.http.strict_json import MAX_INTEGER, MalformedJson, unstorable_text
from api.http.strict_json import loads as strict_loads

MAX_TEXT = 200
# C0 and C1 controls (NUL included) and the characters that reorder text (bidi overrides,
# embeddings, isolates and marks), which can disguise a name.
FORBIDDEN_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                               "\u2066-\u2069]")
B64URL = re.compile(r"[A-Za-z0-9_-]*")
QUERY_NUMBER = re.compile(r"[0-9]{1,18}")


def _cut_short() -> ApiError:
    return ApiError(400, "bad_request", "the request body was cut short")


def init_input_checks(app: Flask) -> None:
    @app.before_request
    def _storable_url() -> None:
        for value in (request.path, *request.args.keys(), *request.args.values()):
            problem = unstorable_text(value)
            if problem is not None:
                raise ApiError(400, "bad_request", f"the URL is refused: {problem}")


def json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(400, "bad_request", "the request body must be a JSON object")
    try:
        text = request.get_data(cache=True)
    except OSError as error:  # the client closed or stalled mid-body (gevent raises)
        raise _cut_short() from error
    try:
        body = strict_loads(text)
    except MalformedJson as error:
        raise ApiError(400, "bad_request", str(error)) from error
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the request body must be a JSON object")
    return body


def binary_body() -> bytes:
    """The raw request body, read whole in one call from the server's input (`get_data` reads
    64 KiB at a time into a growing buffer and copies it: a fifth of the server's time for a
    batch upload of blocks). Over the request limit: 413; shorter than announced, or stalled
    past the request timeout: 400 (gevent raises OSError where a short read was expected)."""
    length = request.content_length
    try:
        if length is None:
            return request.get_data(cache=False)
        if request.max_content_length is not None and length > request.max_content_length:
            raise RequestEntityTooLarge()
        data = request.environ["wsgi.input"].read(length)
    except OSError as error:
        raise _cut_short() from error
    if len(data) < length:
        raise _cut_short()
    return data


def text(body: dict[str, Any], name: str, *, max_length: int = MAX_TEXT) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "bad_request", f"'{name}' is required")
    if len(value) > max_length:
        raise ApiError(400, "bad_request", f"'{name}' is longer than {max_length} characters")
    if FORBIDDEN_IN_TEXT.search(value):
        raise ApiError(400, "bad_request",
                       f"'{name}' holds control or text-direction characters")
    return value.strip()


def choice(body: dict[str, Any], name: str, options: tuple[str, ...]) -> str:
    value = body.get(name)
    if not isinstance(value, str) or value not in options:
        raise ApiError(400, "bad_request", f"'{name}' must be one of {', '.join(options)}")
    return value


def whole_number(value: object, name: str) -> int:
    """A JSON integer from 0 to 2^63 - 1 (SQLite's range); `true` is not a number."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INTEGER:
        raise ApiError(400, "bad_request", f"'{name}' must be a whole number")
    return value


def number_up_to(value: object, name: str, highest: int) -> int:
    """A JSON integer from 1 to `highest`."""
    number = whole_number(value, name)
    if not 1 <= number <= highest:
        raise ApiError(400, "bad_request", f"'{name}' must be from 1 to {highest}")
    return number


def flag(body: dict[str, Any], name: str, default: bool | None = None) -> bool:
    """`true` or `false` (required unless a `default` is given)."""
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ApiError(400, "bad_request", f"'{name}' must be true or false")
    return value


def query_whole_number(name: str, default: int = 0) -> int:
    """A whole number from the query string, in ASCII digits ('²' is not one), below 10^18."""
    value = request.args.get(name)
    if value is None:
        return default
    if not QUERY_NUMBER.fullmatch(value):
        raise ApiError(400, "bad_request", f"'{name}' must be a whole number")
    return int(value)


def b64_decode(value: str) -> bytes:
    """Canonical unpadded base64url only: anything else (foreign characters, which a lenient
    decoder drops, padding, stray bits) is a ValueError."""
    if not B64URL.fullmatch(value) or len(value) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if b64_encode(data) != value:
        raise ValueError("not canonical base64url")
    return data


def b64_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def blob(body: dict[str, Any], name: str, *, max_bytes: int = 16384, size: int | None = None) -> (
    bytes
):
    """A base64url field, decoded."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "bad_request", f"'{name}' is required (base64url)")
    try:
        data = b64_decode(value)
    except (binascii.Error, ValueError, UnicodeEncodeError) as error:
        raise ApiError(400, "bad_request", f"'{name}' is not valid base64url") from error
    if len(data) > max_bytes or (size is not None and len(data) != size):
        raise ApiError(400, "bad_request", f"'{name}' has the wrong size")
    return data


def mapping(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise ApiError(400, "bad_request", f"'{name}' must be an object")
    return value


def optional_blob(body: dict[str, Any], name: str, *, max_bytes: int = 16384) -> bytes | None:
    """A base64url field that may be absent or null (a passkey without PRF has no bundle)."""
    if body.get(name) is None:
        return None
    return blob(body, name, max_bytes=max_bytes)
