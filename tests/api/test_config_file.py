"""The configuration file names a deployment once (`--config FILE` or `PARAVENT_CONFIG`): flags
win over the environment, which wins over the file, which wins over defaults; a name it does
not know is refused with its line; it accepts every name the environment does; the S3 secret
never shows in the configuration's text."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from api.config import FILE_NAMES, ConfigError, add_server_arguments, config_from

SOURCE = Path(__file__).resolve().parents[2] / "api" / "config.py"


def parse_config(argv: list[str], environ: dict[str, str]):
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    return config_from(parser.parse_args(argv), environ)


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    path = tmp_path / "paravent.conf"
    path.write_text(
        "# the hospital's deployment\n\n"
        f"PARAVENT_DATA={tmp_path / 'data'}\n"
        "PARAVENT_DATABASE='postgresql://paravent:secret@db/paravent'\n"
        'PARAVENT_BLOCKS="s3://paravent-blocks"\n'
        "export PARAVENT_S3_ENDPOINT=http://s3.internal:8333\n"
        "AWS_ACCESS_KEY_ID=paravent\nAWS_SECRET_ACCESS_KEY=s3-secret-value\n"
        "PARAVENT_PORT=9001\n")
    return path


def test_config_file_names_the_deployment(settings, tmp_path):
    config = parse_config(["--config", str(settings)], {})
    assert config.data_dir == tmp_path / "data"
    assert config.database == "postgresql://paravent:secret@db/paravent"
    assert (config.blocks, config.s3_endpoint) == ("s3://paravent-blocks",
                                                   "http://s3.internal:8333")
    assert (config.s3_access_key_id, config.s3_secret_access_key) == ("paravent",
                                                                      "s3-secret-value")
    assert "s3-secret-value" not in repr(config)


def test_environment_overrides_the_file_and_flags_override_both(settings):
    from_environment = parse_config([], {"PARAVENT_CONFIG": str(settings),
                                         "PARAVENT_PORT": "9002"})
    assert from_environment.port == 9002
    assert from_environment.blocks == "s3://paravent-blocks"
    flagged = parse_config(["--config", str(settings), "--port", "9003"],
                           {"PARAVENT_PORT": "9002"})
    assert flagged.port == 9003


def test_config_file_refuses_an_unknown_name_with_its_line(tmp_path):
    path = tmp_path / "paravent.conf"
    path.write_text("PARAVENT_DATA=/srv/paravent\nPARAVENT_DATABSE=postgresql://db/paravent\n")
    with pytest.raises(ConfigError, match=r"paravent.conf, line 2: expected NAME=value"):
        parse_config(["--config", str(path)], {})


def test_config_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read the configuration file .*missing\.conf"):
        parse_config(["--config", str(tmp_path / "missing.conf")], {})


def test_config_file_accepts_every_name_the_environment_sets():
    read = set(re.findall(r'"(PARAVENT_[A-Z0-9_]+)"', SOURCE.read_text())) - {"PARAVENT_CONFIG"}
    assert read <= FILE_NAMES
