"""Credential ids as they travel: base64url in JSON, raw bytes in the database."""

from __future__ import annotations

import binascii
from typing import Any

from api.http.errors import ApiError
from api.http.inputs import b64_decode


def credential_id_of(credential: Any) -> bytes:
    """The raw id of a WebAuthn credential in its JSON form."""
    if not isinstance(credential, dict) or not isinstance(credential.get("rawId"), str):
        raise ApiError(400, "bad_request", "'credential' must be a WebAuthn credential")
    try:
        return b64_decode(credential["rawId"])
    except (binascii.Error, ValueError) as error:
        raise ApiError(400, "bad_request", "the credential id is not base64url") from error
