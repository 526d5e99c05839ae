"""Backups, restores and migrations lose and alter nothing: every document version, log entry
and block reads back the same through the API from the restored or migrated deployment, the
same session still signs in, and a target that already holds data is refused."""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import replace

import pytest

from api import create_app
from api.config import REPO_ROOT
from api.identity.sessions import COOKIE
from api.storage import transfer
from api.storage.engine import connect
from tests.api.conftest import same_origin_client
from tests.api.workspaces.conftest import frames, new_document_id, read_blocks
from tests.api.workspaces.test_files import FILE_A, _put_file, _upload_block


def _fill(workspace) -> list[str]:
    """A workspace with two dossier versions, a file of three blocks and a log entry; the file's
    block ids (which a browser reads in the file's encrypted manifest)."""
    owner = workspace.owner
    dossier = new_document_id()
    assert workspace.put(owner, dossier, 1, {"title": "Dossier Martin"}).status_code == 201
    assert workspace.put(owner, dossier, 2, {"title": "Dossier Martin (2)"}).status_code == 201
    blocks = [_upload_block(workspace, owner, bytes([n]) * 5000, FILE_A, n) for n in range(3)]
    assert _put_file(workspace, owner, FILE_A, 1, blocks).status_code == 201
    comment = workspace.entry(owner, "comment", content={"dossier_id": dossier, "text": "vu"})
    assert owner.person.client.post(f"{workspace.url}/log", json=comment).status_code == 201
    return blocks


def _everything(client, workspace_id: str, block_ids: list[str]) -> dict:
    """All a member can read of the workspace, through the API."""
    base = f"/api/workspaces/{workspace_id}"
    documents = client.get(f"{base}/documents").json["documents"]
    versions = {document["document_id"]: client.get(
        f"{base}/documents/{document['document_id']}/versions").json["versions"]
        for document in documents}
    streamed = client.post(f"{base}/blocks/stream", json={"block_ids": block_ids})
    assert streamed.status_code == 200
    return {"workspace": client.get(base).json, "versions": versions,
            "log": client.get(f"{base}/log").json, "blocks": dict(zip(
                block_ids, frames(streamed.data), strict=True))}


def _client_of(app, workspace):
    client = same_origin_client(app)
    client.set_cookie(COOKIE, workspace.owner.person.client.get_cookie(COOKIE).value)
    return client


def _fresh(config, tmp_path, **changes):
    return replace(config, data_dir=tmp_path / f"restored-{uuid.uuid4().hex[:8]}",
                   database=None, blocks=None, **changes)


def test_backup_then_restore_brings_back_every_document_log_entry_and_block(
        workspace, config, tmp_path):
    blocks = _fill(workspace)
    before = _everything(workspace.owner.person.client, workspace.workspace_id, blocks)
    assert len(before["blocks"]) == 3

    _command("--data", str(config.data_dir), *_database_flags(config),
             "backup", str(tmp_path / "backup"))
    target = _fresh(config, tmp_path)
    _command("--data", str(target.data_dir), "restore", str(tmp_path / "backup"))

    restored = create_app(target)
    assert _everything(_client_of(restored, workspace), workspace.workspace_id, blocks) == before


def _command(*arguments: str) -> None:
    """`python app.py …` as an operator runs it (its own process: app.py patches for gevent)."""
    done = subprocess.run([sys.executable, "app.py", *arguments], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _database_flags(config) -> list[str]:
    return ["--database", config.database] if config.database else []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_migrate_moves_sqlite_and_folder_to_postgresql_and_s3(
        workspace, config, tmp_path, request):
    blocks = _fill(workspace)
    before = _everything(workspace.owner.person.client, workspace.workspace_id, blocks)
    postgres = request.getfixturevalue("postgres_server")
    name = f"m_{uuid.uuid4().hex}"
    maintenance = connect(postgres)
    maintenance.execute(f"create database {name}")
    maintenance.close()
    target = replace(config, database=f"{postgres.rsplit('/', 1)[0]}/{name}",
                     blocks=f"s3://paravent-tests/{uuid.uuid4().hex}",
                     s3_endpoint=request.getfixturevalue("s3_endpoint"))

    copied = transfer.migrate(config, target)

    assert copied.blocks == 3
    migrated = create_app(target)
    assert _everything(_client_of(migrated, workspace), workspace.workspace_id, blocks) == before


def test_restore_refuses_a_deployment_that_holds_data(workspace, config, tmp_path):
    _fill(workspace)
    transfer.backup(config, tmp_path / "backup")

    with pytest.raises(transfer.TransferError, match="already holds data"):
        transfer.restore(tmp_path / "backup", config)


def test_backup_refuses_a_block_that_does_not_match_its_name(workspace, config, tmp_path):
    _fill(workspace)
    block = _upload_block(workspace, workspace.owner, b"to be damaged", FILE_A, 7)
    blocks = workspace.owner.person.client.application.extensions["paravent_blocks"]
    blocks.put(workspace.workspace_id, block, b"damaged")

    with pytest.raises(transfer.TransferError, match=f"block {block} does not match"):
        transfer.backup(config, tmp_path / "backup")
    assert read_blocks(workspace.owner, workspace.workspace_id, [block]).status_code == 200
