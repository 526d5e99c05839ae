"""Reading and setting sharing policies: the organization's (any signed-in user reads it, its
administrators set it) and a workspace's (its members read it with the effective policy, its
owners set it)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, jsonify

from api.http.errors import ApiError
from api.http.inputs import flag, json_body, number_up_to
from api.identity.sessions import admin_required, current_user, login_required
from api.policies.rules import (
    EXTERNAL_FILES,
    LONGEST_MAX_DAYS,
    Policy,
    effective_policy,
    organization_policy,
    workspace_policy,
)
from api.storage.pool import get_store
from api.workspaces.access import membership

blueprint = Blueprint("policies", __name__)



def _external_files(body: dict[str, Any]) -> str:
    value = body.get("external_files", "download")
    if value not in EXTERNAL_FILES:
        raise ApiError(400, "bad_request",
                       f"'external_files' must be one of {', '.join(EXTERNAL_FILES)}")
    return value


def _policy_from(body: dict[str, Any]) -> Policy:
    max_days = number_up_to(body.get("max_days"), "max_days", LONGEST_MAX_DAYS)
    return Policy(links=flag(body, "links"), dropboxes=flag(body, "dropboxes"),
                  max_days=max_days, password_required=flag(body, "password_required"),
                  watermark_required=flag(body, "watermark_required"),
                  external_files=_external_files(body))


def _store_policy(scope_id: str, scope: str, policy: Policy, user: dict[str, Any]) -> None:
    get_store().policies.put({
        "scope_id": scope_id, "scope": scope, "organization_id": user["organization_id"],
        "links": int(policy.links), "dropboxes": int(policy.dropboxes),
        "max_days": policy.max_days, "password_required": int(policy.password_required),
        "watermark_required": int(policy.watermark_required),
        "external_files": policy.external_files,
        "updated_by": user["id"], "updated_at": time.time()})


@blueprint.get("/api/policy")
@login_required
def read_organization_policy() -> Response:
    organization_id = current_user()["organization_id"]
    return jsonify(organization_policy(get_store(), organization_id).view())


@blueprint.put("/api/policy")
@admin_required
def set_organization_policy() -> Response:
    user = current_user()
    policy = _policy_from(json_body())
    _store_policy(user["organization_id"], "organization", policy, user)
    return jsonify(policy.view())


def _workspace_view(workspace_id: str, organization_id: str) -> dict[str, Any]:
    store = get_store()
    return {"organization": organization_policy(store, organization_id).view(),
            "workspace": workspace_policy(store, workspace_id).view(),
            "effective": effective_policy(store, organization_id, workspace_id).view()}


@blueprint.get("/api/workspaces/<workspace_id>/policy")
def read_workspace_policy(workspace_id: str) -> Response:
    user, _ = membership(workspace_id)
    return jsonify(_workspace_view(workspace_id, user["organization_id"]))


@blueprint.put("/api/workspaces/<workspace_id>/policy")
def set_workspace_policy(workspace_id: str) -> Response:
    user, _ = membership(workspace_id, "owner")
    _store_policy(workspace_id, "workspace", _policy_from(json_body()), user)
    return jsonify(_workspace_view(workspace_id, user["organization_id"]))
