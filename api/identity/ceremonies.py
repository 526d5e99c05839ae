"""WebAuthn ceremonies through py_webauthn: options out, verified credentials in.

Every challenge is random, single-use, stored server-side with its purpose and subject, and
expires. Origin and RP id come from configuration. User verification is required, and the
authenticator's sign count must never go backwards.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from api.http.errors import ApiError
from api.http.inputs import mapping
from api.identity.passkey_ids import credential_id_of
from api.storage.pool import get_store


@dataclass(frozen=True)
class NewPasskey:
    credential_id: bytes
    public_key: bytes
    sign_count: int


def _config() -> Any:
    return current_app.config["PARAVENT"]


def _rejected(status: int, error: Exception) -> ApiError:
    if "sign count" in str(error).lower():
        return ApiError(
            status, "sign_count_regressed",
            "this passkey's counter went backwards: it may have been cloned; sign-in refused",
        )
    return ApiError(status, "passkey_rejected", f"the passkey could not be verified: {error}")


def _issue(purpose: str, subject: str, challenge: bytes) -> str:
    """Store a new challenge, and forget the expired ones (used or not)."""
    challenge_id = secrets.token_urlsafe(16)
    get_store().identity.purge_challenges(time.time())
    get_store().identity.add_challenge(
        {
            "id": challenge_id,
            "purpose": purpose,
            "subject": subject,
            "challenge": challenge,
            "expires_at": time.time() + _config().challenge_seconds,
            "used": 0,
        }
    )
    return challenge_id


def _consume(challenge_id: Any, purpose: str) -> dict[str, Any]:
    if not isinstance(challenge_id, str):
        raise ApiError(400, "bad_request", "'challenge_id' is required")
    row = get_store().identity.consume_challenge(challenge_id, purpose, time.time())
    if row is None:
        raise ApiError(
            400, "challenge_expired", "this sign-in attempt expired or was already used; try again"
        )
    return row


def registration_options(
    *, purpose: str, user_id: str, user_name: str, display_name: str,
    existing: list[bytes] | None = None,
) -> dict[str, Any]:
    """Options for navigator.credentials.create, plus the id of their stored challenge."""
    config = _config()
    options = generate_registration_options(
        rp_id=config.rp_id,
        rp_name=config.rp_name,
        user_id=user_id.encode(),
        user_name=user_name,
        user_display_name=display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in existing or []],
    )
    challenge_id = _issue(purpose, user_id, options.challenge)
    return {"challenge_id": challenge_id, "publicKey": json.loads(options_to_json(options))}


def verify_registration(body: dict[str, Any], *, purpose: str, user_id: str) -> NewPasskey:
    challenge = _consume(body.get("challenge_id"), purpose)
    if challenge["subject"] != user_id:
        raise ApiError(400, "challenge_mismatch", "this passkey was created for another account")
    config = _config()
    try:
        verified = verify_registration_response(
            credential=mapping(body, "credential"),
            expected_challenge=challenge["challenge"],
            expected_rp_id=config.rp_id,
            expected_origin=config.public_origin,
            require_user_verification=True,
        )
    except (WebAuthnException, TypeError, ValueError, KeyError) as error:
        raise _rejected(400, error) from error
    if get_store().identity.passkey(verified.credential_id) is not None:
        raise ApiError(409, "passkey_exists", "this passkey is already registered")
    return NewPasskey(
        verified.credential_id, verified.credential_public_key, verified.sign_count
    )


def authentication_options() -> dict[str, Any]:
    options = generate_authentication_options(
        rp_id=_config().rp_id, user_verification=UserVerificationRequirement.REQUIRED
    )
    challenge_id = _issue("authenticate", "", options.challenge)
    return {"challenge_id": challenge_id, "publicKey": json.loads(options_to_json(options))}


def verify_authentication(body: dict[str, Any]) -> dict[str, Any]:
    """The stored passkey row that signed this assertion, its sign count updated."""
    challenge = _consume(body.get("challenge_id"), "authenticate")
    credential = body.get("credential")
    identity = get_store().identity
    passkey = identity.passkey(credential_id_of(credential))
    if passkey is None:
        raise ApiError(401, "unknown_passkey", "this passkey is not registered here")
    config = _config()
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge["challenge"],
            expected_rp_id=config.rp_id,
            expected_origin=config.public_origin,
            credential_public_key=passkey["public_key"],
            credential_current_sign_count=passkey["sign_count"],
            require_user_verification=True,
        )
    except (WebAuthnException, TypeError, ValueError, KeyError) as error:
        raise _rejected(401, error) from error
    identity.record_passkey_use(passkey["credential_id"], verified.new_sign_count, time.time())
    return passkey
