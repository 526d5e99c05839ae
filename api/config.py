"""Server configuration: one frozen object built from flags, then the environment, then a
configuration file, then defaults.

The configuration file (`--config FILE`, or `PARAVENT_CONFIG`) names a deployment once for the
server and every admin command: `NAME=value` lines with the environment's names (`PARAVENT_*`,
and the S3 credentials `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`), `#`
comments, so the same file serves as a systemd `EnvironmentFile=`. A name it does not know is
refused, so a typo does not silently fall back to a default.

No other module reads the environment. The server's secret key (for signing session cookies) is
kept in the data folder, created on first start with owner-only permissions.
"""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from api.http.proxies import parse_trusted_proxies

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_DATA = "var"
DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024
SECRET_KEY_FILE = "secret_key"
DEFAULT_MAX_CONNECTIONS = 1000
DEFAULT_REQUEST_TIMEOUT_SECONDS = 30
DEFAULT_IDLE_TIMEOUT_SECONDS = 15
DEFAULT_DATABASE_CONNECTIONS = 16
DEFAULT_MAIL_GROUP_MINUTES = 5
S3_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
# The names a configuration file may set: those the environment may.
FILE_NAMES = frozenset({
    *(f"PARAVENT_{name}" for name in (
        "HOST", "PORT", "DATA", "ORIGIN", "IDLE_LOCK_MINUTES", "MAX_FILE_MIB", "TRUSTED_PROXIES",
        "DATABASE", "BLOCKS", "S3_ENDPOINT", "MESSAGE_QUEUE", "MAX_CONNECTIONS",
        "REQUEST_TIMEOUT", "IDLE_TIMEOUT", "DATABASE_CONNECTIONS")),
    *S3_CREDENTIALS,
    *(f"PARAVENT_{name}" for name in (
        "SMTP_URL", "SMTP_FROM", "SMTP_STARTTLS", "SMTP_USER", "SMTP_PASSWORD",
        "MAIL_GROUP_MINUTES")),
})


class ConfigError(ValueError):
    """A configuration file that cannot be read or names something unknown."""


@dataclass(frozen=True, kw_only=True)
class Config:
    """Everything the server needs to know to start."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path
    web_dir: Path = REPO_ROOT / "web"
    static_dir: Path = REPO_ROOT / "static"
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    origin: str | None = None
    rp_name: str = "Paravent"
    session_idle_seconds: int = 30 * 60
    session_absolute_seconds: int = 12 * 3600
    idle_lock_seconds: int = 10 * 60
    challenge_seconds: int = 5 * 60
    invitation_seconds: int = 7 * 24 * 3600
    ceremony_requests_per_minute: int = 60
    workspace_creations_per_minute: int = 20
    # A lab's batch of results writes a dossier and a file (one block request) per result: at
    # 20 results/s, 2,400 document writes and 1,200 block requests a minute.
    document_writes_per_minute: int = 3000
    log_writes_per_minute: int = 300
    block_uploads_per_minute: int = 3000
    presence_events_per_minute: int = 120
    # Requests to a drop link's anonymous routes, per link and per client address.
    drop_requests_per_minute: int = 120
    max_block_bytes: int = 512 * 1024 + 1024
    organization_quota_bytes: int = 50 * 1024**3
    max_file_bytes: int = 2 * 1024**3
    deleted_file_retention_days: int = 30
    trusted_proxies: tuple[str, ...] = ()
    database: str | None = None
    blocks: str | None = None
    s3_endpoint: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    s3_region: str | None = None
    message_queue: str | None = None
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    request_timeout_seconds: int = DEFAULT_REQUEST_TIMEOUT_SECONDS
    idle_timeout_seconds: int = DEFAULT_IDLE_TIMEOUT_SECONDS
    smtp_url: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_group_seconds: float = DEFAULT_MAIL_GROUP_MINUTES * 60
    database_connections: int = DEFAULT_DATABASE_CONNECTIONS

    @property
    def public_origin(self) -> str:
        """The origin browsers use; passkeys are bound to it (its host is the RP id)."""
        return self.origin or f"http://localhost:{self.port}"

    @property
    def rp_id(self) -> str:
        return urlsplit(self.public_origin).hostname or "localhost"

    @property
    def secure_cookies(self) -> bool:
        return urlsplit(self.public_origin).scheme == "https"

    @property
    def database_url(self) -> str:
        """The metadata database: `--database`, or SQLite in the data folder."""
        return self.database or f"sqlite:///{self.database_path}"

    @property
    def blocks_dir(self) -> Path:
        return self.data_dir / "blocks"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "paravent.sqlite3"

    def load_secret_key(self) -> bytes:
        """The server's secret key, created (mode 0600) on first use."""
        path = self.data_dir / SECRET_KEY_FILE
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(secrets.token_bytes(32))
        return path.read_bytes()


