"""Short authentication strings for invitations, as Parsec does it.

An admin (greeter) and an invitee (claimer) exchange keys through the server, which relays but
cannot be trusted. The greeter first commits to a random nonce; the claimer answers with its
public keys and a nonce of its own; the greeter reveals its nonce. Both compute, from everything
exchanged (and the root verify key the claimer got from the invitation link), two four-character
codes that each reads aloud to the other. A server that substituted a key sees different codes on
the two screens and cannot pick its substitutes to match: it had to choose them before the
greeter's nonce was revealed.

The check gates both ways, in either order. The claimer, once the greeter's code it typed
matched, signs a confirmation of the exchange's transcript with its new signing key; the greeter
signs the claimer's certificate only when it holds both that confirmation and a match of the
claimer's code typed by the admin (`GreeterExchange.confirmed_both_ways`). The confirmation is a
signed object (signing.py, format version 1) in context `invitation-sas-confirmation` whose
payload is BLAKE2b-256("paravent sas transcript v1" || canonical transcript).

What the relaying server can and cannot do:
- it cannot make the greeter sign without the claimer's confirmation: the confirmation is an
  Ed25519 signature, by the claimer's key named in the transcript, over a hash of the
  transcript (fresh nonces included), so it can be neither forged nor replayed from another
  exchange. A server that put its own keys in the middle can sign a confirmation with them,
  but then the codes differ and the admin's own check refuses (2**-20 chance of a lucky guess);
- it cannot substitute a key unseen, as above, nor sign the invitee in with a certificate the
  admin did not sign for exactly the invitee's keys (the invitee's browser checks both);
- it can withhold, delay or drop messages (the exchange then waits, and either side may
  cancel), cancel the invitation, or say falsely who cancelled it: denial of service, never a
  certificate for keys the two people did not confirm.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import asdict, dataclass, field

from pycrypto_wasm import canonical, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import BadSignatureError, CryptoError, MalformedError
from pycrypto_wasm.random import random_bytes
from pycrypto_wasm.signing import SigningKey, VerifyKey

_NONCE_SIZE = 32
CODE_LENGTH = 4


class SasMismatchError(CryptoError, ValueError):
    """The code the other person read does not match: someone is in the middle."""

    code = "sas_mismatch"


class CommitmentError(CryptoError, ValueError):
    """The greeter's revealed nonce does not match its commitment."""

    code = "sas_commitment"


class ConfirmationError(CryptoError, ValueError):
    """The invitee's confirmation is not signed by the keys of this exchange, over it."""

    code = "sas_confirmation"


class NotConfirmedError(CryptoError, ValueError):
    """One of the two people has not confirmed the other's code yet."""

    code = "sas_not_confirmed"


CONFIRMATION_CONTEXT = Context(purpose="invitation-sas-confirmation")

def _commit(nonce: bytes) -> bytes:
    return hashing.blake2b(b"paravent sas commitment v1" + nonce)


def _format(code: bytes) -> str:
    return base64.b32encode(code).decode("ascii")[:CODE_LENGTH]


@dataclass(frozen=True)
class Transcript:
    """Everything one exchange carried, as both sides must have seen it."""

    root_verify_key: bytes
    greeter_verify_key: bytes
    claimer_verify_key: bytes
    claimer_public_key: bytes
    greeter_nonce: bytes
    claimer_nonce: bytes

    def _encoded(self) -> bytes:
        return canonical.encode(asdict(self))

    def codes(self) -> tuple[str, str]:
        """(greeter's code, claimer's code)."""
        digest = hashing.blake2b(b"paravent sas v1" + self._encoded(), size=16)
        return _format(digest[:5]), _format(digest[5:10])

    def digest(self) -> bytes:
        """What the claimer's confirmation signs."""
        return hashing.blake2b(b"paravent sas transcript v1" + self._encoded())


