"""Paravent's command line.

    python app.py [--config FILE] [--host 127.0.0.1] [--port 8000] [--data ./var] [--origin URL]
        serves the app; while no organization exists it prints a one-time bootstrap link.
    python app.py bootstrap-link --org NAME [--data ./var] [--origin URL]
        prints a one-time link that lets its holder create the organization NAME.
    python app.py collect-garbage [--data ./var]
        forgets files deleted longer ago than the retention period and removes unused blocks
        (the server also does this every few hours).
    python app.py backup DIR
        copies a consistent snapshot of the database and the blocks (the server may be running).
    python app.py restore DIR
        brings a backup into an empty deployment (--data, --database, --blocks).
    python app.py migrate --to postgresql://… --to s3://bucket
        copies this deployment into another, empty one, e.g. SQLite + folder to PostgreSQL + S3.
    python app.py verify DIR
        checks a backup folder on its own: its tables, their row counts, every block's name.

PARAVENT_HOST, PARAVENT_PORT, PARAVENT_DATA, PARAVENT_ORIGIN... are environment equivalents, and
a configuration file (`--config FILE`) holds the same names: flags win over the environment,
which wins over the file (see `python app.py --help` and the README). The admin commands refuse a
deployment that does not exist rather than create one; only the server (on its first start) and
`restore` make a new one.

The server is gevent's (`api/serving/server.py`): the first import below patches the standard
library so that every module imported after it cooperates with gevent's greenlets.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from api import create_app
from api.config import Config, ConfigError, add_server_arguments, config_from
from api.http.log_redaction import redact_access_logs
from api.identity.bootstrap import new_bootstrap_link
from api.serving.server import production_server, serve_until_stopped
from api.storage import backup_folder, transfer
from api.storage.deployment import deployment_problem
from api.storage.faults import folder_problem
from api.storage.sqlstore import open_store, prepare
from api.workspaces.collection import collect_garbage

DEFAULT_ORGANIZATION = "Commission d'admission"
COLLECT_EVERY_SECONDS = 6 * 3600
# What each admin command needs of the deployment it is pointed at: to exist (a migrated
# database), and to hold an organization. `restore` fills an empty one; `verify` needs none.
NEEDS_ORGANIZATION = {"bootstrap-link": False, "collect-garbage": True, "backup": True,
                      "migrate": True}


def bootstrap_link(config: Config, organization: str) -> str:
    prepare(config.database_url)
    store = open_store(config)
    try:
        return new_bootstrap_link(store.identity, organization, config.public_origin)
    finally:
        store.close()


def _has_organization(config: Config) -> bool:
    store = open_store(config)
    try:
        return store.identity.organization_count() > 0
    finally:
        store.close()


def serve(config: Config) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    redact_access_logs()
    server = production_server(create_app(config), config)
    print(f"Paravent serving on {config.public_origin}/ (data in {config.data_dir})", flush=True)
    if not _has_organization(config):
        link = bootstrap_link(config, DEFAULT_ORGANIZATION)
        print(f"No organization yet. Create it, once, with this link:\n  {link}", flush=True)
    _collect_periodically(config)
    serve_until_stopped(server, lambda: print("Paravent stopped", flush=True))
    return 0


def collect(config: Config) -> str:
    collected = collect_garbage(config)
    return (f"collected {collected.files} deleted file(s) and {collected.blocks} unused block(s)"
            f" ({collected.bytes} bytes), removed {collected.unrecorded} unrecorded block file(s)")


def _collect_periodically(config: Config) -> None:
    def run() -> None:
        while True:
            logging.getLogger("paravent").info("storage: %s", collect(config))
            time.sleep(COLLECT_EVERY_SECONDS)

    threading.Thread(target=run, name="collect-garbage", daemon=True).start()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description="Paravent server")
    add_server_arguments(parser)
    commands = parser.add_subparsers(dest="command")
    link_parser = commands.add_parser("bootstrap-link", help="make a one-time bootstrap link")
    link_parser.add_argument("--org", required=True, help="the new organization's name")
    add_server_arguments(link_parser, in_subcommand=True)
    collect_parser = commands.add_parser("collect-garbage", help="remove storage nobody uses")
    add_server_arguments(collect_parser, in_subcommand=True)
    for name, text in (("backup", "copy a consistent snapshot into a new folder"),
                       ("restore", "bring a backup into an empty deployment")):
        transfer_parser = commands.add_parser(name, help=text)
        transfer_parser.add_argument("folder", type=Path, help="the backup folder")
        add_server_arguments(transfer_parser, in_subcommand=True)
    migrate_parser = commands.add_parser("migrate", help="copy into another, empty deployment")
    migrate_parser.add_argument(
        "--to", action="append", required=True,
        help="the target's database (postgresql://…, sqlite:///…) or blocks (s3://bucket)")
    add_server_arguments(migrate_parser, in_subcommand=True)
    verify_parser = commands.add_parser("verify", help="check a backup folder on its own")
    verify_parser.add_argument("folder", type=Path, help="the backup folder")
    add_server_arguments(verify_parser, in_subcommand=True)
    arguments = parser.parse_args(list(argv))
    try:
        config = config_from(arguments, os.environ)
    except ConfigError as error:
        print(f"Paravent: {error}", file=sys.stderr)
        return 2
    if arguments.command == "verify":
        return verify(arguments.folder.resolve(), config)
    if arguments.command in NEEDS_ORGANIZATION:
        problem = deployment_problem(
            config, needs_organization=NEEDS_ORGANIZATION[arguments.command])
        if problem is not None:
            print(f"Paravent {arguments.command}: {problem}", file=sys.stderr)
            return 1
    problem = folder_problem(config.data_dir)
    if problem is not None:
        print(f"Paravent cannot start: {problem}", file=sys.stderr)
        return 1
    if arguments.command == "bootstrap-link":
        print(bootstrap_link(config, arguments.org))
        return 0
    if arguments.command == "collect-garbage":
        prepare(config.database_url)
        print(collect(config))
        return 0
    if arguments.command in ("backup", "restore", "migrate"):
        return _transfer(arguments, config)
    return serve(config)


def _transfer(arguments: argparse.Namespace, config: Config) -> int:
    try:
        if arguments.command == "backup":
            copied = transfer.backup(config, arguments.folder.resolve())
        elif arguments.command == "restore":
            copied = transfer.restore(arguments.folder.resolve(), config)
        else:
            copied = transfer.migrate(config, migration_target(config, arguments.to))
    except (transfer.TransferError, ValueError) as error:
        print(f"Paravent {arguments.command} failed: {error}", file=sys.stderr)
        return 1
    print(f"{arguments.command}: {copied.rows} row(s), {copied.blocks} block(s) copied")
    return 0


def verify(folder: Path, config: Config) -> int:
    """Check the backup in `folder`; exit code 0 if it is good, 1 if not."""
    verified = backup_folder.verify(folder, block_bytes=config.max_block_bytes)
    print(verified.report(folder), file=sys.stdout if verified.good else sys.stderr)
    return 0 if verified.good else 1


def migration_target(config: Config, targets: list[str]) -> Config:
    """The deployment `migrate --to` names: a database URL, a block store URL, or both."""
    changes = {}
    for target in targets:
        key = "blocks" if target.startswith("s3://") else "database"
        if key == "database" and not target.startswith(("postgresql://", "sqlite:///")):
            raise ValueError(f"--to takes postgresql://…, sqlite:///… or s3://…, not {target}")
        changes[key] = target
    return replace(config, **changes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
