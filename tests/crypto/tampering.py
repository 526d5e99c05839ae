"""Helpers that alter serialized objects the way a malicious server would."""

from __future__ import annotations


def flip_byte(data: bytes, index: int) -> bytes:
    """`data` with the byte at `index` (negative counts from the end) inverted."""
    altered = bytearray(data)
    altered[index] ^= 0xFF
    return bytes(altered)
