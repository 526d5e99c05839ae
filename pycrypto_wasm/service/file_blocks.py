"""RPC methods for format-2 file blocks, which the crypto worker's own JavaScript encrypts and
decrypts with WebCrypto (web/worker/block-cipher.js): what it needs to bind each block to its
place and pad the last one, the references it records as it uploads, and the keys it needs to
download. The worker refuses these methods to the page: block keys stay in the worker.
"""

from __future__ import annotations

from collections.abc import Callable

from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import Transfer, WorkerState
from pycrypto_wasm.workspace import webcrypto_blocks
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE

# Methods whose replies carry block keys: the worker's JavaScript may call them, the page may not.
WORKER_ONLY = ("file.upload_layout", "file.record_block", "file.download_keys")


def _transfer(state: WorkerState, request: Params) -> Transfer:
    return params.in_progress(state.transfers, request, "file_id", "file transfer")


def _prefix(state: WorkerState, transfer: Transfer) -> bytes:
    return webcrypto_blocks.associated_data_prefix(
        organization=state.organization_of(transfer),
        workspace=transfer.workspace_id, file_id=transfer.file_id)


def upload_layout(state: WorkerState, request: Params) -> Reply:
    """How the blocks of a file being uploaded are bound to it, and the last one padded."""
    transfer = _transfer(state, request)
    return {"format": webcrypto_blocks.FORMAT, "prefix": _prefix(state, transfer),
            "last_padded_size": webcrypto_blocks.padded_last_block(transfer.size)}


def record_block(state: WorkerState, request: Params) -> Reply:
    """Records the key and SHA-256 of a block the worker encrypted, for the file manifest."""
    transfer = _transfer(state, request)
    index = request.get("index")
    if not isinstance(index, int) or not 0 <= index < len(transfer.blocks):
        raise RequestError("block index out of range")
    size = min(BLOCK_SIZE, transfer.size - index * BLOCK_SIZE)
    ref = webcrypto_blocks.block_ref(key=params.buffer(request, "key"),
                                     digest=params.buffer(request, "digest"), size=size)
    transfer.blocks[index] = ref
    return {"block_id": ref.block_id}


def download_keys(state: WorkerState, request: Params) -> Reply:
    """For each block of a file being downloaded: its format and, for format 2, what opening it
    needs. Format-1 blocks are decrypted by `file.decrypt_block`."""
    transfer = _transfer(state, request)
    refs = [ref for ref in transfer.blocks if ref is not None]
    padded = webcrypto_blocks.padded_sizes(refs, transfer.size)
    blocks = [{"format": ref.format} if ref.format != webcrypto_blocks.FORMAT else
              {"format": ref.format, "key": ref.key, "digest": ref.digest, "size": ref.size,
               "padded_size": padded_size}
              for ref, padded_size in zip(refs, padded, strict=True)]
    return {"prefix": _prefix(state, transfer), "blocks": blocks}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "file.upload_layout": upload_layout,
    "file.record_block": record_block,
    "file.download_keys": download_keys,
}
