"""What blocks cost: the organization's quota counts at least `MIN_CHARGED_BLOCK_BYTES` per
block (a block file takes at least a file-system block on disk, and tiny blocks must not fill the
disk for free), and a file version's size is the bytes of the blocks it names, within
`--max-file-mib`."""

from __future__ import annotations

from flask import current_app

from api.http.errors import ApiError
from api.storage.pool import get_store

MIN_CHARGED_BLOCK_BYTES = 4096


def charged_bytes(size: int) -> int:
    """What a block of `size` bytes counts against the quota."""
    return max(size, MIN_CHARGED_BLOCK_BYTES)


def check_file_bytes(workspace_id: str, block_ids: list[str]) -> None:
    """413 `file_too_large` if the blocks a file version names (repeats included) add up to more
    than the largest file allowed."""
    max_bytes = current_app.config["PARAVENT"].max_file_bytes
    store = get_store().workspaces
    sizes = {block_id: (store.block(workspace_id, block_id) or {"size": 0})["size"]
             for block_id in set(block_ids)}
    if sum(sizes[block_id] for block_id in block_ids) > max_bytes:
        raise ApiError(413, "file_too_large", f"a file is at most {max_bytes / 2**20:g} MiB")
