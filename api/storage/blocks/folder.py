"""Block bytes in a local folder (the default), one file per block, written atomically.

A block is written to a temporary `.incoming-*` file in its final folder, flushed to disk,
renamed into place, then the folder itself is flushed so the rename survives a power cut: a
crash never leaves a half-written block visible. What a crash can leave (an `.incoming-*` file,
a block file whose row was never recorded) is listed by `entries` for the collector to remove.
Writes run off the gevent hub (`api.storage.blocking`): an fsync holds up one request, not all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from api.storage.blocking import off_hub
from api.storage.blocks import WHAT, StoredEntry
from api.storage.faults import fault_of_os_error


class FolderBlockStore:
    def __init__(self, root: Path, *, block_bytes: int) -> None:
        self.root = root
        self._block_bytes = block_bytes

    def _path(self, workspace_id: str, block_id: str) -> Path:
        return self.root / workspace_id / block_id[:2] / block_id

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, workspace_id: str, block_id: str, data: bytes | memoryview) -> None:
        off_hub(_write_durably, self._path(workspace_id, block_id), data)

    def get(self, workspace_id: str, block_id: str) -> bytes | None:
        try:
            return self._path(workspace_id, block_id).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise fault_of_os_error(error, WHAT) from error

    def exists(self, workspace_id: str, block_id: str) -> bool:
        return self._path(workspace_id, block_id).is_file()

    def delete(self, workspace_id: str, block_id: str) -> None:
        self._path(workspace_id, block_id).unlink(missing_ok=True)

    def entries(self) -> Iterator[StoredEntry]:
        if not self.root.is_dir():
            return
        for workspace in self.root.iterdir():
            for path in workspace.glob("*/*"):
                try:
                    modified = path.stat().st_mtime
                except FileNotFoundError:
                    continue
                yield StoredEntry(workspace.name, path.name, modified,
                                  str(path.relative_to(self.root)))

    def remove(self, entry: StoredEntry) -> None:
        (self.root / entry.location).unlink(missing_ok=True)

    def health(self) -> str:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".incoming-health-") as probe:
                probe.write(b"probe")
                probe.flush()
                os.fsync(probe.fileno())
            free = shutil.disk_usage(self.root).free
        except OSError as error:
            return "full" if fault_of_os_error(error, WHAT).status == 507 else "unavailable"
        return "ok" if free >= self._block_bytes else "full"


def _write_durably(path: Path, data: bytes | memoryview) -> None:
    """`data` as the file `path`: written to a temporary file, flushed, renamed into place, and
    the rename flushed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    except OSError as error:
        raise fault_of_os_error(error, WHAT) from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
        _sync_folder(path.parent)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise fault_of_os_error(error, WHAT) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entries (a rename into it) to disk."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
