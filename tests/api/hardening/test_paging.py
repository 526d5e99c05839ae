"""Lists that grow without bound are paged: `limit` rows at a time, and `next` to ask for the
following page, until it is null; every row comes once, in the unpaged order."""

from __future__ import annotations

import pytest

from tests.api.workspaces.conftest import new_document_id

ROWS = 5
DOSSIER = {"title": "Dossier"}
DOSSIER_ID = "d-" + "3" * 24


def _walk(client, path, field, limit):
    rows, cursor, pages = [], None, 0
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, query_string=query)
        assert response.status_code == 200, response.json
        assert len(response.json[field]) <= limit
        rows += response.json[field]
        pages += 1
        cursor = response.json["next"]
        if cursor is None:
            return rows, pages


def _fill(organization, workspace, what):
    """Adds ROWS rows to a list; (its path, its field, the key naming a row)."""
    owner = workspace.owner
    base = workspace.url
    if what == "invitations":
        for n in range(ROWS):
            organization.invite(email=f"p{n}@chu.example")
        return "/api/invitations", "invitations", "invitation_id"
    if what == "documents":
        for _ in range(ROWS):
            assert workspace.put(owner, new_document_id(), 1, DOSSIER).status_code == 201
        return f"{base}/documents", "documents", "document_id"
    if what == "versions":
        document_id = new_document_id()
        for version in range(1, ROWS + 1):
            assert workspace.put(owner, document_id, version, DOSSIER).status_code == 201
        return f"{base}/documents/{document_id}/versions", "versions", "version"
    if what == "log":
        for n in range(ROWS):
            assert owner.person.client.post(f"{base}/log", json=workspace.entry(
                owner, "comment", content={"dossier_id": DOSSIER_ID, "text": f"Avis {n}"})
            ).status_code == 201
        return f"{base}/log", "entries", "seq"
    for _ in range(ROWS - 1):
        organization.member()
    return "/api/directory", "users", "user_id"


@pytest.mark.parametrize("what", ["invitations", "documents", "versions", "log", "directory"])
def test_paging_walks_every_row_once(organization, workspace, what):
    path, field, key = _fill(organization, workspace, what)
    client = workspace.owner.person.client
    everything = client.get(path).json
    assert everything["next"] is None
    rows, pages = _walk(client, path, field, limit=2)
    assert pages >= 3
    assert [row[key] for row in rows] == [row[key] for row in everything[field]]
    assert len({row[key] for row in rows}) == len(rows) >= ROWS


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 1001}, {"limit": "x"},
                                   {"cursor": "not-a-cursor"}, {"cursor": "WyJhIl0"}])
def test_paging_bad_limit_or_cursor_is_400(organization, query):
    organization.invite()
    response = organization.admin.client.get("/api/invitations", query_string=query)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
