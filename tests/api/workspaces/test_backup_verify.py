"""`app.py verify DIR` checks a backup folder on its own: a good one passes (exit 0); a missing
block, an altered block or a table cut short is named (exit 1), and `restore` refuses such a
backup before writing anything. Admin commands pointed at a deployment that does not exist say
so and create nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from api.config import REPO_ROOT
from api.storage import transfer
from api.storage.sqlstore import prepare
from e2e.harness.services.postgresql import create_database, drop_database
from tests.api.workspaces.test_backup import _fill

ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _app_py(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "app.py", *arguments], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def backup(workspace, config, tmp_path) -> tuple[Path, list[str]]:
    """A backup of a filled workspace; its folder and the file's block paths in it."""
    blocks = _fill(workspace)
    folder = tmp_path / "backup"
    transfer.backup(config, folder)
    return folder, [folder / "blocks" / workspace.workspace_id / block[:2] / block
                    for block in blocks]


@ON_SQLITE
def test_verify_passes_a_good_backup(backup):
    folder, _ = backup
    checked = _app_py("verify", str(folder))
    assert checked.returncode == 0, checked.stderr
    assert f"backup {folder} is good" in checked.stdout and "3 block(s)" in checked.stdout


def _damage_block_missing(folder: Path, blocks: list[Path]) -> str:
    blocks[0].unlink()
    return f"block {blocks[0].name} of workspace {blocks[0].parent.parent.name} is missing"


def _damage_block_altered(folder: Path, blocks: list[Path]) -> str:
    data = bytearray(blocks[1].read_bytes())
    data[-1] ^= 1
    blocks[1].write_bytes(bytes(data))
    return f"block {blocks[1].name} of workspace {blocks[1].parent.parent.name} does not match"


def _damage_table_cut_short(folder: Path, blocks: list[Path]) -> str:
    table = folder / "tables" / "log_entries.jsonl"
    text = table.read_text()
    table.write_text(text[:len(text) - 40])
    return "log_entries.jsonl, line"


@ON_SQLITE
@pytest.mark.parametrize("damage", [_damage_block_missing, _damage_block_altered,
                                    _damage_table_cut_short])
def test_verify_names_what_is_damaged_and_restore_refuses_it(backup, damage, config, tmp_path):
    folder, blocks = backup
    problem = damage(folder, blocks)

    checked = _app_py("verify", str(folder))
    assert checked.returncode == 1
    assert f"backup {folder} is damaged" in checked.stderr and problem in checked.stderr

    target = tmp_path / "restored"
    restored = _app_py("--data", str(target), "restore", str(folder))
    assert restored.returncode == 1 and problem in restored.stderr
    assert not (target / "paravent.sqlite3").exists()


def test_verify_refuses_a_folder_that_is_no_backup(tmp_path):
    checked = _app_py("verify", str(tmp_path))
    assert checked.returncode == 1 and "backup.json is missing" in checked.stderr


@pytest.mark.parametrize("command", [["bootstrap-link", "--org", "CHU"], ["backup", "b"],
                                     ["collect-garbage"], ["migrate", "--to", "s3://x"]])
def test_admin_commands_refuse_a_data_folder_that_does_not_exist(command, tmp_path):
    missing = tmp_path / "nowhere"
    refused = _app_py("--data", str(missing), *command)
    assert refused.returncode == 1
    assert f"the data folder {missing} does not exist" in refused.stderr
    assert not missing.exists()


def test_admin_commands_refuse_a_folder_or_database_without_a_deployment(
        tmp_path, request):
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = _app_py("--data", str(empty), "bootstrap-link", "--org", "CHU")
    assert refused.returncode == 1 and "no Paravent database at" in refused.stderr
    assert list(empty.iterdir()) == []

    server = request.getfixturevalue("postgres_server")
    name = f"e_{uuid.uuid4().hex}"
    database = create_database(server, name)
    try:
        refused = _app_py("--data", str(empty), "--database", database, "backup", "b")
        assert refused.returncode == 1 and "holds no Paravent deployment" in refused.stderr
    finally:
        drop_database(server, name)


@ON_SQLITE
def test_backup_of_a_deployment_without_organization_says_so(config, tmp_path):
    prepare(config.database_url)
    settings = tmp_path / "paravent.conf"
    settings.write_text(f"# the deployment\nPARAVENT_DATA={config.data_dir}\n")
    refused = _app_py("--config", str(settings), "backup", str(tmp_path / "backup"))
    assert refused.returncode == 1 and "holds no organization" in refused.stderr
    assert not (tmp_path / "backup").exists()


@ON_SQLITE
def test_bootstrap_link_reads_the_deployment_from_the_configuration_file(config, tmp_path):
    prepare(config.database_url)
    settings = tmp_path / "paravent.conf"
    settings.write_text(f"PARAVENT_DATA={config.data_dir}\n"
                        "PARAVENT_ORIGIN='https://paravent.example'\n")
    printed = _app_py("--config", str(settings), "bootstrap-link", "--org", "CHU Sud")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("https://paravent.example/")

    overridden = _app_py("--config", str(settings), "bootstrap-link", "--org", "CHU Sud",
                         "--origin", "https://autre.example")
    assert overridden.stdout.startswith("https://autre.example/")
