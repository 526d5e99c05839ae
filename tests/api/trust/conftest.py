"""A committee in one workspace: the admin (owner) and members of each role, each in their own
browser (the real server, each member's own crypto worker under CPython)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.identity.conftest import Organization, config, organization  # noqa: F401
from tests.member_browser import MemberBrowser

DOSSIER = {"patient_name": "Mme Jeanne Exemple", "urgency": "high", "requested_unit": "SSR"}


@dataclass
class Committee:
    organization: Organization
    workspace_id: str
    owner: MemberBrowser
    manager: MemberBrowser
    contributor: MemberBrowser
    reader: MemberBrowser

    def join(self, role: str) -> MemberBrowser:
        """One more member of the organization, added to the workspace with `role`."""
        person = MemberBrowser(self.organization.member())
        self.owner.verify_directory()
        self.owner.share(self.workspace_id, person.user_id, role)
        person.open(self.workspace_id)
        return person


@pytest.fixture
def committee(organization) -> Committee:  # noqa: F811
    owner = MemberBrowser(organization.admin)
    people = [MemberBrowser(organization.member()) for _ in range(3)]
    owner.verify_directory()
    workspace_id = owner.create_workspace("Commission SSR — Nord-Sud")
    owner.open(workspace_id)
    for person, role in zip(people, ("manager", "contributor", "reader"), strict=True):
        owner.share(workspace_id, person.user_id, role)
    for person in people:
        person.verify_directory()
        person.open(workspace_id)
    return Committee(organization, workspace_id, owner, *people)
