"""Organization bootstrap: a one-time link lets the first admin create the organization.

The admin's browser generates the root key and the admin's keys, signs the admin certificate with
the root key and discards it; the server checks that certificate against the root verify key it
is given and stores everything in one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.http.errors import ApiError
from api.http.inputs import blob, json_body, optional_blob, text
from api.identity import ceremonies
from api.identity.certificate_checks import checked_certificate
from api.identity.sessions import start_session
from api.identity.views import organization_view, settings_view, user_view
from api.limits.identity_limits import rate_limited
from api.storage.identity import IdentityStore
from api.storage.pool import get_store

BOOTSTRAP_SECONDS = 24 * 3600
blueprint = Blueprint("bootstrap", __name__)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_bootstrap_link(identity: IdentityStore, organization_name: str, origin: str) -> str:
    """A fresh one-time link that lets its holder create `organization_name`."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    identity.add_bootstrap_token(_hash(token), organization_name, now, now + BOOTSTRAP_SECONDS)
    return f"{origin}/#/bootstrap/{token}"


def _open_token(token: str) -> dict[str, Any]:
    row = get_store().identity.bootstrap_token(_hash(token))
    if row is None:
        raise ApiError(404, "unknown_link", "this bootstrap link is not valid")
    if row["used_at"] is not None:
        raise ApiError(410, "link_used", "this bootstrap link was already used")
    if row["expires_at"] < time.time():
        raise ApiError(410, "link_expired", "this bootstrap link has expired; ask for a new one")
    return row


@blueprint.get("/api/bootstrap/<token>")
@rate_limited("bootstrap")
def bootstrap_info(token: str) -> Response:
    return jsonify({"organization_name": _open_token(token)["organization_name"]})


@blueprint.post("/api/bootstrap/<token>/options")
@rate_limited("bootstrap")
def bootstrap_options(token: str) -> Response:
    _open_token(token)
    body = json_body()
    user_id = f"u-{secrets.token_hex(12)}"
    options = ceremonies.registration_options(
        purpose="bootstrap", user_id=user_id, user_name=text(body, "email"),
        display_name=text(body, "display_name"),
    )
    return jsonify({**options, "user_id": user_id, "organization_id": f"o-{secrets.token_hex(12)}"})


@blueprint.post("/api/bootstrap/<token>/complete")
@rate_limited("bootstrap")
def bootstrap_complete(token: str) -> Response:
    row = _open_token(token)
    body = json_body()
    user_id, organization_id = text(body, "user_id"), text(body, "organization_id")
    root_verify_key = blob(body, "root_verify_key", size=32)
    if get_store().identity.organization(organization_id) is not None:
        raise ApiError(409, "conflict", "this organization id is already taken; start again")
    passkey = ceremonies.verify_registration(body, purpose="bootstrap", user_id=user_id)
    signed = blob(body, "certificate")
    certificate = checked_certificate(
        signed, signer_key=root_verify_key, organization=organization_id, user_id=user_id,
        signed_by="root", profile="admin",
    )
    now = time.time()
    admin = {
        "id": user_id,
        "organization_id": organization_id,
        "display_name": certificate.display_name,
        "email": certificate.email,
        "site": certificate.site,
        "profile": certificate.profile,
        "certificate": signed,
        "recovery_token_hash": blob(body, "recovery_token_digest", size=32).hex(),
        "recovery_bundle": blob(body, "recovery_bundle"),
        "created_at": now,
    }
    created = get_store().identity.create_organization(
        token_hash=_hash(token),
        organization={
            "id": organization_id, "name": row["organization_name"],
            "root_verify_key": root_verify_key, "created_at": now,
        },
        admin=admin,
        passkey={
            "credential_id": passkey.credential_id, "user_id": user_id,
            "public_key": passkey.public_key, "sign_count": passkey.sign_count,
            "name": text(body, "passkey_name"),
            "wrapped_bundle": optional_blob(body, "wrapped_bundle"),
            "created_at": now,
        },
        now=now,
    )
    if not created:
        raise ApiError(410, "link_used", "this bootstrap link was already used")
    organization = get_store().identity.organization(organization_id)
    response = jsonify({"user": user_view(admin | {"revoked_at": None}),
                        "organization": organization_view(organization),
                        "settings": settings_view()})
    start_session(response, user_id)
    current_app.logger.info("organization %s bootstrapped", organization_id)
    return response
