"""The framing every serialized Paravent object shares: a leading format-version byte."""

from __future__ import annotations

from pycrypto_wasm.exceptions import MalformedError, UnsupportedVersionError


def frame(version: int, *parts: bytes) -> bytes:
    """`version` as one byte, followed by `parts`."""
    return bytes([version]) + b"".join(parts)


def unframe(data: bytes, *, version: int, min_body: int, what: str) -> bytes:
    """The body after the version byte, refusing other versions and bodies that are too short."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedError(f"{what}: expected bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise MalformedError(f"{what}: empty")
    if data[0] != version:
        raise UnsupportedVersionError(f"{what}: unknown format version {data[0]}")
    if len(data) - 1 < min_body:
        raise MalformedError(f"{what}: truncated ({len(data)} bytes)")
    return data[1:]