def add_server_arguments(parser: argparse.ArgumentParser, *, in_subcommand: bool = False) -> None:
    """The flags shared by every command that needs a configuration. In a subcommand they do
    not reset flags already given before the subcommand's name."""
    if in_subcommand:
        parser.argument_default = argparse.SUPPRESS
    add_mail_arguments(parser)
    parser.add_argument(
        "--config", help="configuration file naming the deployment (NAME=value lines, the "
        "environment's names); flags and the environment override it (or PARAVENT_CONFIG)")
    parser.add_argument("--host", help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--data", help=f"data folder (default ./{DEFAULT_DATA})")
    parser.add_argument(
        "--origin", help="public origin browsers use, e.g. https://paravent.example "
        "(default http://localhost:<port>); passkeys are bound to its host"
    )
    parser.add_argument(
        "--idle-lock-minutes", type=int,
        help="minutes of inactivity before the UI locks and asks for the passkey (default 10)",
    )
    parser.add_argument(
        "--max-file-mib", type=int, help="largest file a member may upload, in MiB (default 2048)"
    )
    parser.add_argument(
        "--trusted-proxies", type=parse_trusted_proxies,
        help="comma-separated addresses or networks of reverse proxies whose X-Forwarded-For "
        "names the client (default: none; the peer is the client)"
    )
    parser.add_argument(
        "--database", help="metadata database: postgresql://user:password@host/name "
        "(default SQLite in the data folder)"
    )
    parser.add_argument(
        "--blocks", help="block store: s3://bucket[/prefix], endpoint in PARAVENT_S3_ENDPOINT, "
        "credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default the data folder)"
    )
    parser.add_argument(
        "--message-queue", help="redis://host:port/db shared by several server processes: "
        "live events, presence and rate limits go through it (default: none, one process)"
    )
    parser.add_argument(
        "--max-connections", type=int,
        help="open connections, WebSockets included, per process "
        f"(default {DEFAULT_MAX_CONNECTIONS})",
    )
    parser.add_argument(
        "--request-timeout", type=int, help="seconds of silence within a request before the "
        f"connection is closed (default {DEFAULT_REQUEST_TIMEOUT_SECONDS})"
    )
    parser.add_argument(
        "--idle-timeout", type=int, help="seconds a kept-alive connection may wait for its next "
        f"request (default {DEFAULT_IDLE_TIMEOUT_SECONDS})"
    )
    parser.add_argument(
        "--database-connections", type=int, help="database connections open at most per process;"
        " past them requests wait, then get 503 server_busy "
        f"(default {DEFAULT_DATABASE_CONNECTIONS})"
    )


def add_mail_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags that name the SMTP server notifications go through."""
    parser.add_argument(
        "--smtp-url", help="SMTP server for notification mails: smtp://[user:password@]host:port "
        "or smtps://… (credentials also from PARAVENT_SMTP_USER/PARAVENT_SMTP_PASSWORD; "
        "default: none, the console says whom it would have mailed)")
    parser.add_argument("--smtp-from", help="sender address of notification mails "
                        "(default paravent@<the origin's host>)")
    parser.add_argument("--smtp-starttls", action="store_true",
                        help="upgrade smtp:// connections with STARTTLS")
    parser.add_argument(
        "--mail-group-minutes", type=float, help="at most one notification mail per person "
        f"per this many minutes (default {DEFAULT_MAIL_GROUP_MINUTES})")


def read_config_file(path: Path) -> dict[str, str]:
    """The `NAME=value` settings of a configuration file (blank lines and `#` comments skipped,
    values optionally quoted)."""
    try:
        text = path.read_text()
    except OSError as error:
        raise ConfigError(f"cannot read the configuration file {path}: {error.strerror}"
                          ) from error
    settings = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not equals or name not in FILE_NAMES:
            raise ConfigError(f"{path}, line {number}: expected NAME=value with NAME one of "
                              f"{', '.join(sorted(FILE_NAMES))}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        settings[name] = value
    return settings


def config_from(arguments: argparse.Namespace, environ: Mapping[str, str]) -> Config:
    """Flags win over environment variables, which win over the configuration file's settings
    (`--config` or `PARAVENT_CONFIG`), which win over defaults."""
    config_file = getattr(arguments, "config", None) or environ.get("PARAVENT_CONFIG")
    if config_file:
        environ = {**read_config_file(Path(config_file)), **environ}
    port = arguments.port if arguments.port is not None else environ.get("PARAVENT_PORT")
    idle_lock = arguments.idle_lock_minutes or environ.get("PARAVENT_IDLE_LOCK_MINUTES")
    max_file = arguments.max_file_mib or environ.get("PARAVENT_MAX_FILE_MIB")
    proxies = arguments.trusted_proxies or parse_trusted_proxies(
        environ.get("PARAVENT_TRUSTED_PROXIES", ""))

    group_minutes = getattr(arguments, "mail_group_minutes", None) or environ.get(
        "PARAVENT_MAIL_GROUP_MINUTES") or DEFAULT_MAIL_GROUP_MINUTES
    smtp_url = getattr(arguments, "smtp_url", None) or environ.get("PARAVENT_SMTP_URL")
    if smtp_url and (urlsplit(smtp_url).scheme not in ("smtp", "smtps")
                     or not urlsplit(smtp_url).hostname):
        raise ConfigError("--smtp-url must be smtp://[user:password@]host:port or smtps://…")
    starttls = getattr(arguments, "smtp_starttls", None) or environ.get(
        "PARAVENT_SMTP_STARTTLS", "").lower() in ("1", "true", "yes")

    def number(flag: int | None, variable: str, default: int) -> int:
        return int(flag or environ.get(variable) or default)

    return Config(
        host=arguments.host or environ.get("PARAVENT_HOST") or DEFAULT_HOST,
        port=int(port) if port is not None else DEFAULT_PORT,
        data_dir=Path(arguments.data or environ.get("PARAVENT_DATA") or DEFAULT_DATA).resolve(),
        origin=arguments.origin or environ.get("PARAVENT_ORIGIN"),
        idle_lock_seconds=int(idle_lock) * 60 if idle_lock else 10 * 60,
        max_file_bytes=int(max_file) * 1024**2 if max_file else 2 * 1024**3,
        trusted_proxies=proxies,
        database=arguments.database or environ.get("PARAVENT_DATABASE"),
        blocks=arguments.blocks or environ.get("PARAVENT_BLOCKS"),
        s3_endpoint=environ.get("PARAVENT_S3_ENDPOINT"),
        s3_access_key_id=environ.get("AWS_ACCESS_KEY_ID"),
        s3_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY"),
        s3_region=environ.get("AWS_DEFAULT_REGION"),
        message_queue=arguments.message_queue or environ.get("PARAVENT_MESSAGE_QUEUE"),
        max_connections=number(arguments.max_connections, "PARAVENT_MAX_CONNECTIONS",
                               DEFAULT_MAX_CONNECTIONS),
        request_timeout_seconds=number(arguments.request_timeout, "PARAVENT_REQUEST_TIMEOUT",
                                       DEFAULT_REQUEST_TIMEOUT_SECONDS),
        idle_timeout_seconds=number(arguments.idle_timeout, "PARAVENT_IDLE_TIMEOUT",
                                    DEFAULT_IDLE_TIMEOUT_SECONDS),
        smtp_url=smtp_url,
        smtp_from=getattr(arguments, "smtp_from", None) or environ.get("PARAVENT_SMTP_FROM"),
        smtp_starttls=bool(starttls),
        smtp_user=environ.get("PARAVENT_SMTP_USER"),
        smtp_password=environ.get("PARAVENT_SMTP_PASSWORD"),
        mail_group_seconds=float(group_minutes) * 60,
        database_connections=number(arguments.database_connections,
                                    "PARAVENT_DATABASE_CONNECTIONS",
                                    DEFAULT_DATABASE_CONNECTIONS),
    )
