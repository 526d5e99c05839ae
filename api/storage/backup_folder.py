"""A backup folder's layout, and checking one on its own (`app.py verify DIR`).

    backup.json            format, schema version, tables in load order, rows per table, blocks
    tables/<table>.jsonl   first line the column names, then one JSON list per row
                           (bytes as {"b64": …})
    blocks/                the blocks the tables record, laid out like the block folder
    secret_key             the key that signs session cookies (mode 0600)

`backup.json` is written last, so a backup cut short has none. `verify` needs nothing but the
folder: every table listed is present, parses and holds the rows counted, and every block the
`blocks` table records is there and matches its name (by its format's digest).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.storage.blocks import named_by_content
from api.storage.blocks.folder import FolderBlockStore
from api.storage.migrations import MIGRATIONS

FORMAT = 1
SUMMARY = "backup.json"
TABLES = "tables"
BLOCKS = "blocks"
# Problems listed one by one before the rest are only counted.
SHOWN_PROBLEMS = 20


class DamagedBackup(ValueError):
    """A backup folder that cannot be read as one."""


def encode(value: Any) -> Any:
    return {"b64": base64.b64encode(value).decode()} if isinstance(value, bytes | memoryview) \
        else value


def decode(value: Any) -> Any:
    return base64.b64decode(value["b64"]) if isinstance(value, dict) else value


def table_path(folder: Path, table: str) -> Path:
    return folder / TABLES / f"{table}.jsonl"


def block_store(folder: Path, block_bytes: int) -> FolderBlockStore:
    return FolderBlockStore(folder / BLOCKS, block_bytes=block_bytes)


def read_summary(folder: Path) -> dict[str, Any]:
    """`backup.json`, checked to be one this server restores."""
    path = folder / SUMMARY
    if not folder.is_dir():
        raise DamagedBackup(f"{folder} does not exist or is not a folder")
    if not path.is_file():
        raise DamagedBackup(f"{path} is missing: not a backup, or one that did not finish")
    try:
        summary = json.loads(path.read_text())
        tables, rows, blocks = summary["tables"], summary["rows"], summary["blocks"]
        version = (summary["format"], summary["schema"])
    except (ValueError, KeyError, TypeError) as error:
        raise DamagedBackup(f"{path} cannot be read: {error}") from error
    if not (isinstance(tables, list) and isinstance(rows, dict) and isinstance(blocks, int)):
        raise DamagedBackup(f"{path} does not list tables, rows and blocks")
    if version != (FORMAT, MIGRATIONS[-1][0]):
        raise DamagedBackup(f"this backup has format {version[0]} and schema {version[1]}; "
                            f"this server restores format {FORMAT}, schema {MIGRATIONS[-1][0]}")
    return summary


def read_table(folder: Path, table: str) -> tuple[str, list[str], Iterator[list[Any]]]:
    """(table, column names, rows) of a backed-up table, its rows read as they are iterated."""
    path = table_path(folder, table)
    try:
        file = path.open()
    except OSError as error:
        raise DamagedBackup(f"{path} cannot be read: {error.strerror}") from error
    try:
        columns = json.loads(file.readline())
    except ValueError as error:
        file.close()
        raise DamagedBackup(f"{path} does not start with its column names") from error

    def rows() -> Iterator[list[Any]]:
        with file:
            for number, line in enumerate(file, start=2):
                try:
                    row = json.loads(line)
                except ValueError as error:
                    raise DamagedBackup(f"{path}, line {number}: not a JSON row (cut short?)"
                                        ) from error
                if not isinstance(row, list) or len(row) != len(columns):
                    raise DamagedBackup(f"{path}, line {number}: not a row of {len(columns)} "
                                        "values")
                yield [decode(value) for value in row]
    return table, columns, rows()


@dataclass
class Verified:
    """What `verify` found: counts, and every problem (empty for a good backup)."""

    rows: int = 0
    blocks: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return not self.problems

    def report(self, folder: Path) -> str:
        if self.good:
            return (f"backup {folder} is good: {self.rows} row(s), {self.blocks} block(s), "
                    "each block matching its name")
        shown = self.problems[:SHOWN_PROBLEMS]
        more = len(self.problems) - len(shown)
        return "\n".join([f"backup {folder} is damaged ({len(self.problems)} problem(s)):",
                          *(f"  - {problem}" for problem in shown),
                          *([f"  … and {more} more"] if more else [])])


def verify(folder: Path, *, block_bytes: int) -> Verified:
    """Check the backup in `folder` on its own: its summary, every table and every block."""
    verified = Verified()
    try:
        summary = read_summary(folder)
    except DamagedBackup as error:
        verified.problems.append(str(error))
        return verified
    recorded: list[tuple[str, str]] = []
    for table in summary["tables"]:
        counted = 0
        try:
            _, columns, rows = read_table(folder, table)
            for row in rows:
                counted += 1
                if table == "blocks":
                    values = dict(zip(columns, row, strict=True))
                    recorded.append((values["workspace_id"], values["block_id"]))
        except (DamagedBackup, KeyError) as error:
            verified.problems.append(str(error))
        if counted != summary["rows"].get(table):
            verified.problems.append(f"table {table} holds {counted} row(s); backup.json "
                                     f"counts {summary['rows'].get(table)}")
        verified.rows += counted
    if len(recorded) != summary["blocks"]:
        verified.problems.append(f"the blocks table records {len(recorded)} block(s); "
                                 f"backup.json counts {summary['blocks']}")
    store = block_store(folder, block_bytes)
    for workspace_id, block_id in recorded:
        data = store.get(workspace_id, block_id)
        if data is None:
            verified.problems.append(f"block {block_id} of workspace {workspace_id} is missing")
        elif not named_by_content(block_id, data):
            verified.problems.append(f"block {block_id} of workspace {workspace_id} does not "
                                     "match its name")
        else:
            verified.blocks += 1
    return verified
