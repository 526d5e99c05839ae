"""Storage faults the client and the operator must see for what they are: a full disk (507
`storage_full`) or storage that cannot be written or reached (503 `storage_unavailable`),
instead of a generic 500.

The block stores raise these themselves; errors of the database drivers are classified here,
and `init_storage_faults` turns them into the same replies.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import tempfile
from pathlib import Path

from flask import Flask, Response

from api.http.errors import ApiError, error_response

logger = logging.getLogger(__name__)

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_SQLITE_FULL = {sqlite3.SQLITE_FULL}
_SQLITE_UNAVAILABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
                       sqlite3.SQLITE_PERM}
# PostgreSQL's SQLSTATE classes: 53 "insufficient resources", 08 "connection exception",
# 25006 "read only SQL transaction", 57P "operator intervention" (shutdown), 58 "system error".
_POSTGRES_FULL = ("53100",)
_POSTGRES_UNAVAILABLE = ("08", "25006", "57P", "58")


class StorageFull(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(507, "storage_full", f"the server's {what} is full; tell its operator")


class StorageUnavailable(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(503, "storage_unavailable",
                         f"the server's {what} cannot be written or reached; tell its operator")


def fault_of_os_error(error: OSError, what: str) -> ApiError:
    """The reply an OS error met while reading or writing `what` deserves."""
    if error.errno in _FULL_ERRNOS:
        return StorageFull(what)
    return StorageUnavailable(what)


def fault_of_database_error(error: Exception) -> ApiError | None:
    """The reply a database driver's error deserves, or None if it is not a storage fault."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary in _SQLITE_FULL:
            return StorageFull("database")
        if primary in _SQLITE_UNAVAILABLE:
            return StorageUnavailable("database")
        return None
    sqlstate = getattr(error, "sqlstate", None) or ""
    if sqlstate.startswith(_POSTGRES_FULL):
        return StorageFull("database")
    if sqlstate.startswith(_POSTGRES_UNAVAILABLE) or (
            type(error).__name__ == "OperationalError" and not sqlstate):
        return StorageUnavailable("database")
    return None


def database_error_types() -> tuple[type[Exception], ...]:
    """The drivers' error roots: SQLite always, psycopg when it is installed."""
    try:
        import psycopg
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


def folder_problem(folder: Path) -> str | None:
    """Why `folder` cannot hold Paravent's data (it cannot be created or written), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-") as probe:
            probe.write(b"probe")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        return f"cannot write the data folder {folder}: {error.strerror or error}"
    return None


def init_storage_faults(app: Flask) -> None:
    def _database_fault(error: Exception) -> Response:
        fault = fault_of_database_error(error)
        if fault is None:
            logger.error("database error", exc_info=error)
            return error_response(500, "internal_error", "the server failed; try again later")
        logger.error("database fault: %s", error)
        if isinstance(fault, StorageUnavailable):
            # A database that went away took every idle connection with it; each would fail
            # one more request, one after the other, long after the database is back.
            app.extensions["paravent_store_pool"].close_idle()
        return error_response(fault.status, fault.code, fault.message)

    for error_type in database_error_types():
        app.register_error_handler(error_type, _database_fault)
