"""A deployment filled as browsers fill it today (format-2 blocks sealed as the worker's WebCrypto
seals them, a format-1 file from before, dossiers, the log), backed up by `app.py backup` while
it serves writes, checked by `app.py verify`, restored by `app.py restore` into the other engine
pair (SQLite + folder <-> PostgreSQL + S3), or moved there by `app.py migrate`, then read back by
a member's client: every dossier, log entry and file decrypts to what was written, and the
history verifies."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from api import create_app
from api.config import REPO_ROOT, Config
from api.identity.sessions import COOKIE
from e2e.harness.services.postgresql import create_database, drop_database
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE
from tests.api.conftest import same_origin_client
from tests.member_browser import MemberBrowser

DOSSIER = {"patient_name": "Mme Jeanne Exemple", "urgency": "high", "requested_unit": "SSR"}
SCAN = os.urandom(2 * BLOCK_SIZE + 1234)      # format 2: three blocks, the last one padded
OLD_REPORT = os.urandom(BLOCK_SIZE + 99)      # format 1: two blocks


def _fill(owner: MemberBrowser) -> tuple[str, dict[str, bytes]]:
    """A workspace as browsers write it; its id and each file's content by file id."""
    workspace_id = owner.create_workspace("Commission SSR — sauvegarde")
    owner.open(workspace_id)
    dossier = owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    owner.save_dossier(workspace_id, {**DOSSIER, "urgency": "low"}, dossier, expected=1)
    owner.append(workspace_id, "comment", {"dossier_id": dossier, "text": "Vu en commission"})
    files = {owner.upload(workspace_id, "irm.dcm", SCAN, dossier, block_format=2): SCAN,
             owner.upload(workspace_id, "ancien.pdf", OLD_REPORT, block_format=1): OLD_REPORT}
    return workspace_id, files


def _reader(organization, config: Config) -> MemberBrowser:
    """The admin's browser, its session cookie kept, on a server of the deployment `config`."""
    client = same_origin_client(create_app(config))
    client.set_cookie(COOKIE, organization.admin.client.get_cookie(COOKIE).value)
    return MemberBrowser(replace(organization.admin, client=client))


def _everything(member: MemberBrowser, workspace_id: str) -> dict[str, Any]:
    """What the member's page shows of the workspace, every file downloaded and decrypted."""
    member.open(workspace_id)
    log = member.read_log(workspace_id)
    assert log["chain"]["verified"], log["chain"]
    files = member.files(workspace_id)
    return {"entries": log["entries"], "dossiers": member.dossiers(workspace_id),
            "files": files, "contents": {file_id: member.download(workspace_id, file_id)
                                         for file_id in files}}


def _config_file(config: Config, path: Path) -> Path:
    """The deployment named in one configuration file, as an operator writes it."""
    lines = [f"PARAVENT_DATA={config.data_dir}"]
    if config.database:
        lines.append(f"PARAVENT_DATABASE={config.database}")
    if config.blocks:
        lines.append(f"PARAVENT_BLOCKS={config.blocks}")
    if config.s3_endpoint:
        lines.append(f"PARAVENT_S3_ENDPOINT={config.s3_endpoint}")
        lines += [f"{name}={os.environ[name]}" for name in (
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")]
    path.write_text("\n".join(lines) + "\n")
    return path


def _app_py(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "app.py", *arguments], cwd=REPO_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _finished(command: subprocess.Popen[str]) -> str:
    output, _ = command.communicate(timeout=300)
    assert command.returncode == 0, output
    return output


@pytest.fixture
def other_engines(config: Config, tmp_path: Path, request: pytest.FixtureRequest):
    """An empty deployment on the other engine pair than the test's."""
    target = replace(config, data_dir=tmp_path / "restored", database=None, blocks=None)
    if config.database is not None:
        yield target
        return
    server = request.getfixturevalue("postgres_server")
    name = f"r_{uuid.uuid4().hex}"
    yield replace(target, database=create_database(server, name),
                  blocks=f"s3://paravent-tests/{name}",
                  s3_endpoint=request.getfixturevalue("s3_endpoint"))
    drop_database(server, name)


@pytest.mark.parametrize(("database", "blocks"), [("sqlite", "folder"), ("postgresql", "s3")],
                         indirect=True)
def test_backup_while_serving_restores_into_the_other_engines_and_reads_back(
        organization, config, other_engines, tmp_path):
    owner = MemberBrowser(organization.admin)
    workspace_id, contents = _fill(owner)
    before = _everything(owner, workspace_id)
    assert before["contents"] == contents

    backup = _app_py("--config", str(_config_file(config, tmp_path / "source.conf")),
                     "backup", str(tmp_path / "backup"))
    written = {}
    while backup.poll() is None:  # the server keeps serving writes during the backup
        saved = owner.save_dossier(workspace_id, {**DOSSIER, "patient_name": "Pendant"})
        written[saved["document_id"]] = saved
    assert written and "block(s) copied" in _finished(backup)
    assert "is good" in _finished(_app_py("verify", str(tmp_path / "backup")))
    target_config = _config_file(other_engines, tmp_path / "target.conf")
    _finished(_app_py("--config", str(target_config), "restore", str(tmp_path / "backup")))

    after = _everything(_reader(organization, other_engines), workspace_id)

    assert after["contents"] == contents
    assert after["files"] == before["files"]
    assert after["entries"][:len(before["entries"])] == before["entries"]
    during = set(after["dossiers"]) - set(before["dossiers"])
    assert during <= set(written)  # a snapshot: only whole writes made during the backup
    assert {key: after["dossiers"][key] for key in before["dossiers"]} == before["dossiers"]


@pytest.mark.parametrize(("database", "blocks"), [("sqlite", "folder")], indirect=True)
def test_migrate_moves_browser_written_sqlite_and_folder_to_postgresql_and_s3(
        organization, config, other_engines, tmp_path):
    owner = MemberBrowser(organization.admin)
    workspace_id, contents = _fill(owner)
    before = _everything(owner, workspace_id)
    source = _config_file(replace(config, s3_endpoint=other_engines.s3_endpoint),
                          tmp_path / "source.conf")

    _finished(_app_py("--config", str(source), "migrate", "--to", other_engines.database,
                      "--to", other_engines.blocks))

    after = _everything(_reader(organization, replace(
        other_engines, data_dir=config.data_dir)), workspace_id)
    assert after == before and after["contents"] == contents
