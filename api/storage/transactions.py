"""Explicit SQLite transactions.

Connections run in autocommit mode (sqlite-utils' own calls commit as they go); a group of
statements that must land together runs inside `transaction`, using raw SQL through
`db.execute`, which does not commit behind our back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """Run the block in one immediate transaction: all of it lands, or none of it."""
    db.execute("begin immediate")
    try:
        yield db
    except BaseException:
        db.execute("rollback")
        raise
    db.execute("commit")
