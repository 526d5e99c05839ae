"""Encrypted file blocks: uploaded raw, named by the SHA-256 (format 2) or BLAKE2b-256 (format 1)
of their ciphertext (checked here, so a corrupted upload is refused), within a per-organization
quota. They are written and read many per request, as the browser's uploads and downloads move
them: one request per block costs Chromium more than encrypting or decrypting the block."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain, islice
from typing import TypeVar

from flask import Blueprint, Response, current_app

from api.http.errors import ApiError
from api.http.inputs import binary_body, json_body
from api.identity.sessions import login_required
from api.storage.blocks import BlockStore, named_by_content
from api.storage.pool import get_store
from api.workspaces.access import BLOCK_ID, check_id, membership
from api.workspaces.quota import charged_bytes

logger = logging.getLogger(__name__)
blueprint = Blueprint("blocks", __name__)

# Blocks one streamed read may ask for (64 MiB of 512 KiB blocks).
MAX_STREAMED_BLOCKS = 128
# Blocks one batch upload may hold, each framed by its id (32 bytes) and length (4 bytes).
MAX_UPLOADED_BLOCKS = 16
BATCH_HEADER_BYTES = 36
# Block-store calls of one request run a few at a time, and a streamed read reads a few blocks
# ahead: an object store answers each call after a network round trip; a folder's fsyncs and
# reads overlap too.
READ_AHEAD = 4
_BLOCK_IO = ThreadPoolExecutor(max_workers=8, thread_name_prefix="block-io")
T = TypeVar("T")
R = TypeVar("R")


def _quota_full() -> ApiError:
    return ApiError(413, "quota_exceeded", "your organization's storage quota is full")


def _lost(workspace_id: str, block_id: str) -> ApiError:
    logger.error("block %s of workspace %s is recorded but missing from the block store",
                 block_id, workspace_id)
    return ApiError(500, "block_lost",
                    f"block {block_id} is missing from the server's storage; tell its operator")


def _block_store() -> BlockStore:
    return current_app.extensions["paravent_blocks"]


def _each(call: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`call` on each item, a few at once; the results in order (or the first error)."""
    return list(_BLOCK_IO.map(call, items))


def _read_ahead(blocks: BlockStore, workspace_id: str,
                block_ids: list[str]) -> Iterator[tuple[str, bytes | None]]:
    """Each block in order, the next few read while the current one is sent."""
    pending: deque[tuple[str, Future[bytes | None]]] = deque()
    for block_id in block_ids:
        pending.append((block_id, _BLOCK_IO.submit(blocks.get, workspace_id, block_id)))
        if len(pending) > READ_AHEAD:
            block, future = pending.popleft()
            yield block, future.result()
    while pending:
        block, future = pending.popleft()
        yield block, future.result()


def store_blocks(workspace_id: str, organization: str,
                  blocks: list[tuple[str, memoryview]]) -> None:
    """Stores (block id, ciphertext) pairs, each checked against its name, within the
    organization's quota: all of them, or none and a clear error."""
    config = current_app.config["PARAVENT"]
    for index, (block_id, data) in enumerate(blocks):
        check_id(BLOCK_ID, block_id, "block")
        where = f"block {index} of the batch"
        if len(data) > config.max_block_bytes:
            raise ApiError(413, "too_large",
                           f"{where} is over the {config.max_block_bytes} bytes of a block")
        if not named_by_content(block_id, data):
            raise ApiError(400, "block_mismatch",
                           f"the content of {where} does not match its name")
    store = get_store().workspaces
    missing = set(store.missing_blocks(workspace_id, [block_id for block_id, _ in blocks]))
    new = {block_id: data for block_id, data in blocks if block_id in missing}
    charged = sum(charged_bytes(len(data)) for data in new.values())
    if store.organization_usage(organization) + charged > config.organization_quota_bytes:
        raise _quota_full()
    block_store = _block_store()
    _each(lambda block: block_store.put(workspace_id, *block), new.items())
    now = time.time()
    added = store.add_blocks([{"workspace_id": workspace_id, "block_id": block_id,
                               "organization_id": organization, "size": charged_bytes(len(data)),
                               "created_at": now} for block_id, data in new.items()],
                             config.organization_quota_bytes)
    if not added:
        # The files stay: another upload may have recorded and acknowledged the same block
        # meanwhile. Those no row records are the collector's (see collection.py).
        raise _quota_full()
    present = _each(lambda block_id: block_store.exists(workspace_id, block_id), new)
    for (block_id, data), there in zip(new.items(), present, strict=True):
        if not there:
            # The collector removed it as unrecorded just before this upload recorded it.
            block_store.put(workspace_id, block_id, data)


