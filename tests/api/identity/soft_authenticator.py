"""A software WebAuthn authenticator that produces genuine responses for py_webauthn to verify.

ES256 keys from `cryptography`, "none" attestation, and knobs for the failures a server must
refuse: another origin, a forged signature, a counter going backwards, no user verification.
Its `prf_output` stands in for the browser's PRF extension output (a secret per credential).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers.encode_cbor import encode_cbor

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    origin: str = "http://localhost:8000"
    rp_id: str = "localhost"
    credentials: dict[bytes, SoftCredential] = field(default_factory=dict)
    _prf_secret: bytes = field(default_factory=lambda: os.urandom(32))

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def _flags(self, verified: bool) -> int:
        return FLAG_UP | (FLAG_UV if verified else 0)

    def register(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        private_key = ec.generate_private_key(ec.SECP256R1())
        numbers = private_key.public_key().public_numbers()
        cose_key = encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                                -3: numbers.y.to_bytes(32, "big")})
        credential_id = os.urandom(32)
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([self._flags(True) | FLAG_AT]) + struct.pack(">I", 0) + bytes(16)
            + struct.pack(">H", len(credential_id)) + credential_id + cose_key
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        self.credentials[credential_id] = SoftCredential(
            credential_id, private_key, unb64url(options["user"]["id"])
        )
        return {
            "id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "attestationObject": b64url(attestation)},
            "clientExtensionResults": {},
        }

    def authenticate(
        self, options: dict[str, Any], *, credential_id: bytes | None = None,
        origin: str | None = None, sign_count: int | None = None, forge: bool = False,
        verified: bool = True,
    ) -> dict[str, Any]:
        credential = self.credentials[credential_id or next(iter(self.credentials))]
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest()
                     + bytes([self._flags(verified)]) + struct.pack(">I", credential.sign_count))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        if forge:
            signature = signature[:-1] + bytes([signature[-1] ^ 1])
        return {
            "id": b64url(credential.credential_id), "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "authenticatorData": b64url(auth_data), "signature": b64url(signature),
                         "userHandle": b64url(credential.user_handle)},
            "clientExtensionResults": {},
        }

    def prf_output(self, credential_id: bytes | None = None) -> bytes:
        credential_id = credential_id or next(iter(self.credentials))
        return hmac.new(self._prf_secret, credential_id, hashlib.sha256).digest()
