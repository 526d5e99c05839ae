"""Lists that grow without bound are paged: `limit` rows at a time, and `next` to ask for the
following page, until it is null; every row comes once, in the unpaged order. The page reads each
list whole through web/api.js `allPages`, run here in Node against the real server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from api.identity.sessions import COOKIE
from e2e.harness.server import serving_in_thread
from tests.api.workspaces.conftest import new_document_id

ROWS = 5
DOSSIER = {"title": "Dossier"}
DOSSIER_ID = "d-" + "3" * 24


ROOT = Path(__file__).resolve().parents[3]
LISTS = ["invitations", "documents", "versions", "log", "directory"]
# web/api.js `allPages` in Node, its fetch sent to the server at argv[1] with the session cookie.
_ALL_PAGES_IN_NODE = """
const [origin, cookie, path, field] = process.argv.slice(1);
const serverFetch = globalThis.fetch;
const asked = [];
globalThis.fetch = (url, init) => {
  asked.push(url);
  return serverFetch(new URL(url, origin), { ...init, headers: { ...init.headers, cookie } });
};
const { allPages } = await import('./web/api.js');
console.log(JSON.stringify({ listing: await allPages(path, field), asked }));
"""


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


@pytest.mark.parametrize("what", LISTS)
def test_paging_walks_every_row_once(organization, workspace, what):
    path, field, key = _fill(organization, workspace, what)
    client = workspace.owner.person.client
    everything = client.get(path).json
    assert everything["next"] is None
    rows, pages = _walk(client, path, field, limit=2)
    assert pages >= 3
    assert [row[key] for row in rows] == [row[key] for row in everything[field]]
    assert len({row[key] for row in rows}) == len(rows) >= ROWS


@pytest.mark.parametrize("what", LISTS)
def test_the_pages_helper_reads_a_list_of_several_pages_whole(organization, workspace, what):
    path, field, key = _fill(organization, workspace, what)
    client = workspace.owner.person.client
    everything = client.get(path).json[field]
    cookie = f"{COOKIE}={client.get_cookie(COOKIE).value}"
    with serving_in_thread(client.application) as port:
        completed = subprocess.run(
            ["node", "--input-type=module", "-e", _ALL_PAGES_IN_NODE,
             f"http://127.0.0.1:{port}", cookie, f"{path}?limit=2", field],
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    read = json.loads(completed.stdout)
    assert [row[key] for row in read["listing"][field]] == [row[key] for row in everything]
    assert len(everything) >= ROWS
    assert read["listing"]["next"] is None
    assert len(read["asked"]) == (len(everything) + 1) // 2


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 1001}, {"limit": "x"},
                                   {"cursor": "not-a-cursor"}, {"cursor": "WyJhIl0"}])
def test_paging_bad_limit_or_cursor_is_400(organization, query):
    organization.invite()
    response = organization.admin.client.get("/api/invitations", query_string=query)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
