"""HKDF-SHA256 (RFC 5869), from the standard library's HMAC."""

from __future__ import annotations

import hashlib
import hmac

_HASH_SIZE = 32


def hkdf_sha256(input_key: bytes, *, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """`length` bytes of output keying material derived from `input_key`."""
    if not 0 < length <= 255 * _HASH_SIZE:
        raise ValueError(f"HKDF-SHA256 output must be 1 to {255 * _HASH_SIZE} bytes")
    pseudo_random_key = hmac.new(salt or bytes(_HASH_SIZE), input_key, hashlib.sha256).digest()
    output = b""
    block = b""
    counter = 1
    while len(output) < length:
        block = hmac.new(
            pseudo_random_key, block + info + bytes([counter]), hashlib.sha256
        ).digest()
        output += block
        counter += 1
    return output[:length]
