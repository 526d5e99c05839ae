"""How identity rows are shown to the browser (JSON), with bytes as base64url."""

from __future__ import annotations

from typing import Any

from flask import current_app

from api.http.inputs import b64_encode


def settings_view() -> dict[str, Any]:
    """What the UI needs to know about this server's policies."""
    config = current_app.config["PARAVENT"]
    return {"idle_lock_seconds": config.idle_lock_seconds, "max_file_bytes": config.max_file_bytes}


def user_view(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": user["id"],
        "organization_id": user["organization_id"],
        "display_name": user["display_name"],
        "email": user["email"],
        "site": user["site"],
        "profile": user["profile"],
        "revoked": user["revoked_at"] is not None,
    }


def organization_view(organization: dict[str, Any]) -> dict[str, Any]:
    """The organization as the server knows it. Clients take the root key from their own key
    bundle or invitation link, never from here alone."""
    return {
        "organization_id": organization["id"],
        "name": organization["name"],
        "root_verify_key": b64_encode(organization["root_verify_key"]),
    }


def passkey_view(passkey: dict[str, Any]) -> dict[str, Any]:
    return {
        "passkey_id": b64_encode(passkey["credential_id"]),
        "name": passkey["name"],
        "created_at": passkey["created_at"],
        "last_used_at": passkey["last_used_at"],
    }
