"""Reading RPC parameters from the UI: typed, checked, with a clear error when wrong.

Bytes arrive either as buffers (Uint8Array -> memoryview under Pyodide) or, for values that come
from or go to the server's JSON, as base64url text.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, TypeVar

from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError

Params = dict[str, Any]
Reply = dict[str, Any]


class RequestError(CryptoError):
    """The UI's request is malformed: unknown method, missing or mistyped parameter."""

    code = "bad_request"


class NoKeysError(CryptoError):
    """The request needs this worker's keys and there are none (never created, or wiped)."""

    code = "locked"


def buffer(params: Params, name: str) -> bytes:
    value = params.get(name)
    if not isinstance(value, bytes | bytearray | memoryview):
        raise RequestError(f"parameter {name!r} must be bytes")
    return bytes(value)


def optional_buffer(params: Params, name: str) -> bytes | None:
    return None if params.get(name) is None else buffer(params, name)


def text(params: Params, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise RequestError(f"parameter {name!r} must be non-empty text")
    return value


def whole_number(params: Params, name: str) -> int:
    value = params.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RequestError(f"parameter {name!r} must be a whole number")
    return value


def b64(params: Params, name: str) -> bytes:
    return from_b64(text(params, name), f"parameter {name!r}")


def from_b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise RequestError(f"{what} must be base64url text")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise RequestError(f"{what} must be base64url") from error


Running = TypeVar("Running")


def in_progress(running: dict[str, Running], params: Params, name: str, what: str) -> Running:
    """The exchange or transfer in progress that parameter `name` names, or RequestError."""
    found = running.get(text(params, name))
    if found is None:
        raise RequestError(f"no such {what} in progress in this browser")
    return found


def to_b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def context(params: Params) -> Context:
    fields = params.get("context")
    if not isinstance(fields, dict):
        raise RequestError("parameter 'context' must be an object")
    try:
        return Context.from_fields(dict(fields))
    except (TypeError, ValueError) as error:
        raise RequestError(f"bad context: {error}") from error
