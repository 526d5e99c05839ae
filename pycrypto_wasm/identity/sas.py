"""Short authentication strings for invitations, as Parsec does it.

An admin (greeter) and an invitee (claimer) exchange keys through the server, which relays but
cannot be trusted. The greeter first commits to a random nonce; the claimer answers with its
public keys and a nonce of its own; the greeter reveals its nonce. Both compute, from everything
exchanged (and the root verify key the claimer got from the invitation link), two four-character
codes that each reads aloud to the other. A server that substituted a key sees different codes on
the two screens and cannot pick its substitutes to match: it had to choose them before the
greeter's nonce was revealed.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass, field

from pycrypto_wasm import canonical, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.exceptions import CryptoError, MalformedError
from pycrypto_wasm.random import random_bytes

_NONCE_SIZE = 32
CODE_LENGTH = 4


class SasMismatchError(CryptoError, ValueError):
    """The code the other person read does not match: someone is in the middle."""

    code = "sas_mismatch"


class CommitmentError(CryptoError, ValueError):
    """The greeter's revealed nonce does not match its commitment."""

    code = "sas_commitment"


def _commit(nonce: bytes) -> bytes:
    return hashing.blake2b(b"paravent sas commitment v1" + nonce)


def _format(code: bytes) -> str:
    return base64.b32encode(code).decode("ascii")[:CODE_LENGTH]


def sas_codes(
    *, root_verify_key: bytes, greeter_verify_key: bytes, claimer_verify_key: bytes,
    claimer_public_key: bytes, greeter_nonce: bytes, claimer_nonce: bytes,
) -> tuple[str, str]:
    """(greeter's code, claimer's code) for one exchange."""
    transcript = canonical.encode(
        {
            "root_verify_key": root_verify_key,
            "greeter_verify_key": greeter_verify_key,
            "claimer_verify_key": claimer_verify_key,
            "claimer_public_key": claimer_public_key,
            "greeter_nonce": greeter_nonce,
            "claimer_nonce": claimer_nonce,
        }
    )
    digest = hashing.blake2b(b"paravent sas v1" + transcript, size=16)
    return _format(digest[:5]), _format(digest[5:10])


def check_code(expected: str, typed: str) -> None:
    """Raise SasMismatchError unless `typed` is `expected` (case and spaces do not matter)."""
    if not hmac.compare_digest(expected, "".join(typed.split()).upper()):
        raise SasMismatchError("the code does not match: the invitation is cancelled")


def _key(message: dict[str, bytes], name: str, size: int) -> bytes:
    value = message.get(name)
    if not isinstance(value, bytes) or len(value) != size:
        raise MalformedError(f"invitation message field {name!r} is missing or malformed")
    return value


@dataclass
class GreeterExchange:
    """The admin's side: hello (commitment), then reveal, then the codes."""

    root_verify_key: bytes
    greeter_verify_key: bytes
    nonce: bytes = field(default_factory=lambda: random_bytes(_NONCE_SIZE), repr=False)
    claimer: dict[str, bytes] | None = None

    def hello(self) -> dict[str, bytes]:
        return {"greeter_verify_key": self.greeter_verify_key, "commitment": _commit(self.nonce)}

    def reveal(self, claimer_hello: dict[str, bytes]) -> dict[str, bytes]:
        self.claimer = {
            "verify_key": _key(claimer_hello, "verify_key", sizes.SIGN_PUBLIC_KEY),
            "public_key": _key(claimer_hello, "public_key", sizes.BOX_PUBLIC_KEY),
            "nonce": _key(claimer_hello, "nonce", _NONCE_SIZE),
        }
        return {"nonce": self.nonce}

    def codes(self) -> tuple[str, str]:
        if self.claimer is None:
            raise CryptoError("the invitee has not answered yet")
        return sas_codes(
            root_verify_key=self.root_verify_key, greeter_verify_key=self.greeter_verify_key,
            claimer_verify_key=self.claimer["verify_key"],
            claimer_public_key=self.claimer["public_key"], greeter_nonce=self.nonce,
            claimer_nonce=self.claimer["nonce"],
        )


@dataclass
class ClaimerExchange:
    """The invitee's side: answers the greeter's hello, checks its reveal, then the codes."""

    root_verify_key: bytes
    verify_key: bytes
    public_key: bytes
    nonce: bytes = field(default_factory=lambda: random_bytes(_NONCE_SIZE), repr=False)
    greeter: dict[str, bytes] | None = None
    greeter_nonce: bytes | None = None

    def hello(self, greeter_hello: dict[str, bytes]) -> dict[str, bytes]:
        self.greeter = {
            "verify_key": _key(greeter_hello, "greeter_verify_key", sizes.SIGN_PUBLIC_KEY),
            "commitment": _key(greeter_hello, "commitment", 32),
        }
        return {"verify_key": self.verify_key, "public_key": self.public_key, "nonce": self.nonce}

    def receive_reveal(self, reveal: dict[str, bytes]) -> None:
        nonce = _key(reveal, "nonce", _NONCE_SIZE)
        if self.greeter is None or not hmac.compare_digest(
            _commit(nonce), self.greeter["commitment"]
        ):
            raise CommitmentError("the admin's answer does not match its commitment")
        self.greeter_nonce = nonce

    def codes(self) -> tuple[str, str]:
        if self.greeter is None or self.greeter_nonce is None:
            raise CryptoError("the exchange with the admin is not finished")
        return sas_codes(
            root_verify_key=self.root_verify_key, greeter_verify_key=self.greeter["verify_key"],
            claimer_verify_key=self.verify_key, claimer_public_key=self.public_key,
            greeter_nonce=self.greeter_nonce, claimer_nonce=self.nonce,
        )
