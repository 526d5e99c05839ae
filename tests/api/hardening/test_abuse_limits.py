"""Abuse is bounded: per-user rate limits on workspace creation, document and log writes, block
uploads, presence events and every other socket event (per socket without a user); expired
sign-in challenges are forgotten; tiny blocks cost at least a minimum against the quota; a file's
size is the bytes of its blocks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from api import create_app
from api.realtime.channel import socketio_of
from api.workspaces.quota import MIN_CHARGED_BLOCK_BYTES
from pycrypto_wasm.workspace.blocks import encrypt_block
from tests.api.conftest import database_of
from tests.api.identity.conftest import bootstrap
from tests.api.workspaces.conftest import create_workspace, new_document_id, upload_blocks

LIMIT = 3
DOSSIER_ID = "d-" + "3" * 24


@pytest.fixture
def app(config):
    return create_app(replace(
        config, workspace_creations_per_minute=LIMIT, document_writes_per_minute=LIMIT,
        log_writes_per_minute=LIMIT, block_uploads_per_minute=LIMIT,
        presence_events_per_minute=LIMIT))


def _codes(responses):
    return [(r.status_code, (r.json or {}).get("error", {}).get("code")) for r in responses]


@pytest.mark.parametrize("write", ["workspace", "document", "log", "own_state", "blocks"])
def test_abuse_writes_are_limited_per_user(organization, workspace, write):
    base = f"/api/workspaces/{workspace.workspace_id}"

    def send(person):
        client = person.client
        return {
            "workspace": lambda: client.post("/api/workspaces", json={}),
            "document": lambda: client.put(f"{base}/documents/{new_document_id()}", json={}),
            "log": lambda: client.post(f"{base}/log", json={}),
            "own_state": lambda: client.put(f"{base}/my-state", json={}),
            "blocks": lambda: client.post(f"{base}/blocks", data=b"",
                                          content_type="application/octet-stream"),
        }[write]()

    owner = workspace.owner.person
    answers = _codes([send(owner) for _ in range(LIMIT + 2)])
    # (the workspace fixture created one workspace already)
    assert all(status == 400 for status, _ in answers[:LIMIT - 1]), answers
    assert answers[-2:] == [(429, "rate_limited")] * 2
    other = organization.member()
    assert send(other).status_code != 429


def test_abuse_presence_events_are_limited_and_not_broadcast(app, organization, workspace):
    reader = workspace.add("reader")
    socketio = socketio_of(app)
    watcher = socketio.test_client(app, flask_test_client=reader.person.client)
    noisy = socketio.test_client(app, flask_test_client=workspace.owner.person.client)
    place = {"workspace_id": workspace.workspace_id, "dossier_id": DOSSIER_ID}
    watcher.get_received()
    replies = [noisy.emit("presence:view", place, callback=True) for _ in range(300)]
    assert sum(reply["ok"] for reply in replies) == LIMIT
    assert replies[-1]["error"]["code"] == "rate_limited"
    broadcasts = [e for e in watcher.get_received() if e["name"] == "presence:changed"]
    assert len(broadcasts) == LIMIT
    assert watcher.emit("presence:view", place, callback=True)["ok"]


@pytest.mark.parametrize(("event", "payload", "limit"), [
    ("invitation:join", {"role": "claimer", "token": "nope"}, "ceremony_requests_per_minute"),
    ("server_info", None, "presence_events_per_minute"),
])
def test_abuse_every_socket_event_is_limited_even_without_a_user(config, event, payload, limit):
    app = create_app(replace(config, **{limit: LIMIT}))
    anonymous = socketio_of(app).test_client(app)
    arguments = () if payload is None else (payload,)
    replies = [anonymous.emit(event, *arguments, callback=True) for _ in range(LIMIT + 2)]
    refused = [reply.get("error", {}).get("code") for reply in replies]
    assert refused[:LIMIT].count("rate_limited") == 0
    assert refused[LIMIT:] == ["rate_limited"] * 2
    assert socketio_of(app).test_client(app).emit(event, *arguments, callback=True).get(
        "error", {}).get("code") != "rate_limited"


def test_abuse_expired_sign_in_challenges_are_forgotten(config):
    app = create_app(replace(config, challenge_seconds=-1))
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = config.public_origin
    for _ in range(20):
        assert client.post("/api/login/options").status_code == 200
    with database_of(config) as db:
        assert db.execute("select count(*) from challenges").fetchone()[0] <= 1


def _tiny_blocks(workspace, count):
    return [encrypt_block(bytes([n]), organization=workspace.organization.organization_id,
                          workspace=workspace.workspace_id, file_id="f-" + "4" * 24, index=n)
            for n in range(count)]


def test_abuse_tiny_blocks_count_a_minimum_against_the_quota(config):
    small = create_app(replace(config, organization_quota_bytes=10 * MIN_CHARGED_BLOCK_BYTES))
    workspace = create_workspace(bootstrap(small))
    blocks = [(ref.block_id, data) for ref, data in _tiny_blocks(workspace, 11)]
    for block in blocks[:10]:
        assert upload_blocks(workspace.owner, workspace.workspace_id, [block]).status_code == 201
    refused = upload_blocks(workspace.owner, workspace.workspace_id, [blocks[10]])
    assert (refused.status_code, refused.json["error"]["code"]) == (413, "quota_exceeded")


def _put_file(workspace, block_ids):
    return workspace.put(workspace.owner, f"f-{'5' * 24}", 1, {"name": "scan.pdf"},
                         kind="file", block_ids=block_ids)


def test_abuse_file_size_counts_bytes_not_block_ids(config):
    small = create_app(replace(config, max_file_bytes=5 * MIN_CHARGED_BLOCK_BYTES))
    workspace = create_workspace(bootstrap(small))
    blocks = [(ref.block_id, data) for ref, data in _tiny_blocks(workspace, 6)]
    assert upload_blocks(workspace.owner, workspace.workspace_id, blocks).status_code == 201
    too_big = _put_file(workspace, [block_id for block_id, _ in blocks])
    assert (too_big.status_code, too_big.json["error"]["code"]) == (413, "file_too_large")
    repeated = _put_file(workspace, [blocks[0][0]] * 6)
    assert repeated.status_code == 413
    assert _put_file(workspace, [block_id for block_id, _ in blocks[:5]]).status_code == 201
