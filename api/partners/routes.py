"""The administrators' partner sites: list, register, rename, link to their partner space,
attach and detach contacts, remove.

The server keeps a site's name in clear, as it keeps each user's site in their certificate:
it names an institution, never a patient. Leaving follows the trust model, which the browser
carries out and the server checks: a contact is detached only once they are out of the site's
space (their removal rotated its key, in its history), and a site is removed only once every
contact of it is revoked (a signed revocation, through `/api/users/<id>/revoke`).
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from flask import Blueprint, Response, jsonify

from api.http.errors import ApiError
from api.http.inputs import json_body, text
from api.identity.sessions import admin_required, current_user
from api.storage.pool import get_store
from api.workspaces.access import membership

blueprint = Blueprint("partners", __name__)

SITE_ID = re.compile(r"^p-[0-9a-f]{24}$")
MAX_NAME = 120


def _site_view(site: dict[str, Any]) -> dict[str, Any]:
    contacts = get_store().partners.contacts(site["id"])
    return {
        "id": site["id"], "name": site["name"], "workspace_id": site["workspace_id"],
        "created_at": site["created_at"],
        "contacts": [{"user_id": c["user_id"], "added_at": c["added_at"],
                      "revoked": c["revoked_at"] is not None} for c in contacts],
    }


def _own_site(site_id: str) -> dict[str, Any]:
    """The site of the signed-in admin's organization, or 404."""
    site = get_store().partners.site(site_id) if SITE_ID.match(site_id) else None
    if site is None or site["organization_id"] != current_user()["organization_id"]:
        raise ApiError(404, "not_found", "no such partner site")
    return site


def _name(body: dict[str, Any], organization_id: str, site_id: str | None = None) -> str:
    name = text(body, "name", max_length=MAX_NAME)
    for other in get_store().partners.sites_of(organization_id):
        if other["id"] != site_id and other["name"].casefold() == name.casefold():
            raise ApiError(409, "name_taken", "a partner site already has this name")
    return name


@blueprint.get("/api/partner-sites")
@admin_required
def list_sites() -> Response:
    sites = get_store().partners.sites_of(current_user()["organization_id"])
    return jsonify({"sites": [_site_view(site) for site in sites]})


@blueprint.post("/api/partner-sites")
@admin_required
def create_site() -> Response:
    admin = current_user()
    site = {"id": f"p-{secrets.token_hex(12)}", "organization_id": admin["organization_id"],
            "name": _name(json_body(), admin["organization_id"]), "workspace_id": None,
            "created_by": admin["id"], "created_at": time.time(), "removed_at": None}
    get_store().partners.add_site(site)
    return jsonify(_site_view(site)), 201


@blueprint.patch("/api/partner-sites/<site_id>")
@admin_required
def rename_site(site_id: str) -> Response:
    site = _own_site(site_id)
    name = _name(json_body(), site["organization_id"], site_id)
    get_store().partners.update_site(site_id, name=name)
    return jsonify(_site_view(site | {"name": name}))


@blueprint.put("/api/partner-sites/<site_id>/space")
@admin_required
def link_space(site_id: str) -> Response:
    """The partner space serving the site: a workspace the admin manages or owns."""
    site = _own_site(site_id)
    workspace_id = text(json_body(), "workspace_id")
    membership(workspace_id, "manager")
    get_store().partners.update_site(site_id, workspace_id=workspace_id)
    return jsonify(_site_view(site | {"workspace_id": workspace_id}))


@blueprint.post("/api/partner-sites/<site_id>/contacts")
@admin_required
def attach_contact(site_id: str) -> Response:
    site = _own_site(site_id)
    store = get_store()
    contact = store.identity.user(text(json_body(), "user_id"))
    if contact is None or contact["organization_id"] != site["organization_id"]:
        raise ApiError(404, "not_found", "no such user in your organization")
    if contact["profile"] != "external":
        raise ApiError(409, "not_external", "a partner site's contacts have the external profile")
    if contact["revoked_at"] is not None:
        raise ApiError(409, "contact_revoked", "this user is revoked")
    if store.partners.site_of_contact(contact["id"]) is not None:
        raise ApiError(409, "already_attached", "this contact already belongs to a partner site")
    store.partners.add_contact(site_id, contact["id"], time.time())
    return jsonify(_site_view(site)), 201


@blueprint.delete("/api/partner-sites/<site_id>/contacts/<user_id>")
@admin_required
def detach_contact(site_id: str, user_id: str) -> Response:
    site = _own_site(site_id)
    store = get_store()
    if site["workspace_id"] and store.workspaces.membership(site["workspace_id"], user_id):
        raise ApiError(409, "still_a_member",
                       "remove the contact from the site's space first (its key then changes)")
    if not store.partners.remove_contact(site_id, user_id):
        raise ApiError(404, "not_found", "this user is not a contact of this site")
    return jsonify(_site_view(site))


@blueprint.delete("/api/partner-sites/<site_id>")
@admin_required
def remove_site(site_id: str) -> Response:
    _own_site(site_id)
    if any(c["revoked_at"] is None for c in get_store().partners.contacts(site_id)):
        raise ApiError(409, "contacts_active",
                       "revoke every contact of this site before removing it")
    get_store().partners.update_site(site_id, removed_at=time.time())
    return jsonify({"removed": site_id})