def sas_codes(
    *, root_verify_key: bytes, greeter_verify_key: bytes, claimer_verify_key: bytes,
    claimer_public_key: bytes, greeter_nonce: bytes, claimer_nonce: bytes,
) -> tuple[str, str]:
    """(greeter's code, claimer's code) for one exchange."""
    return Transcript(root_verify_key, greeter_verify_key, claimer_verify_key,
                      claimer_public_key, greeter_nonce, claimer_nonce).codes()


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
    """The admin's side: hello (commitment), then reveal, then the codes; then the two
    confirmations, in either order, before the certificate may be signed."""

    root_verify_key: bytes
    greeter_verify_key: bytes
    nonce: bytes = field(default_factory=lambda: random_bytes(_NONCE_SIZE), repr=False)
    claimer: dict[str, bytes] | None = None
    code_confirmed: bool = False
    claimer_confirmed: bool = False

    def hello(self) -> dict[str, bytes]:
        return {"greeter_verify_key": self.greeter_verify_key, "commitment": _commit(self.nonce)}

    def reveal(self, claimer_hello: dict[str, bytes]) -> dict[str, bytes]:
        self.claimer = {
            "verify_key": _key(claimer_hello, "verify_key", sizes.SIGN_PUBLIC_KEY),
            "public_key": _key(claimer_hello, "public_key", sizes.BOX_PUBLIC_KEY),
            "nonce": _key(claimer_hello, "nonce", _NONCE_SIZE),
        }
        return {"nonce": self.nonce}

    def transcript(self) -> Transcript:
        if self.claimer is None:
            raise CryptoError("the invitee has not answered yet")
        return Transcript(self.root_verify_key, self.greeter_verify_key,
                          self.claimer["verify_key"], self.claimer["public_key"], self.nonce,
                          self.claimer["nonce"])

    def codes(self) -> tuple[str, str]:
        return self.transcript().codes()

    def confirm_code(self, typed: str) -> None:
        """The admin typed the code the invitee read aloud."""
        check_code(self.codes()[1], typed)
        self.code_confirmed = True

    def receive_confirmation(self, confirmation: dict[str, bytes]) -> None:
        """The invitee's browser says the admin's code matched, signed with its new key."""
        transcript = self.transcript()
        signed = confirmation.get("confirmation")
        try:
            if not isinstance(signed, bytes):
                raise BadSignatureError("no signature")
            confirmed = VerifyKey(transcript.claimer_verify_key).verify(
                CONFIRMATION_CONTEXT, signed)
        except (BadSignatureError, MalformedError) as error:
            raise ConfirmationError(
                "the invitee's confirmation is not signed by the invitee's keys") from error
        if not hmac.compare_digest(confirmed, transcript.digest()):
            raise ConfirmationError("the invitee's confirmation is for another exchange")
        self.claimer_confirmed = True

    @property
    def confirmed_both_ways(self) -> bool:
        return self.code_confirmed and self.claimer_confirmed

    def confirmed_claimer_keys(self) -> tuple[bytes, bytes]:
        """(verify key, public key) of the invitee, once both people confirmed the codes."""
        if not self.confirmed_both_ways:
            raise NotConfirmedError("both people must confirm the other's code first")
        transcript = self.transcript()
        return transcript.claimer_verify_key, transcript.claimer_public_key


@dataclass
class ClaimerExchange:
    """The invitee's side: answers the greeter's hello, checks its reveal, then the codes; then
    confirms the admin's code with a signature the greeter waits for."""

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

    def transcript(self) -> Transcript:
        if self.greeter is None or self.greeter_nonce is None:
            raise CryptoError("the exchange with the admin is not finished")
        return Transcript(self.root_verify_key, self.greeter["verify_key"], self.verify_key,
                          self.public_key, self.greeter_nonce, self.nonce)

    def codes(self) -> tuple[str, str]:
        return self.transcript().codes()

    def confirm_code(self, typed: str, signing_key: SigningKey) -> dict[str, bytes]:
        """The invitee typed the code the admin read aloud: if it matches, the confirmation to
        send to the greeter, signed with the invitee's new key (`signing_key`)."""
        check_code(self.codes()[0], typed)
        if not hmac.compare_digest(signing_key.verify_key.key, self.verify_key):
            raise CryptoError("the confirmation must be signed with the key of this exchange")
        return {"confirmation": signing_key.sign(CONFIRMATION_CONTEXT, self.transcript().digest())}
