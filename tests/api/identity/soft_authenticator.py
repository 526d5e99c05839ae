"""A software WebAuthn authenticator that produces genuine responses for py_webauthn to verify.

ES256 (ECDSA P-256) keys from `cryptography`, "none" attestation, CBOR from py_webauthn's own
encoder. Knobs produce what a server must refuse: another origin, a flipped signature byte, a
forced (e.g. regressed) sign count, no user verification, a chosen credential id. `prf_output`
stands in for the browser's PRF extension: a secret per credential, deterministic, that only
this authenticator knows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers.encode_cbor import encode_cbor

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40
COSE_EC2, COSE_ES256, COSE_P256 = 2, -7, 1


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    """One discoverable credential held by the authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    rp_id: str
    sign_count: int = 0


class SoftAuthenticator:
    """A platform authenticator in memory: `register` answers navigator.credentials.create,
    `authenticate` answers navigator.credentials.get (both given the server's `publicKey`)."""

    def __init__(self, origin: str = "http://localhost:8000", rp_id: str = "localhost") -> None:
        self.origin = origin
        self.rp_id = rp_id
        self.credentials: dict[bytes, SoftCredential] = {}
        self._prf_secret = os.urandom(32)

    # helpers ------------------------------------------------------------------------------
    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin,
             "crossOrigin": False},
            separators=(",", ":"),
        ).encode()

    @staticmethod
    def _flags(user_verified: bool) -> int:
        return FLAG_UP | (FLAG_UV if user_verified else 0)

    @staticmethod
    def _cose_key(private_key: ec.EllipticCurvePrivateKey) -> bytes:
        numbers = private_key.public_key().public_numbers()
        return encode_cbor({
            1: COSE_EC2, 3: COSE_ES256, -1: COSE_P256,
            -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big"),
        })

    @property
    def last_credential_id(self) -> bytes:
        """The id of the credential registered most recently."""
        return list(self.credentials)[-1]

    # ceremonies ---------------------------------------------------------------------------
    def register(
        self, options: dict[str, Any], *, origin: str | None = None, user_verified: bool = True,
        credential_id: bytes | None = None,
    ) -> dict[str, Any]:
        """A new credential for the server's creation options, as PublicKeyCredential JSON
        (`credential_id` forces its id, as a misbehaving authenticator could)."""
        rp_id = options.get("rp", {}).get("id") or self.rp_id
        private_key = ec.generate_private_key(ec.SECP256R1())
        credential_id = credential_id or os.urandom(32)
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(user_verified) | FLAG_AT])
            + struct.pack(">I", 0)
            + bytes(16)
            + struct.pack(">H", len(credential_id)) + credential_id
            + self._cose_key(private_key)
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        self.credentials[credential_id] = SoftCredential(
            credential_id, private_key, unb64url(options["user"]["id"]), rp_id
        )
        return {
            "id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "attestationObject": b64url(attestation)},
            "clientExtensionResults": {},
        }

    def authenticate(
        self, options: dict[str, Any], credential_id: bytes | None = None, *,
        origin: str | None = None, sign_count: int | None = None,
        flip_signature: bool = False, user_verified: bool = True,
    ) -> dict[str, Any]:
        """An assertion for the server's request options, by `credential_id` (default: the
        first credential). The sign count goes up by one unless `sign_count` forces it."""
        credential = self.credentials[credential_id or next(iter(self.credentials))]
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        auth_data = (
            hashlib.sha256(credential.rp_id.encode()).digest()
            + bytes([self._flags(user_verified)])
            + struct.pack(">I", credential.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        if flip_signature:
            middle = len(signature) // 2
            signature = signature[:middle] + bytes([signature[middle] ^ 0x01]) + signature[
                middle + 1:]
        return {
            "id": b64url(credential.credential_id), "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "authenticatorData": b64url(auth_data), "signature": b64url(signature),
                         "userHandle": b64url(credential.user_handle)},
            "clientExtensionResults": {},
        }

    def prf_output(self, credential_id: bytes | None = None) -> bytes:
        """What the PRF extension would give the page for this credential (32 bytes)."""
        credential_id = credential_id or next(iter(self.credentials))
        return hmac.new(self._prf_secret, credential_id, hashlib.sha256).digest()
