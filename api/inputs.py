"""Reading request bodies: every field checked for presence, type and size, or a clear 400."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import request

from api.errors import ApiError

MAX_TEXT = 200


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the request body must be a JSON object")
    return body


def text(body: dict[str, Any], name: str, *, max_length: int = MAX_TEXT) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "bad_request", f"'{name}' is required")
    if len(value) > max_length:
        raise ApiError(400, "bad_request", f"'{name}' is longer than {max_length} characters")
    return value.strip()


def choice(body: dict[str, Any], name: str, options: tuple[str, ...]) -> str:
    value = body.get(name)
    if value not in options:
        raise ApiError(400, "bad_request", f"'{name}' must be one of {', '.join(options)}")
    return value


def b64_decode(value: str) -> bytes:
    padded = value + "=" * (-len(value) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


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
