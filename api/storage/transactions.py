"""Explicit SQLite transactions.

Connections run in autocommit mode (sqlite-utils' own calls commit as they go); a group of
statements that must land together runs inside `transaction`, using raw SQL through
`db.execute`, which does not commit behind our back.

SQLite lets one writer in at a time and makes the others poll with growing sleeps (1, 2, 5,
10 ms...). Writers of this process queue on a lock instead, so concurrent uploads wait only as
long as the transaction ahead of them takes; other processes are still kept out by SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

_WRITER = threading.Lock()


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """Run the block in one immediate transaction: all of it lands, or none of it."""
    with _WRITER:
        db.execute("begin immediate")
        try:
            yield db
        except BaseException:
            db.execute("rollback")
            raise
        db.execute("commit")
