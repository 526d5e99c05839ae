"""Lists longer than one page are read whole: a dossier or file the server lists on a later page
is shown, not reported as withheld by the server. The real server pages at 2 rows here (its
default page size lowered) so that a few documents make several pages."""

from __future__ import annotations

import pytest

import api.http.paging
from tests.api.identity.conftest import config, organization  # noqa: F401
from tests.member_browser import MemberBrowser

PAGE_SIZE = 2
DOCUMENTS = 5


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.http.paging, "DEFAULT_LIMIT", PAGE_SIZE)


def test_dossiers_and_files_past_the_first_page_are_shown_not_withheld(
        organization, small_pages):  # noqa: F811
    owner = MemberBrowser(organization.admin)
    reader = MemberBrowser(organization.member())
    workspace_id = owner.create_workspace("Commission")
    owner.open(workspace_id)
    owner.share(workspace_id, reader.user_id, "reader")
    titles = {owner.save_dossier(workspace_id, {"patient_name": f"Patient {n}"})["document_id"]:
              f"Patient {n}" for n in range(DOCUMENTS)}
    names = {owner.upload(workspace_id, f"bilan-{n}.pdf", b"scan" * 100): f"bilan-{n}.pdf"
             for n in range(DOCUMENTS)}
    reader.open(workspace_id)

    dossiers = reader.dossiers(workspace_id)
    files = reader.files(workspace_id)

    assert [dossier.get("problem") for dossier in dossiers.values()] == [None] * DOCUMENTS
    assert {key: dossier["fields"]["patient_name"] for key, dossier in dossiers.items()} == titles
    assert [file.get("problem") for file in files.values()] == [None] * DOCUMENTS
    assert {key: file["name"] for key, file in files.items()} == names
