"""Length-hiding padding of plaintexts before they are encrypted, so that a ciphertext's size
tells the server only a coarse size class, not the exact length of a field or a file.

Sizes: Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication
with PURBs", PETS 2019). A length L whose highest set bit is bit E is rounded up so that only its
top floor(log2 E) + 1 bits may be non-zero: at most 11.7% more bytes (at L = 129; under 6.3% from
L = 256 on, under 3.2% from 64 KiB on), and a length leaks O(log log L) bits instead of O(log L).

Bytes, format version 1: `0x01 || data || 0x80 || 0x00...`, padded to
`padme_length(len(data) + 2)` bytes. The marker-then-zeros rule is ISO/IEC 7816-4's (the one
libsodium's `sodium_pad` uses), so the data's end is unambiguous whatever its last bytes are.
`unpad` accepts exactly the canonical padding of some data: a wrong version byte, a missing marker,
a non-zero byte after it, or a total length that is not the Padmé length of the data is refused.
Padding belongs inside the AEAD: the server cannot alter it without the ciphertext failing.
"""

from __future__ import annotations

from pycrypto_wasm.exceptions import MalformedError, UnsupportedVersionError

VERSION = 1
_MARKER = 0x80
_OVERHEAD = 2  # the version byte and the marker


class PaddingError(MalformedError):
    """Padded bytes that are not the canonical padding of any data."""

    code = "bad_padding"


def padme_length(length: int) -> int:
    """The Padmé size class of `length` bytes: the smallest allowed size >= `length`."""
    if length < 0:
        raise ValueError("a length cannot be negative")
    if length < 2:
        return length
    exponent = length.bit_length() - 1
    kept_bits = exponent.bit_length()
    mask = (1 << (exponent - kept_bits)) - 1
    return (length + mask) & ~mask


def pad(data: bytes) -> bytes:
    """`data` padded to its Padmé size class (format version 1)."""
    size = padme_length(len(data) + _OVERHEAD)
    return bytes([VERSION]) + data + bytes([_MARKER]) + bytes(size - len(data) - _OVERHEAD)


def unpad(padded: bytes) -> bytes:
    """The data inside `pad`'s output; PaddingError unless the padding is exactly canonical."""
    if len(padded) < _OVERHEAD:
        raise PaddingError(f"padded data too short ({len(padded)} bytes)")
    if padded[0] != VERSION:
        raise UnsupportedVersionError(f"unknown padding format version {padded[0]}")
    end = len(padded.rstrip(b"\x00")) - 1
    if end < 1 or padded[end] != _MARKER:
        raise PaddingError("the padding has no end marker")
    data = bytes(padded[1:end])
    if len(padded) != padme_length(len(data) + _OVERHEAD):
        raise PaddingError(f"{len(padded)} bytes is not the padded size of {len(data)} bytes")
    return data
