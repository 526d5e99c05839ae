"""One organization with a workspace and every kind of actor the authorization matrix asks
about, built once per test module through the real API (soft authenticators, real invitations,
a real revocation and a real removal), plus another organization with its admin and a member.

Actors, in the matrix's order: anonymous, outsider (signed in, not a member), reader,
contributor, manager, owner (also the organization's first admin), org_admin (an administrator
who is not a member), revoked (was a reader, then revoked), removed (was a reader, then
removed), other_admin and other_member (of another organization).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import Flask

from api import create_app
from api.config import REPO_ROOT, Config
from tests.api.conftest import FAKE_ASSETS, make_static
from tests.api.identity.conftest import Organization, Person, bootstrap
from tests.api.workspaces.conftest import Workspace, create_workspace, new_document_id

ACTORS = ("anonymous", "outsider", "reader", "contributor", "manager", "owner", "org_admin",
          "revoked", "removed", "other_admin", "other_member")
GENEROUS = 100_000


@dataclass
class World:
    app: Flask
    organization: Organization
    other: Organization
    workspace: Workspace
    people: dict[str, Person]
    dossier_id: str
    invitation_token: str
    invitation_id: str
    partner_site_id: str
    drop_link_id: str = ""

    def fresh_invitation(self) -> tuple[str, str]:
        """A new pending invitation: (token, id), for cells that would use one up."""
        return self.organization.invite(email=f"{secrets.token_hex(4)}@chu.example")

    def fresh_partner_site(self) -> str:
        """A new partner site's id, for cells that would remove one."""
        return new_partner_site(self.organization)


def new_partner_site(organization: Organization) -> str:
    reply = organization.admin.client.post(
        "/api/partner-sites", json={"name": f"Maternité {secrets.token_hex(4)}"})
    assert reply.status_code == 201
    return reply.get_json()["id"]


def new_drop_link(workspace: Workspace) -> str:
    """A drop link of the workspace (its sealed parts stand-ins: the server cannot open them)."""
    link_id = f"l-{secrets.token_hex(12)}"
    reply = workspace.owner.person.client.post(f"{workspace.url}/dropboxes", json={
        "link_id": link_id, "verify_key": "A" * 43, "link_info": "AQ", "descriptor": "AQ",
        "expires_at": int(time.time()) + 86400, "max_files": 1, "max_file_bytes": 1024})
    assert reply.status_code == 201, reply.get_json()
    return link_id


def matrix_config(folder: Path, database: str | None = None) -> Config:
    """Limits high enough that the matrix meets none; SQLite in `folder` unless `database`."""
    return replace(
        Config(data_dir=folder / "data", web_dir=REPO_ROOT / "web",
               static_dir=make_static(folder / "static", FAKE_ASSETS), database=database),
        ceremony_requests_per_minute=GENEROUS, workspace_creations_per_minute=GENEROUS,
        document_writes_per_minute=GENEROUS, log_writes_per_minute=GENEROUS,
        block_uploads_per_minute=GENEROUS, presence_events_per_minute=GENEROUS,
        drop_requests_per_minute=GENEROUS)


def build_world(folder: Path, database: str | None = None) -> World:
    app = create_app(matrix_config(folder, database))
    organization = bootstrap(app)
    workspace = create_workspace(organization)
    members = {role: workspace.add(role) for role in ("reader", "contributor", "manager")}
    revoked, removed = workspace.add("reader"), workspace.add("reader")
    assert workspace.unshare(removed).status_code == 200
    assert organization.revoke(revoked.person).status_code == 200
    dossier_id = new_document_id()
    owner = workspace.owner
    assert workspace.put(owner, dossier_id, 1, {"title": "Dossier"}).status_code == 201
    assert owner.person.client.post(f"{workspace.url}/log", json=workspace.entry(
        owner, "comment", content={"dossier_id": dossier_id, "text": "Avis"})).status_code == 201
    other = bootstrap(app, "CHU Autre")
    people: dict[str, Any] = {
        "anonymous": organization.person(), "outsider": organization.member(),
        **{role: member.person for role, member in members.items()},
        "owner": organization.admin, "org_admin": organization.member("admin"),
        "revoked": revoked.person, "removed": removed.person,
        "other_admin": other.admin, "other_member": other.member(),
    }
    token, invitation_id = organization.invite(email="matrix@chu.example")
    return World(app, organization, other, workspace, people, dossier_id, token, invitation_id,
                 new_partner_site(organization), new_drop_link(workspace))
