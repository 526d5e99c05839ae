"""Sharing policies through the real API: an administrator sets the organization's, an owner
tightens their workspace's, members read the effective one, and `check_link_allowed` (the check
every link and drop box creation goes through) refuses what they forbid, by name."""

from __future__ import annotations

import time

import pytest

from api.http.errors import ApiError
from api.policies.rules import DAY, check_link_allowed
from api.storage.pool import get_store
from tests.api.workspaces.conftest import (  # noqa: F401
    Workspace,
    config,
    organization,
    workspace,
)

OPEN = {"links": True, "dropboxes": True, "max_days": 30, "password_required": False,
        "watermark_required": False, "external_files": "download"}


def _check(workspace: Workspace, kind: str, days: float, password: bool,  # noqa: F811
           watermark: bool | None = None) -> None:
    with workspace.organization.app.app_context():
        check_link_allowed(get_store(), workspace.organization.organization_id,
                           workspace.workspace_id, kind, time.time() + days * DAY, password,
                           watermark)


def test_defaults_allow_both_kinds_for_thirty_days(workspace):  # noqa: F811
    reply = workspace.owner.person.client.get(f"{workspace.url}/policy")
    assert reply.status_code == 200
    assert reply.json["effective"] == OPEN
    _check(workspace, "link", 29, password=False)
    _check(workspace, "dropbox", 1, password=False)


def test_admin_sets_the_organization_policy_and_it_binds_every_workspace(workspace):  # noqa: F811
    admin = workspace.organization.admin.client
    stricter = {**OPEN, "dropboxes": False, "max_days": 7, "password_required": True}
    assert admin.put("/api/policy", json=stricter).status_code == 200
    assert admin.get("/api/policy").json == stricter
    assert workspace.owner.person.client.get(f"{workspace.url}/policy").json["effective"] == \
        stricter
    for kind, days, password, words in [("dropbox", 1, True, "does not allow drop boxes"),
                                        ("link", 8, True, "at most 7 days"),
                                        ("link", 1, False, "requires a password")]:
        with pytest.raises(ApiError) as refused:
            _check(workspace, kind, days, password)
        assert refused.value.status == 403 and refused.value.code == "policy_forbids"
        assert words in refused.value.message
    _check(workspace, "link", 6.9, password=True)


def test_an_owner_tightens_but_cannot_loosen_their_workspace(workspace):  # noqa: F811
    admin = workspace.organization.admin.client
    assert admin.put("/api/policy", json={**OPEN, "max_days": 10}).status_code == 200
    owner = workspace.owner.person.client
    loose = {**OPEN, "max_days": 90, "links": False, "watermark_required": True,
             "external_files": "preview_only"}
    reply = owner.put(f"{workspace.url}/policy", json=loose)
    assert reply.status_code == 200, reply.json
    assert reply.json["effective"] == {**OPEN, "max_days": 10, "links": False,
                                       "watermark_required": True,
                                       "external_files": "preview_only"}
    assert admin.put("/api/policy", json={**OPEN, "external_files": "download_watermarked"}
                     ).status_code == 200
    effective = owner.get(f"{workspace.url}/policy").json["effective"]
    assert effective["external_files"] == "preview_only"  # the stricter of the two
    with pytest.raises(ApiError, match="does not allow download links"):
        _check(workspace, "link", 1, password=True)
    with pytest.raises(ApiError, match="requires a watermark"):
        _check(workspace, "dropbox", 1, password=False, watermark=False)
    _check(workspace, "dropbox", 1, password=False, watermark=None)


def test_only_admins_and_owners_set_policies(workspace):  # noqa: F811
    reader = workspace.add("reader")
    manager = workspace.add("manager")
    assert reader.person.client.put("/api/policy", json=OPEN).status_code == 403
    for member in (reader, manager):
        assert member.person.client.put(f"{workspace.url}/policy", json=OPEN).status_code == 403
        assert member.person.client.get(f"{workspace.url}/policy").status_code == 200


@pytest.mark.parametrize("change", [{"max_days": 0}, {"max_days": 366}, {"links": 1},
                                    {"password_required": None}, {"max_days": True},
                                    {"external_files": "print"}])
def test_bad_policies_are_refused(workspace, change):  # noqa: F811
    reply = workspace.owner.person.client.put(f"{workspace.url}/policy",
                                              json={**OPEN, **change})
    assert reply.status_code == 400
    assert reply.json["error"]["code"] == "bad_request"


def test_past_expiry_and_unknown_kind_are_bad_requests(workspace):  # noqa: F811
    for kind, days in [("link", -1), ("folder", 1)]:
        with pytest.raises(ApiError) as refused:
            _check(workspace, kind, days, password=True)
        assert refused.value.status == 400