def read_batch(body: bytes) -> list[tuple[str, memoryview]]:
    """The blocks of a batch upload: frames of a raw 32-byte block id, the ciphertext's length
    (4 bytes, big-endian) and the ciphertext."""
    view = memoryview(body)
    blocks = []
    offset = 0
    while offset < len(view):
        start = offset + BATCH_HEADER_BYTES
        if start > len(view):
            raise ApiError(400, "bad_request", f"block {len(blocks)} of the batch has no header")
        length = int.from_bytes(view[offset + 32:start], "big")
        if start + length > len(view):
            raise ApiError(400, "bad_request", f"block {len(blocks)} of the batch is cut short")
        blocks.append((view[offset:offset + 32].hex(), view[start:start + length]))
        offset = start + length
        if len(blocks) > MAX_UPLOADED_BLOCKS:
            raise ApiError(413, "too_large",
                           f"a batch holds at most {MAX_UPLOADED_BLOCKS} blocks")
    if not blocks:
        raise ApiError(400, "bad_request", "the batch holds no block")
    return blocks


@blueprint.post("/api/workspaces/<workspace_id>/blocks")
@login_required
def upload_blocks(workspace_id: str) -> tuple[Response, int]:
    """Several blocks in one request, as an upload sends them: one request per block costs
    Chromium more than encrypting the block."""
    user, _ = membership(workspace_id, "contributor")
    store_blocks(workspace_id, user["organization_id"], read_batch(binary_body()))
    return Response(status=201)


@blueprint.post("/api/workspaces/<workspace_id>/blocks/stream")
@login_required
def stream_blocks(workspace_id: str) -> Response:
    """The blocks the JSON body's `block_ids` names, in that order, each preceded by its length
    (4 bytes, big-endian): one response for many blocks saves Chromium's cost per request, which
    is larger than the cost of decrypting a block. A block recorded but missing from the block
    store fails loudly: among the first `READ_AHEAD` blocks, read before the response starts, a
    clear error; after them, an aborted connection. (The blocks are not each asked for first:
    on an object store that doubled the requests of a download, for a loss the reader sees
    either way; measured in bench/README.md, "Blocks on S3".)"""
    membership(workspace_id)
    return streamed_blocks(workspace_id, json_body().get("block_ids"))


def streamed_blocks(workspace_id: str, block_ids: object,
                    allowed: Callable[[str], bool] | None = None) -> Response:
    """The streamed response of `stream_blocks` for block ids a caller was authorized to read
    (and, with `allowed`, only those it allows: a download link's)."""
    if (not isinstance(block_ids, list) or not 0 < len(block_ids) <= MAX_STREAMED_BLOCKS
            or not all(isinstance(block_id, str) for block_id in block_ids)):
        raise ApiError(400, "bad_request",
                       f"'block_ids' must list 1 to {MAX_STREAMED_BLOCKS} block ids")
    for block_id in block_ids:
        check_id(BLOCK_ID, block_id, "block")
        if allowed is not None and not allowed(block_id):
            raise ApiError(404, "not_found", f"no such block: {block_id}")
    missing = get_store().workspaces.missing_blocks(workspace_id, block_ids)
    if missing:
        raise ApiError(404, "not_found", f"no such block: {missing[0]}")
    reads = _read_ahead(_block_store(), workspace_id, block_ids)
    first = list(islice(reads, READ_AHEAD))
    for block_id, data in first:
        if data is None:
            raise _lost(workspace_id, block_id)

    def frames() -> Iterator[bytes]:
        for block_id, data in chain(first, reads):
            if data is None:
                # Lost after the response started: the exception aborts the connection, so
                # the reader sees an incomplete response, never a short one that looks whole.
                raise _lost(workspace_id, block_id)
            yield len(data).to_bytes(4, "big")
            yield data

    return Response(frames(), mimetype="application/octet-stream",
                    headers={"Cache-Control": "no-store"})
