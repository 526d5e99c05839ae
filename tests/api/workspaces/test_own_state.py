"""Each member's own state through the real API (`/api/workspaces/<w>/my-state`): sealed by the
member's worker (their read markers), stored as version N + 1 only on top of N, served to that
member only, strict about its input, and opaque at rest: which dossier they read is nowhere in
the database."""

from __future__ import annotations

import dataclasses

import pytest

from api.config import Config
from api.workspaces.own_state import MAX_STATE_BYTES
from pycrypto_wasm.service.params import from_b64, to_b64
from pycrypto_wasm.workspace.own_state import OwnState, open_state, seal_state, state_key
from tests.api.conftest import database_of

DOSSIER_ID = "d-" + "7" * 24
TOO_BIG = 2**63


@pytest.fixture
def config(config: Config) -> Config:
    """Room in a request for a state past the size limit, to see it refused as such."""
    return dataclasses.replace(config, max_request_bytes=2 * MAX_STATE_BYTES)


def _sealed(workspace, member, version: int, markers: dict[str, int]) -> dict:
    """What `member`'s worker writes: version `version` of their state, sealed for them."""
    bundle = member.person.bundle
    state = seal_state(state_key(bundle.encryption_seed), OwnState(version, markers),
                       organization=bundle.organization, workspace=workspace.workspace_id,
                       user_id=bundle.user_id)
    return {"version": version, "state": to_b64(state)}


def _read(workspace, member):
    return member.person.client.get(f"{workspace.url}/my-state")


def _write(workspace, member, body):
    return member.person.client.put(f"{workspace.url}/my-state", json=body)


def _opened(workspace, member) -> OwnState:
    served = _read(workspace, member).json
    bundle = member.person.bundle
    return open_state(state_key(bundle.encryption_seed), from_b64(served["state"], "state"),
                      version=served["version"], organization=bundle.organization,
                      workspace=workspace.workspace_id, user_id=bundle.user_id)


def test_own_state_member_writes_and_reads_back_own_state_only(workspace):
    reader = workspace.add("reader")
    assert _read(workspace, reader).json == {"version": 0, "state": None, "updated_at": None}
    assert _write(workspace, reader, _sealed(workspace, reader, 1, {DOSSIER_ID: 4})).json == {
        "version": 1}
    assert _write(workspace, reader, _sealed(workspace, reader, 2, {DOSSIER_ID: 9})).status_code \
        == 200
    assert _opened(workspace, reader) == OwnState(2, {DOSSIER_ID: 9})
    assert _read(workspace, reader).json["updated_at"] > 0
    assert _read(workspace, workspace.owner).json["version"] == 0


def test_own_state_stale_version_is_409_and_keeps_the_stored_one(workspace):
    owner = workspace.owner
    assert _write(workspace, owner, _sealed(workspace, owner, 1, {DOSSIER_ID: 3})).status_code \
        == 200
    for version in (1, 3):
        stale = _write(workspace, owner, _sealed(workspace, owner, version, {DOSSIER_ID: 8}))
        assert (stale.status_code, stale.json["error"]["code"]) == (409, "stale_state")
        assert "version 1" in stale.json["error"]["message"]
    assert _opened(workspace, owner) == OwnState(1, {DOSSIER_ID: 3})


def test_own_state_outsiders_and_removed_members_get_404(workspace, organization):
    removed = workspace.add("contributor")
    body = _sealed(workspace, removed, 1, {DOSSIER_ID: 2})
    workspace.remove(removed)
    outsider = organization.member()
    for person in (removed.person, outsider):
        for response in (person.client.get(f"{workspace.url}/my-state"),
                         person.client.put(f"{workspace.url}/my-state", json=body)):
            assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize("body", [
    pytest.param({"state": "AQ"}, id="no-version"),
    pytest.param({"version": "1", "state": "AQ"}, id="version-as-text"),
    pytest.param({"version": True, "state": "AQ"}, id="version-as-boolean"),
    pytest.param({"version": 1.5, "state": "AQ"}, id="version-fraction"),
    pytest.param({"version": -1, "state": "AQ"}, id="negative-version"),
    pytest.param({"version": 0, "state": "AQ"}, id="version-zero"),
    pytest.param({"version": TOO_BIG, "state": "AQ"}, id="version-past-64-bits"),
    pytest.param({"version": 1}, id="no-state"),
    pytest.param({"version": 1, "state": ""}, id="empty-state"),
    pytest.param({"version": 1, "state": "AQ=="}, id="padded-base64"),
    pytest.param({"version": 1, "state": "A+/B"}, id="not-base64url"),
    pytest.param({"version": 1, "state": "AR"}, id="stray-bits"),
    pytest.param({"version": 1, "state": to_b64(bytes(MAX_STATE_BYTES + 1))}, id="too-big"),
])
def test_own_state_bad_input_is_400(workspace, body):
    response = _write(workspace, workspace.owner, body)
    assert (response.status_code, response.json["error"]["code"]) == (400, "bad_request")
    assert _read(workspace, workspace.owner).json["version"] == 0


def test_own_state_largest_allowed_state_is_stored(workspace):
    body = {"version": 1, "state": to_b64(bytes(MAX_STATE_BYTES))}
    assert _write(workspace, workspace.owner, body).status_code == 200


def test_own_state_dossier_read_is_not_in_the_database(workspace, config):
    reader = workspace.add("reader")
    _write(workspace, reader, _sealed(workspace, reader, 1, {DOSSIER_ID: 5}))
    with database_of(config) as db:
        tables = db.table_names()
        assert "read_markers" not in tables
        rows = [row for table in tables for row in db.query(f"select * from {table}")]
    stored = repr(rows).encode() + b"".join(bytes(value) for row in rows for value in row.values()
                                            if isinstance(value, bytes | memoryview))
    assert DOSSIER_ID.encode() not in stored
    assert any(row.get("version") == 1 and "state" in row for row in rows)
