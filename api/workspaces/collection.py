"""Collection of storage nobody uses any more, run by the server at start-up and every few
hours, and by `python app.py collect-garbage`.

Deleting a file writes a new version marked deleted, so its history (and its blocks) stay until
the retention period is over; then every version of the file is forgotten. A block that no file
version uses (those files' blocks, an upload cancelled or abandoned halfway) is removed from the
block store and from its organization's quota once it is older than a grace period, so an upload
still in progress is never touched.

The block store itself may hold what no row records: `.incoming-*` files a crash left halfway,
blocks written by an upload that crashed or was refused at the quota before recording them.
Those are removed too once older than a shorter grace period (an upload writes its blocks and
records them within one request). A block is removed only while a write transaction shows no
row records it, and an upload checks its blocks are still there after recording them (see
blocks.py), so whichever comes first, no recorded block loses its bytes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from api.config import Config
from api.storage.blocks import BlockStore, StoredEntry
from api.storage.blocks.configured import open_block_store
from api.storage.sqlstore import open_store
from api.storage.workspaces import WorkspaceStore
from api.workspaces.access import BLOCK_ID

UPLOAD_GRACE_SECONDS = 24 * 3600
UNRECORDED_GRACE_SECONDS = 3600


@dataclass(frozen=True)
class Collected:
    files: int
    blocks: int
    bytes: int
    unrecorded: int


def collect_garbage(config: Config, now: float | None = None) -> Collected:
    now = time.time() if now is None else now
    store = open_store(config)
    blocks = open_block_store(config)
    try:
        files = store.workspaces.purge_deleted_files(
            now - config.deleted_file_retention_days * 86400)
        unused = store.workspaces.unreferenced_blocks(now - UPLOAD_GRACE_SECONDS)
        for block in unused:
            store.workspaces.forget_block(block)
            blocks.delete(block["workspace_id"], block["block_id"])
        unrecorded = _remove_unrecorded(store.workspaces, blocks,
                                        now - UNRECORDED_GRACE_SECONDS)
    finally:
        store.close()
    return Collected(files, len(unused), sum(block["size"] for block in unused), unrecorded)


def _remove_unrecorded(store: WorkspaceStore, blocks: BlockStore, written_before: float) -> int:
    """Remove what the block store holds, older than the date, that no block row records."""
    candidates: dict[str, list[StoredEntry]] = defaultdict(list)
    for entry in blocks.entries():
        if entry.modified < written_before:
            candidates[entry.workspace_id].append(entry)
    removed = 0
    for workspace_id, entries in candidates.items():
        named = [entry.name for entry in entries if BLOCK_ID.fullmatch(entry.name)]
        unrecorded = set(store.missing_blocks(workspace_id, named))
        for entry in entries:
            if not BLOCK_ID.fullmatch(entry.name):
                blocks.remove(entry)
                removed += 1
            elif entry.name in unrecorded and store.unless_recorded(
                    workspace_id, entry.name, lambda entry=entry: blocks.remove(entry)):
                removed += 1
    return removed
