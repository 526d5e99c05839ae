"""A deleted file the collector forgot after the retention period is not reported as withheld."""

from __future__ import annotations

import time

from api.workspaces.collection import collect_garbage
from tests.api.identity.conftest import config, organization  # noqa: F401
from tests.member_browser import MemberBrowser

DAY = 86400


def test_a_collected_deleted_file_is_not_reported_withheld(organization, config):  # noqa: F811
    owner = MemberBrowser(organization.admin)
    workspace_id = owner.create_workspace("Commission")
    owner.open(workspace_id)
    file_id = owner.upload(workspace_id, "bilan.pdf", b"scan" * 100)
    latest = owner.api("GET", f"/api/workspaces/{workspace_id}/documents?kind=file")["documents"][0]
    revised = owner.call("file.revise", workspace_id=workspace_id, document_id=file_id,
                         expected_version=1, source=latest, deleted=True)
    owner.api("PUT", f"/api/workspaces/{workspace_id}/documents/{file_id}", {
        "kind": "file", "expected_version": 1, "manifest": revised["manifest"],
        "block_ids": revised["block_ids"], "deleted": True, "log_entry": revised["log_entry"]})
    owner.read_log(workspace_id)
    assert owner.files(workspace_id)[file_id]["deleted"]
    collect_garbage(config, now=time.time() + config.deleted_file_retention_days * DAY + 60)
    assert owner.files(workspace_id) == {}
