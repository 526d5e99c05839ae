"""The exceptions raised by pycrypto_wasm: one root, one precise class per failure.

Each class carries a stable machine-readable `code` so the crypto worker can hand errors to the UI
as data. Classes are also `ValueError` or `TypeError` where that fits, so callers can catch either.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Root of every error raised by pycrypto_wasm."""

    code = "crypto_error"


class KeyFormatError(CryptoError, TypeError):
    """A key, nonce or seed has the wrong type or length."""

    code = "bad_key_format"


class MalformedError(CryptoError, ValueError):
    """Bytes that cannot be a serialized object of the expected format (too short, bad encoding)."""

    code = "malformed"


class UnsupportedVersionError(MalformedError):
    """A serialized object starts with a format-version byte this code does not know."""

    code = "unsupported_version"


class DecryptionError(CryptoError, ValueError):
    """A ciphertext did not authenticate: altered, moved from another place, or the wrong key.

    The message names the object (from its context) so the UI can say which item is affected.
    """

    code = "decryption_failed"


class WrongContextError(DecryptionError):
    """A ciphertext decrypted but was addressed to another place than the one it was read from."""

    code = "wrong_context"


class BadSignatureError(CryptoError, ValueError):
    """A signature does not verify with the expected key, over the expected context."""

    code = "bad_signature"


class CanonicalEncodingError(CryptoError, ValueError):
    """A value cannot be canonically encoded, or bytes are not a canonical encoding."""

    code = "non_canonical"
