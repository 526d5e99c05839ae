"""Block bytes on disk, one file per block, written atomically.

A block is written to a temporary file in its final folder, flushed to disk, then renamed into
place: a crash never leaves a half-written block visible. An S3-compatible object store is the
scale-out equivalent (DESIGN.md §6).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class BlockStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, workspace_id: str, block_id: str) -> Path:
        return self.root / workspace_id / block_id[:2] / block_id

    def put(self, workspace_id: str, block_id: str, data: bytes | memoryview) -> None:
        path = self._path(workspace_id, block_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, workspace_id: str, block_id: str) -> bytes | None:
        path = self._path(workspace_id, block_id)
        return path.read_bytes() if path.is_file() else None

    def delete(self, workspace_id: str, block_id: str) -> None:
        self._path(workspace_id, block_id).unlink(missing_ok=True)
