"""Configuration: flags win over environment, which wins over defaults; the secret key persists."""

from __future__ import annotations

import argparse
import logging
import stat
from pathlib import Path

from api.config import Config, add_server_arguments, config_from
from api.http.log_redaction import RedactTokens


def parse_config(argv, environ):
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    return config_from(parser.parse_args(argv), environ)


def test_config_defaults_give_a_working_local_server():
    config = parse_config([], {})
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.data_dir == (Path.cwd() / "var").resolve()


def test_config_environment_overrides_defaults(tmp_path):
    config = parse_config([], {"PARAVENT_HOST": "0.0.0.0", "PARAVENT_PORT": "9001",
                               "PARAVENT_DATA": str(tmp_path)})
    assert (config.host, config.port, config.data_dir) == ("0.0.0.0", 9001, tmp_path)


def test_config_flags_override_environment(tmp_path):
    config = parse_config(
        ["--host", "127.0.0.2", "--port", "9002", "--data", str(tmp_path / "flag")],
        {"PARAVENT_HOST": "0.0.0.0", "PARAVENT_PORT": "9001", "PARAVENT_DATA": str(tmp_path)},
    )
    assert (config.host, config.port, config.data_dir) == ("127.0.0.2", 9002, tmp_path / "flag")


def test_config_secret_key_created_private_and_stable(tmp_path):
    config = Config(data_dir=tmp_path / "data")
    key = config.load_secret_key()
    assert len(key) == 32
    mode = stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert Config(data_dir=tmp_path / "data").load_secret_key() == key


def test_config_origin_sets_rp_id_and_secure_cookies():
    config = parse_config(["--origin", "https://paravent.chu.example"], {})
    assert (config.rp_id, config.secure_cookies) == ("paravent.chu.example", True)
    local = parse_config(["--port", "9100"], {})
    assert (local.public_origin, local.rp_id, local.secure_cookies) == (
        "http://localhost:9100", "localhost", False
    )


def test_log_redaction_hides_link_tokens():
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, '"%s %s" %s',
                               ("GET", "/api/join/" + "a" * 43, 200), None)
    RedactTokens().filter(record)
    assert record.getMessage() == '"GET /api/join/<token>" 200'
