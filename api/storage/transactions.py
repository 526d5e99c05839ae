"""Explicit transactions, whatever the engine (see engine.py).

Connections run in autocommit mode; a group of statements that must land together runs inside
`transaction`: all of it lands, or none of it. Write transactions run one at a time.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from api.storage.engine import Connection


def transaction(db: Connection) -> AbstractContextManager[Connection]:
    """Run the block in one write transaction: all of it lands, or none of it."""
    return db.transaction()
