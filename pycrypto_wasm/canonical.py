"""Canonical serialization: one value, exactly one byte string, the same on every runtime.

Signed objects are serialized with this before they are signed, so that a signature covers a
definite byte string and a verifier can refuse any other spelling of the same value. The format is
JSON with sorted keys, no white space and UTF-8 text. Values may be None, bool, int (within
JavaScript's exact range), str, bytes, lists and str-keyed dicts. Floats are refused. Bytes are
written as `{"$bytes": "<base64>"}`, so dict keys may not start with "$".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pycrypto_wasm.exceptions import CanonicalEncodingError

MAX_SAFE_INTEGER = 2**53 - 1
_BYTES_TAG = "$bytes"


class _Invalid(Exception):
    """A value that cannot be encoded: why, and where (path parts, innermost first)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.parts: list[str] = []

    def at(self, part: str) -> _Invalid:
        self.parts.append(part)
        return self

    def error(self) -> CanonicalEncodingError:
        return CanonicalEncodingError(f"${''.join(reversed(self.parts))}: {self.reason}")


def _to_json_value(value: Any) -> Any:
    """The JSON value of `value`; where it cannot be encoded is named only on the way out of
    an error (no path is built for the values that can)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:  # the most common, first
        return value
    if kind is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise _Invalid(f"integer {value} is outside the exact range")
        return value
    if isinstance(value, bytes):
        return {_BYTES_TAG: base64.b64encode(value).decode("ascii")}
    if kind is dict or isinstance(value, Mapping):
        encoded = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Invalid(f"dict keys must be str, not {key!r}")
            if key.startswith("$"):
                raise _Invalid(f"dict key {key!r} may not start with '$'")
            try:
                encoded[key] = _to_json_value(item)
            except _Invalid as invalid:
                raise invalid.at(f".{key}") from None
        return encoded
    if kind is list or kind is tuple or isinstance(value, Sequence):
        converted = []
        for index, item in enumerate(value):
            try:
                converted.append(_to_json_value(item))
            except _Invalid as invalid:
                raise invalid.at(f"[{index}]") from None
        return converted
    raise _Invalid(f"{type(value).__name__} cannot be canonically encoded")


def _bytes_or_object(value: dict[str, Any]) -> Any:
    """A parsed JSON object: bytes when it is exactly `{"$bytes": "<base64>"}`."""
    if len(value) == 1 and isinstance(value.get(_BYTES_TAG), str):
        try:
            return base64.b64decode(value[_BYTES_TAG], validate=True)
        except binascii.Error as error:
            raise CanonicalEncodingError("bad base64 in a bytes value") from error
    return value


def _no_float(_text: str) -> Any:
    raise CanonicalEncodingError("floats are not canonical")


def _parse(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"), object_hook=_bytes_or_object,
                          parse_float=_no_float, parse_constant=_no_float)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CanonicalEncodingError(f"not canonical JSON: {error}") from error


def encode(value: Any) -> bytes:
    """The canonical bytes of `value`."""
    try:
        converted = _to_json_value(value)
    except _Invalid as invalid:
        raise invalid.error() from None
    return json.dumps(
        converted, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def decode(data: bytes) -> Any:
    """The value of canonical bytes; non-canonical spellings of a valid value are refused."""
    value = _parse(data)
    if encode(value) != data:
        raise CanonicalEncodingError("not the canonical encoding of its value")
    return value


def decode_sealed(data: bytes) -> Any:
    """The value of canonical bytes that an AEAD just authenticated as sealed with a key only
    their sealer holds (who encoded them with `encode`): their spelling is not checked again.
    Anything else is read with `decode`."""
    return _parse(data)
