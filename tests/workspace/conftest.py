"""Two members' worker services (CPython) and a workspace the first one created."""

from __future__ import annotations

import pytest

from pycrypto_wasm.service import CryptoService
from tests.crypto.browsers import invite_newcomer, ok


@pytest.fixture
def team():
    admin = CryptoService()
    created = ok(admin.handle("identity.create_organization", {
        "organization_id": "o-1", "user_id": "u-admin", "prf_output": bytes(32),
        "display_name": "Dr Admin", "email": "a@chu.example", "site": "Nord"}))
    member, _, certified = invite_newcomer(admin, created)
    certificate = ok(certified)["certificate"]
    ok(member.handle("invite.claimer_finish", {"certificate": certificate}))
    users = [{"user_id": "u-admin", "certificate": created["certificate"]},
             {"user_id": "u-new", "certificate": certificate}]
    for browser in (admin, member):
        ok(browser.handle("directory.verify", {"users": users}))
    workspace = ok(admin.handle("workspace.create", {"name": "Commission SSR"}))
    return admin, member, workspace


def listing(workspace, grants, version=1):
    return {"workspace_id": workspace["workspace_id"], "manifest": workspace["manifest"],
            "manifest_version": version, "grants": grants}


