"""Invitations: an admin invites a person; the invitee registers a passkey and keys; after both
confirm the SAS codes (see invitation_channel.py), the admin's certificate creates the user.

States: pending -> registered (invitee has a passkey and keys) -> completed (certificate filed)
-> finished (invitee signed in); or cancelled at any point before completion. Links are one-time
and expire. While an invitation is open (pending or registered) the admin lists it with where it
stands (the invitee opened the link or not, codes to check), may send a new link (the old one
stops working) or cancel it; an invitee who left before the codes were checked restarts from
their link (registered -> pending: new passkey, new keys, nothing certified yet); a code check
that fails counts as a try, and only the last of `CODE_TRIES` cancels (invitation_channel.py).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, choice, json_body, optional_blob, text
from api.http.paging import paged
from api.identity import ceremonies
from api.identity.certificate_checks import checked_certificate
from api.identity.sessions import admin_required, current_user, start_session
from api.identity.views import organization_view, settings_view, user_view
from api.limits.identity_limits import rate_limited
from api.realtime.channel import notify_invitation
from api.storage.pool import get_store
from pycrypto_wasm.identity.certificates import PROFILES, UserCertificate

blueprint = Blueprint("invitations", __name__)

OPEN = ("pending", "registered")
# Code checks per invitation: each failed one starts a fresh exchange, the last one cancels.
CODE_TRIES = 3
_CLAIMER_KEYS = ("claimer_verify_key", "claimer_public_key", "claimer_credential_id",
                 "claimer_credential_key", "claimer_sign_count", "claimer_wrapped_bundle",
                 "claimer_recovery_token_hash", "claimer_recovery_bundle")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_view(invitation: dict[str, Any]) -> dict[str, Any]:
    return {
        "invitation_id": invitation["id"],
        "display_name": invitation["display_name"],
        "email": invitation["email"],
        "site": invitation["site"],
        "profile": invitation["profile"],
        "status": invitation["status"],
        "created_at": invitation["created_at"],
        "opened_at": invitation["opened_at"],
        "tries_left": max(CODE_TRIES - invitation["failed_checks"], 0),
        "expires_at": invitation["expires_at"],
        "invited_by": invitation["invited_by"],
        "claimer_verify_key": b64_encode(invitation["claimer_verify_key"])
        if invitation["claimer_verify_key"] else None,
        "claimer_public_key": b64_encode(invitation["claimer_public_key"])
        if invitation["claimer_public_key"] else None,
        "claimer_user_id": invitation["claimer_user_id"],
    }


def _admins_invitation(invitation_id: str) -> dict[str, Any]:
    invitation = get_store().identity.invitation(invitation_id)
    if invitation is None or invitation["organization_id"] != current_user()["organization_id"]:
        raise ApiError(404, "not_found", "no such invitation")
    return invitation


def open_invitation(token: str, *statuses: str) -> dict[str, Any]:
    """The invitation behind a link, if it is in one of `statuses` and not expired."""
    invitation = get_store().identity.invitation_by_token(_hash(token))
    if invitation is None:
        raise ApiError(404, "unknown_invitation", "this invitation link is not valid")
    if invitation["status"] == "cancelled":
        raise ApiError(410, "invitation_cancelled", "this invitation was cancelled")
    if invitation["expires_at"] < time.time():
        raise ApiError(410, "invitation_expired", "this invitation has expired; ask for a new one")
    if invitation["status"] not in statuses:
        raise ApiError(409, "invitation_used", "this invitation was already used")
    return invitation


@blueprint.post("/api/invitations")
@admin_required
@rate_limited("invitations")
def create_invitation() -> Response:
    admin = current_user()
    body = json_body()
    token = secrets.token_urlsafe(32)
    now = time.time()
    invitation = {
        "id": f"i-{secrets.token_hex(12)}",
        "organization_id": admin["organization_id"],
        "token_hash": _hash(token),
        "invited_by": admin["id"],
        "display_name": text(body, "display_name"),
        "email": text(body, "email"),
        "site": text(body, "site"),
        "profile": choice(body, "profile", PROFILES),
        "status": "pending",
        "created_at": now,
        "expires_at": now + current_app.config["PARAVENT"].invitation_seconds,
    }
    get_store().identity.add_invitation(invitation)
    full = get_store().identity.invitation(invitation["id"])
    return jsonify({"invitation": invitation_view(full), "token": token}), 201


@blueprint.get("/api/invitations")
@admin_required
def list_invitations() -> Response:
    """Every invitation of the organization, or with `?state=open` those still open."""
    state = request.args.get("state", "all")
    if state not in ("all", "open"):
        raise ApiError(400, "bad_request", "state must be 'all' or 'open'")
    rows = get_store().identity.invitations_of(current_user()["organization_id"],
                                               OPEN if state == "open" else ())
    page = paged(rows, key=lambda row: (-row["created_at"], row["id"]))
    return jsonify({"invitations": [invitation_view(row) for row in page.rows],
                    "next": page.next})


@blueprint.get("/api/invitations/<invitation_id>")
@admin_required
def get_invitation(invitation_id: str) -> Response:
    return jsonify({"invitation": invitation_view(_admins_invitation(invitation_id))})


@blueprint.post("/api/invitations/<invitation_id>/resend")
@admin_required
@rate_limited("invitations")
def resend_invitation(invitation_id: str) -> Response:
    """A new link for an open invitation, valid for a full period again; the old link stops
    working, and a page still open on it is told so."""
    _admins_invitation(invitation_id)
    token = secrets.token_urlsafe(32)
    expires_at = time.time() + current_app.config["PARAVENT"].invitation_seconds
    if not get_store().identity.replace_invitation_link(invitation_id, _hash(token), expires_at,
                                                        OPEN):
        raise ApiError(409, "invitation_used", "this invitation is no longer open")
    notify_invitation(current_app, invitation_id, "invitation:resent", {})
    invitation = get_store().identity.invitation(invitation_id)
    return jsonify({"invitation": invitation_view(invitation), "token": token})


@blueprint.delete("/api/invitations/<invitation_id>")
@admin_required
def cancel_invitation(invitation_id: str) -> Response:
    invitation = _admins_invitation(invitation_id)
    identity = get_store().identity
    if not any(
        identity.update_invitation(invitation_id, status, status="cancelled")
        for status in ("pending", "registered")
    ):
        raise ApiError(409, "invitation_used", "this invitation can no longer be cancelled")
    notify_invitation(current_app, invitation["id"], "invitation:aborted",
                      {"reason": "cancelled by the administrator"})
    return jsonify({"cancelled": True})


@blueprint.post("/api/invitations/<invitation_id>/complete")
@admin_required
def complete_invitation(invitation_id: str) -> Response:
    """File the certificate the admin signed after the SAS check, creating the user."""
    admin = current_user()
    invitation = _admins_invitation(invitation_id)
    if invitation["status"] != "registered":
        raise ApiError(409, "invitation_not_ready", "the invitee has not registered a passkey yet")
    if invitation["expires_at"] < time.time():
        raise ApiError(410, "invitation_expired", "this invitation has expired; ask for a new one")
    signed = blob(json_body(), "certificate")
    certificate = checked_certificate(
        signed, signer_key=UserCertificate.peek(admin["certificate"]).verify_key,
        organization=admin["organization_id"], user_id=invitation["claimer_user_id"],
        signed_by=admin["id"], profile=invitation["profile"],
    )
    if (certificate.verify_key, certificate.public_key) != (
        invitation["claimer_verify_key"], invitation["claimer_public_key"]
    ):
        raise ApiError(400, "invalid_certificate", "the certificate names other keys")
    now = time.time()
    completed = get_store().identity.complete_invitation(
        invitation_id,
        user={
            "id": certificate.user_id, "organization_id": certificate.organization,
            "display_name": certificate.display_name, "email": certificate.email,
            "site": certificate.site, "profile": certificate.profile, "certificate": signed,
            "recovery_token_hash": invitation["claimer_recovery_token_hash"],
            "recovery_bundle": invitation["claimer_recovery_bundle"], "created_at": now,
        },
        passkey={
            "credential_id": invitation["claimer_credential_id"],
            "user_id": certificate.user_id, "public_key": invitation["claimer_credential_key"],
            "sign_count": invitation["claimer_sign_count"], "name": "Passkey",
            "wrapped_bundle": invitation["claimer_wrapped_bundle"], "created_at": now,
        },
    )
    if not completed:
        raise ApiError(409, "invitation_not_ready", "the invitation changed meanwhile")
    notify_invitation(current_app, invitation_id, "invitation:completed", {})
    return jsonify({"user_id": certificate.user_id})


@blueprint.get("/api/join/<token>")
@rate_limited("join")
def join_info(token: str) -> Response:
    invitation = open_invitation(token, "pending", "registered", "completed")
    if get_store().identity.mark_invitation_opened(invitation["id"], time.time()):
        notify_invitation(current_app, invitation["id"], "invitation:opened", {})
    organization = get_store().identity.organization(invitation["organization_id"])
    return jsonify({"invitation": invitation_view(invitation),
                    "organization": organization_view(organization)})


@blueprint.post("/api/join/<token>/options")
@rate_limited("join")
def join_options(token: str) -> Response:
    invitation = open_invitation(token, "pending")
    user_id = invitation["claimer_user_id"] or f"u-{secrets.token_hex(12)}"
    get_store().identity.update_invitation(invitation["id"], "pending", claimer_user_id=user_id)
    options = ceremonies.registration_options(
        purpose="join", user_id=user_id, user_name=invitation["email"],
        display_name=invitation["display_name"],
    )
    return jsonify({**options, "user_id": user_id})


@blueprint.post("/api/join/<token>/register")
@rate_limited("join")
def join_register(token: str) -> Response:
    invitation = open_invitation(token, "pending")
    body = json_body()
    passkey = ceremonies.verify_registration(
        body, purpose="join", user_id=invitation["claimer_user_id"] or ""
    )
    registered = get_store().identity.update_invitation(
        invitation["id"], "pending", status="registered",
        claimer_verify_key=blob(body, "verify_key", size=32),
        claimer_public_key=blob(body, "public_key", size=32),
        claimer_credential_id=passkey.credential_id,
        claimer_credential_key=passkey.public_key, claimer_sign_count=passkey.sign_count,
        claimer_wrapped_bundle=optional_blob(body, "wrapped_bundle"),
        claimer_recovery_token_hash=blob(body, "recovery_token_digest", size=32).hex(),
        claimer_recovery_bundle=blob(body, "recovery_bundle"),
    )
    if not registered:
        raise ApiError(409, "invitation_used", "this invitation was already used")
    notify_invitation(current_app, invitation["id"], "invitation:registered", {})
    updated = get_store().identity.invitation(invitation["id"])
    return jsonify({"invitation": invitation_view(updated)})


@blueprint.post("/api/join/<token>/restart")
@rate_limited("join")
def join_restart(token: str) -> Response:
    """The invitee left before the codes were checked (their new keys left with the page):
    forget the passkey and keys they registered, nothing having been certified, so that they
    register again from the same link and the code check starts afresh."""
    invitation = open_invitation(token, "registered")
    if not get_store().identity.update_invitation(
        invitation["id"], "registered", status="pending", **dict.fromkeys(_CLAIMER_KEYS)
    ):
        raise ApiError(409, "invitation_used", "this invitation changed meanwhile")
    notify_invitation(current_app, invitation["id"], "invitation:restarted", {})
    return jsonify({"invitation": invitation_view(get_store().identity.invitation(
        invitation["id"]))})


@blueprint.post("/api/join/<token>/finish")
@rate_limited("join")
def join_finish(token: str) -> Response:
    """Sign the newly certified user in, once."""
    invitation = open_invitation(token, "completed")
    identity = get_store().identity
    if not identity.update_invitation(invitation["id"], "completed", status="finished"):
        raise ApiError(409, "invitation_used", "this invitation was already used")
    user = identity.user(invitation["claimer_user_id"])
    organization = identity.organization(user["organization_id"])
    response = jsonify({
        "user": user_view(user), "organization": organization_view(organization),
        "certificate": b64_encode(user["certificate"]), "settings": settings_view(),
    })
    start_session(response, user["id"])
    return response
