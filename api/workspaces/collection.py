"""Collection of storage nobody uses any more, run by the server every few hours and by
`python app.py collect-garbage`.

Deleting a file writes a new version marked deleted, so its history (and its blocks) stay until
the retention period is over; then every version of the file is forgotten. A block that no file
version uses (those files' blocks, an upload cancelled or abandoned halfway) is removed from the
block store and from its organization's quota once it is older than a grace period, so an upload
still in progress is never touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from api.config import Config
from api.storage.blockstore import BlockStore
from api.storage.sqlite import SqliteStore

UPLOAD_GRACE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Collected:
    files: int
    blocks: int
    bytes: int


def collect_garbage(config: Config, now: float | None = None) -> Collected:
    now = time.time() if now is None else now
    store = SqliteStore(config.database_path)
    blocks = BlockStore(config.blocks_dir)
    try:
        files = store.workspaces.purge_deleted_files(
            now - config.deleted_file_retention_days * 86400)
        unused = store.workspaces.unreferenced_blocks(now - UPLOAD_GRACE_SECONDS)
        for block in unused:
            store.workspaces.forget_block(block)
            blocks.delete(block["workspace_id"], block["block_id"])
    finally:
        store.close()
    return Collected(files, len(unused), sum(block["size"] for block in unused))
