"""The server's database in an attacker's hands: SQL edits made behind the application's back,
as a stolen or malicious server would make them (on whichever engine the test's app uses)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import Flask

from tests.api.conftest import database_of


@dataclass
class MaliciousServer:
    app: Flask

    def sql(self, statement: str, parameters: list[Any] | tuple[Any, ...] = ()) -> list[Any]:
        with database_of(self.app.config["PARAVENT"]) as db:
            cursor = db.execute(statement, parameters)
            return cursor.fetchall() if cursor.description else []

    def log_length(self, workspace_id: str) -> int:
        return self.sql("select count(*) from log_entries where workspace_id = ?",
                        [workspace_id])[0][0]

    def append_log(self, workspace_id: str, seq: int, kind: str, author: str,
                   entry: bytes) -> None:
        self.sql("insert into log_entries values (?, ?, ?, ?, ?, ?)",
                 [workspace_id, seq, kind, author, entry, time.time()])

    def drop_log_from(self, workspace_id: str, seq: int) -> None:
        self.sql("delete from log_entries where workspace_id = ? and seq >= ?",
                 [workspace_id, seq])

    def drop_versions_from(self, workspace_id: str, document_id: str, version: int) -> None:
        self.sql("delete from documents where workspace_id = ? and document_id = ? and "
                 "version >= ?", [workspace_id, document_id, version])

    def manifest(self, workspace_id: str, document_id: str, version: int) -> bytes:
        return self.sql("select manifest from documents where workspace_id = ? and "
                        "document_id = ? and version = ?",
                        [workspace_id, document_id, version])[0][0]
