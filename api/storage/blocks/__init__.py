"""Where block bytes live: the interface every block store offers.

Two stores implement it: a local folder with one file per block, written atomically (`folder.py`,
the default), and an S3-compatible object store (`s3.py`, the scale-out equivalent, DESIGN.md §6).
`configured.py` opens the one the configuration names. A block is named by the digest of its
bytes that its format (its first byte) names: `named_by_content` is the one check the server,
backups and migrations apply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

WHAT = "block storage"

# How each block format names a block: its first byte is the format.
_BLOCK_DIGESTS: dict[int, Callable[[bytes | memoryview], str]] = {
    1: lambda data: hashlib.blake2b(data, digest_size=32).hexdigest(),
    2: lambda data: hashlib.sha256(data).hexdigest(),
}


def named_by_content(block_id: str, data: bytes | memoryview) -> bool:
    """Whether `block_id` is the digest of `data` its format names (SHA-256 for format 2,
    BLAKE2b-256 for format 1); a block of no known format never is."""
    digest = _BLOCK_DIGESTS.get(data[0]) if len(data) else None
    return digest is not None and digest(data) == block_id


@dataclass(frozen=True)
class StoredEntry:
    """Something the block store holds: a block (`name` is its id) or a crash's leftover."""

    workspace_id: str
    name: str
    modified: float
    location: str


class BlockStore(Protocol):
    def prepare(self) -> None:
        """Create what the store needs (its folder, its bucket) unless it exists."""

    def put(self, workspace_id: str, block_id: str, data: bytes | memoryview) -> None:
        """Store the block durably (raises StorageFull or StorageUnavailable)."""

    def get(self, workspace_id: str, block_id: str) -> bytes | None:
        """The block's bytes, or None if the store does not hold it."""

    def exists(self, workspace_id: str, block_id: str) -> bool: ...

    def delete(self, workspace_id: str, block_id: str) -> None:
        """Remove the block; nothing if it is already gone."""

    def entries(self) -> Iterator[StoredEntry]:
        """Everything the store holds, blocks and leftovers."""

    def remove(self, entry: StoredEntry) -> None:
        """Remove what `entries` listed; nothing if it is already gone."""

    def health(self) -> str:
        """"ok", "full" (a block would not fit) or "unavailable" (cannot be written)."""
