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


def _to_json_value(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalEncodingError(f"{path}: integer {value} is outside the exact range")
        return value
    if isinstance(value, bytes):
        return {_BYTES_TAG: base64.b64encode(value).decode("ascii")}
    if isinstance(value, Mapping):
        encoded = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalEncodingError(f"{path}: dict keys must be str, not {key!r}")
            if key.startswith("$"):
                raise CanonicalEncodingError(f"{path}: dict key {key!r} may not start with '$'")
            encoded[key] = _to_json_value(item, f"{path}.{key}")
        return encoded
    if isinstance(value, Sequence):
        return [_to_json_value(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise CanonicalEncodingError(f"{path}: {type(value).__name__} cannot be canonically encoded")


def _from_json_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json_value(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {_BYTES_TAG} and isinstance(value[_BYTES_TAG], str):
            try:
                return base64.b64decode(value[_BYTES_TAG], validate=True)
            except binascii.Error as error:
                raise CanonicalEncodingError("bad base64 in a bytes value") from error
        return {key: _from_json_value(item) for key, item in value.items()}
    if isinstance(value, float):
        raise CanonicalEncodingError("floats are not canonical")
    return value


def encode(value: Any) -> bytes:
    """The canonical bytes of `value`."""
    return json.dumps(
        _to_json_value(value, "$"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def decode(data: bytes) -> Any:
    """The value of canonical bytes; non-canonical spellings of a valid value are refused."""
    try:
        value = _from_json_value(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CanonicalEncodingError(f"not canonical JSON: {error}") from error
    if encode(value) != data:
        raise CanonicalEncodingError("not the canonical encoding of its value")
    return value
