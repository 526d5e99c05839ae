"""Moving and keeping data: `backup` takes a consistent snapshot of a deployment (running or not)
into a folder, `restore` brings one into an empty deployment, `migrate` copies a deployment into
another (SQLite + folder to PostgreSQL + S3, say). The three share one engine-neutral copy.

Consistency: the database is read in one snapshot (a read transaction; writers go on), then the
blocks that snapshot records are copied. Blocks are named by the digest of their content that
their format names (SHA-256 for format 2, BLAKE2b-256 for format 1) and never change, so the copy
is the state at the snapshot; each one is checked against its name on the way. The backup
folder's layout, and checking one on its own, are `backup_folder.py`'s. A restore checks the
whole backup before it writes anything.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.config import SECRET_KEY_FILE, Config
from api.storage import backup_folder
from api.storage.backup_folder import block_store, encode, read_table, table_path
from api.storage.blocks import BlockStore, named_by_content
from api.storage.blocks.configured import open_block_store
from api.storage.engine import Connection, connect
from api.storage.migrations import schema_version
from api.storage.sqlstore import prepare

# Each engine keeps its own record of migrations; the copy checks they match instead.
NOT_COPIED = {"schema_migrations"}
BATCH_ROWS = 500


class TransferError(RuntimeError):
    """The copy cannot be made as asked (a non-empty target, a damaged block, …)."""


@dataclass(frozen=True)
class Copied:
    rows: int
    blocks: int


def _ordered_tables(db: Connection) -> list[str]:
    """Every table, each after those its foreign keys point to."""
    tables = sorted(set(db.table_names()) - NOT_COPIED)
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [table for table in tables if table not in ordered
                 and db.references(table) - {table} <= set(ordered)]
        if not ready:
            raise TransferError("the tables' foreign keys form a cycle")
        ordered.extend(ready)
    return ordered


def _check_block(block_id: str, data: bytes | None) -> bytes:
    """The block's bytes, once checked against its name by its own format's digest."""
    if data is None:
        raise TransferError(f"block {block_id} is recorded but missing from the block store")
    if not named_by_content(block_id, data):
        raise TransferError(f"block {block_id} does not match its name")
    return data


def _check_empty(db: Connection) -> None:
    if db.execute("select count(*) from organizations").fetchone()[0]:
        raise TransferError("the target already holds data; restore or migrate into an empty "
                            "deployment")


class _Target:
    """An empty, migrated deployment being filled."""

    def __init__(self, config: Config) -> None:
        prepare(config.database_url)
        self.db = connect(config.database_url)
        _check_empty(self.db)
        self.blocks = open_block_store(config)
        self.blocks.prepare()
        self.config = config

    def load(self, tables: Iterable[tuple[str, list[str], Iterator[list[Any]]]]) -> int:
        count = 0
        with self.db.transaction():
            self.db.execute("delete from server_meta")
            for table, columns, rows in tables:
                names = ", ".join(f'"{column}"' for column in columns)
                marks = ", ".join("?" for _ in columns)
                batch: list[list[Any]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == BATCH_ROWS:
                        self.db.executemany(f"insert into {table} ({names}) values ({marks})",
                                            batch)
                        count += len(batch)
                        batch = []
                if batch:
                    self.db.executemany(f"insert into {table} ({names}) values ({marks})", batch)
                    count += len(batch)
        return count

    def close(self) -> None:
        self.db.close()


def _copy_secret_key(source: Path, target: Path) -> None:
    if not (source / SECRET_KEY_FILE).exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    destination = target / SECRET_KEY_FILE
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write((source / SECRET_KEY_FILE).read_bytes())


def _rows(db: Connection, table: str) -> tuple[list[str], Iterator[list[Any]]]:
    cursor = db.execute(f"select * from {table}")
    columns = [column[0] for column in cursor.description]
    return columns, (list(row) for row in cursor)


def _recorded_blocks(db: Connection) -> list[tuple[str, str]]:
    return [(row["workspace_id"], row["block_id"]) for row in
            db.query("select workspace_id, block_id from blocks order by workspace_id")]


def backup(config: Config, folder: Path) -> Copied:
    """A consistent snapshot of the deployment `config` names, into the new folder `folder`."""
    if folder.exists() and any(folder.iterdir()):
        raise TransferError(f"{folder} is not empty")
    (folder / backup_folder.TABLES).mkdir(parents=True, exist_ok=True)
    source_blocks = open_block_store(config)
    copies = block_store(folder, config.max_block_bytes)
    db = connect(config.database_url)
    try:
        with db.snapshot():
            tables = _ordered_tables(db)
            counts = {}
            for table in tables:
                columns, values = _rows(db, table)
                with table_path(folder, table).open("w") as file:
                    file.write(json.dumps(columns) + "\n")
                    counts[table] = 0
                    for row in values:
                        file.write(json.dumps([encode(value) for value in row]) + "\n")
                        counts[table] += 1
            version = schema_version(db)
            recorded = _recorded_blocks(db)
    finally:
        db.close()
    for workspace_id, block_id in recorded:
        copies.put(workspace_id, block_id,
                   _check_block(block_id, source_blocks.get(workspace_id, block_id)))
    _copy_secret_key(config.data_dir, folder)
    (folder / backup_folder.SUMMARY).write_text(json.dumps({
        "format": backup_folder.FORMAT, "schema": version, "tables": tables, "rows": counts,
        "blocks": len(recorded)}, indent=2))
    return Copied(sum(counts.values()), len(recorded))


def restore(folder: Path, config: Config) -> Copied:
    """Bring the backup in `folder` into the empty deployment `config` names, once the whole
    backup is checked (nothing is written from a damaged one)."""
    checked = backup_folder.verify(folder, block_bytes=config.max_block_bytes)
    if not checked.good:
        raise TransferError(checked.report(folder))
    summary = backup_folder.read_summary(folder)
    target = _Target(config)
    try:
        rows = target.load(read_table(folder, table) for table in summary["tables"])
        copies = block_store(folder, config.max_block_bytes)
        recorded = _recorded_blocks(target.db)
        _copy_blocks(copies, target.blocks, recorded)
    finally:
        target.close()
    _copy_secret_key(folder, config.data_dir)
    return Copied(rows, len(recorded))


def _copy_blocks(source: BlockStore, target: BlockStore,
                 blocks: list[tuple[str, str]]) -> None:
    for workspace_id, block_id in blocks:
        target.put(workspace_id, block_id,
                   _check_block(block_id, source.get(workspace_id, block_id)))


def migrate(config: Config, target_config: Config) -> Copied:
    """Copy the deployment `config` names into the empty one `target_config` names."""
    if (config.database_url, config.blocks_dir, config.blocks) == (
            target_config.database_url, target_config.blocks_dir, target_config.blocks):
        raise TransferError("the target is the deployment itself")
    prepare(config.database_url)
    source = connect(config.database_url)
    target = _Target(target_config)
    try:
        with source.snapshot():
            rows = target.load((table, *_rows(source, table))
                               for table in _ordered_tables(source))
            recorded = _recorded_blocks(source)
        _copy_blocks(open_block_store(config), target.blocks, recorded)
    finally:
        source.close()
        target.close()
    if target_config.data_dir != config.data_dir:
        _copy_secret_key(config.data_dir, target_config.data_dir)
    return Copied(rows, len(recorded))

