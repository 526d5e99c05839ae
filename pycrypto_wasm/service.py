"""The crypto worker's RPC surface: what the browser UI may ask of the keys the worker holds.

The worker calls `CryptoService.handle(method, params)` for every UI request. Keys generated here
never leave this object: replies carry public keys, fingerprints, ciphertexts and the plaintexts
the UI is meant to display. Expected failures come back as `{"ok": False, "error": {code,
message}}`, never as exceptions, so the UI can show them. Plain Python: the tests drive it under
CPython exactly as the worker does under Pyodide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrypto_wasm import __version__, addressed, backend
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.signing import SigningKey, VerifyKey

Params = dict[str, Any]
Reply = dict[str, Any]

# Known answer from draft-irtf-cfrg-xchacha-03, appendix A.3.1 (also in tests/data/vectors.json).
_KAT_KEY = bytes(range(0x80, 0xA0))
_KAT_NONCE = bytes(range(0x40, 0x58))
_KAT_AAD = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
_KAT_PLAINTEXT = (
    b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
    b"future, sunscreen would be it."
)
_KAT_CIPHERTEXT = bytes.fromhex(
    "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa644"
    "0bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e"
    "3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
    "c0875924c1c7987947deafd8780acf49"
)


class RequestError(CryptoError):
    """The UI's request is malformed: unknown method, missing or mistyped parameter."""

    code = "bad_request"


class NoKeysError(CryptoError):
    """The request needs this worker's keys and there are none (never created, or wiped)."""

    code = "locked"


def _bytes_param(params: Params, name: str) -> bytes:
    value = params.get(name)
    if not isinstance(value, bytes | bytearray | memoryview):
        raise RequestError(f"parameter {name!r} must be bytes")
    return bytes(value)


def _context_param(params: Params) -> Context:
    fields = params.get("context")
    if not isinstance(fields, dict):
        raise RequestError("parameter 'context' must be an object")
    try:
        return Context.from_fields(dict(fields))
    except (TypeError, ValueError) as error:
        raise RequestError(f"bad context: {error}") from error


@dataclass
class CryptoService:
    """The worker's state (the unlocked keys) and the methods the UI may call."""

    _signing_key: SigningKey | None = field(default=None, repr=False)
    _encryption_key: PrivateKey | None = field(default=None, repr=False)

    def handle(self, method: str, params: Params | None = None) -> Reply:
        """Run one RPC request; the reply says `ok` with a result, or not with an error."""
        handler = self._methods().get(method)
        try:
            if handler is None:
                raise RequestError(f"unknown method {method!r}")
            return {"ok": True, "result": handler(dict(params or {}))}
        except CryptoError as error:
            return {"ok": False, "error": {"code": error.code, "message": str(error)}}

    def _methods(self) -> dict[str, Callable[[Params], Any]]:
        return {
            "status": self.status,
            "selftest": self.selftest,
            "keys.generate": self.generate_keys,
            "keys.public": self.public_keys,
            "keys.wipe": self.wipe_keys,
            "message.send": self.send_message,
            "message.receive": self.receive_message,
        }

    def status(self, _params: Params) -> Reply:
        return {
            "version": __version__,
            "runtime": backend.RUNTIME_NAME,
            "has_keys": self._signing_key is not None,
        }

    def selftest(self, _params: Params) -> Reply:
        """Known-answer check of the AEAD path, so `ready` means the crypto really works."""
        ciphertext = backend.aead_encrypt(_KAT_PLAINTEXT, _KAT_AAD, _KAT_NONCE, _KAT_KEY)
        if ciphertext != _KAT_CIPHERTEXT:
            raise CryptoError("the cryptographic self-test failed on this runtime")
        return self.status({})

    def generate_keys(self, _params: Params) -> Reply:
        self._signing_key = SigningKey.generate()
        self._encryption_key = PrivateKey.generate()
        return self.public_keys({})

    def public_keys(self, _params: Params) -> Reply:
        signing_key, encryption_key = self._keys()
        return {
            "verify_key": signing_key.verify_key.key,
            "public_key": encryption_key.public_key.key,
            "fingerprint": signing_key.verify_key.fingerprint(),
        }

    def wipe_keys(self, _params: Params) -> Reply:
        self._signing_key = None
        self._encryption_key = None
        return self.status({})

    def send_message(self, params: Params) -> Reply:
        """`plaintext` signed with this worker's key and sealed to `recipient_public_key`."""
        signing_key, _ = self._keys()
        recipient = PublicKey(_bytes_param(params, "recipient_public_key"))
        message = addressed.send(
            signing_key, recipient, _context_param(params), _bytes_param(params, "plaintext")
        )
        return {"message": message}

    def receive_message(self, params: Params) -> Reply:
        """The plaintext of a message addressed to this worker's key by `sender_verify_key`."""
        _, encryption_key = self._keys()
        sender = VerifyKey(_bytes_param(params, "sender_verify_key"))
        plaintext = addressed.receive(
            encryption_key, sender, _context_param(params), _bytes_param(params, "message")
        )
        return {"plaintext": plaintext}

    def _keys(self) -> tuple[SigningKey, PrivateKey]:
        if self._signing_key is None or self._encryption_key is None:
            raise NoKeysError("no keys are unlocked in this browser")
        return self._signing_key, self._encryption_key
