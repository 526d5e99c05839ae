"""Recovery codes: a high-entropy secret shown once, that unlocks the key bundle without a passkey.

160 random bits written as eight groups of four base32 characters (`ABCD-EFGH-…`). Two
independent values derive from it with HKDF: the wrapping secret (never leaves the browser) and a
login token, whose SHA-256 the server stores to find and authenticate the user. A code this
strong needs no slow hash; Argon2id is for human-chosen secrets, and there are none.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.hkdf import hkdf_sha256
from pycrypto_wasm.random import random_bytes

_CODE_BYTES = 20
_GROUP = 4
_SALT = b"paravent recovery code"


@dataclass(frozen=True)
class RecoveryCode:
    secret: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> RecoveryCode:
        return cls(random_bytes(_CODE_BYTES))

    @classmethod
    def parse(cls, text: str) -> RecoveryCode:
        """Reads a code as typed: case, spaces and dashes do not matter."""
        cleaned = "".join(text.split()).replace("-", "").upper()
        try:
            secret = base64.b32decode(cleaned)
        except (binascii.Error, ValueError) as error:
            raise MalformedError("this is not a recovery code: check each character") from error
        if len(secret) != _CODE_BYTES:
            raise MalformedError("this is not a recovery code: it has the wrong length")
        return cls(secret)

    def text(self) -> str:
        encoded = base64.b32encode(self.secret).decode("ascii")
        return "-".join(encoded[index : index + _GROUP] for index in range(0, len(encoded), _GROUP))

    def wrapping_secret(self) -> bytes:
        return hkdf_sha256(self.secret, salt=_SALT, info=b"paravent recovery wrapping v1")

    def login_token(self) -> bytes:
        return hkdf_sha256(self.secret, salt=_SALT, info=b"paravent recovery login v1")


def login_token_digest(login_token: bytes) -> str:
    """What the server stores and looks up: SHA-256 of the login token, in hex."""
    return hashlib.sha256(login_token).hexdigest()
