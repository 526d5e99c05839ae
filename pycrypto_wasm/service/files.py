"""RPC methods for files: encrypt a file block by block as the worker streams it to the server,
seal the file manifest listing every block's key and digest, and decrypt blocks for download,
each checked against that manifest.

Uploads and downloads in progress keep their block references here, in the worker, never in the
page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.random import random_id
from pycrypto_wasm.service import dropbox as dropbox_service
from pycrypto_wasm.service import history as history_service
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import Transfer, WorkerState
from pycrypto_wasm.service.workspaces import open_document, open_documents
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE, BlockRef, decrypt_block, encrypt_block
from pycrypto_wasm.workspace.manifest import ManifestVersion, seal_manifest

MAX_NAME = 255
FILE_ID = re.compile(r"^f-[0-9a-f]{24}$")


def _transfer(state: WorkerState, request: Params) -> Transfer:
    return params.in_progress(state.transfers, request, "file_id", "file transfer")


def begin_upload(state: WorkerState, request: Params) -> Reply:
    """A file's upload begins: its id is new, or the one the caller chose (a batch's result,
    whose id says whether it was sent)."""
    workspace_id = params.text(request, "workspace_id")
    state.keyring(workspace_id)
    size = request.get("size")
    if not isinstance(size, int) or size < 0:
        raise RequestError("parameter 'size' must be a whole number of bytes")
    file_id = request.get("file_id") or f"f-{random_id()[:24]}"
    if not isinstance(file_id, str) or not FILE_ID.match(file_id):
        raise RequestError("parameter 'file_id' must be a file id (f- and 24 hex digits)")
    count = max(1, -(-size // BLOCK_SIZE))
    state.transfers[file_id] = Transfer(
        workspace_id, file_id, params.text(request, "name")[:MAX_NAME],
        str(request.get("mime") or "application/octet-stream"), size,
        request.get("dossier_id"), [None] * count,
        outside=dropbox_service.outside_mark(state, request.get("deposit_file")),
    )
    return {"file_id": file_id, "block_size": BLOCK_SIZE, "block_count": count}


def encrypt_file_block(state: WorkerState, request: Params) -> Reply:
    transfer = _transfer(state, request)
    index = int(request.get("index", -1))
    if not 0 <= index < len(transfer.blocks):
        raise RequestError("block index out of range")
    keyring = state.keyring(transfer.workspace_id)
    ref, ciphertext = encrypt_block(
        params.buffer(request, "data"), organization=keyring.organization,
        workspace=transfer.workspace_id, file_id=transfer.file_id, index=index,
    )
    transfer.blocks[index] = ref
    return {"block_id": ref.block_id, "ciphertext": ciphertext}


def finish_upload(state: WorkerState, request: Params) -> Reply:
    """The file manifest (version 1), once every block is encrypted, and the entry recording it
    in the history. The transfer stays until `file.end_transfer`, so that a write that met a
    newer history is sealed again after reading it."""
    transfer = _transfer(state, request)
    if any(ref is None for ref in transfer.blocks):
        raise RequestError("some blocks of this file were not encrypted")
    bundle = state.identity()
    manifest = seal_manifest(
        state.keyring(transfer.workspace_id), bundle.signing_key, author=bundle.user_id,
        kind="file", document_id=transfer.file_id, version=1,
        content={"name": transfer.name, "mime": transfer.mime, "size": transfer.size,
                 "dossier_id": transfer.dossier_id,
                 "blocks": [ref.to_value() for ref in transfer.blocks if ref is not None],
                 **({"outside": transfer.outside} if transfer.outside else {})},
    )
    entry = history_service.document_entry(state, transfer.workspace_id, "file",
                                           transfer.file_id, 1, manifest)
    return {"document_id": transfer.file_id, "version": 1, "manifest": params.to_b64(manifest),
            "block_ids": [ref.block_id for ref in transfer.blocks if ref is not None],
            "log_entry": entry}


def _open_file(state: WorkerState, workspace_id: str, file_id: str,
               document: Params) -> ManifestVersion:
    return open_document(state, workspace_id, "file", file_id, document)


def revise_file(state: WorkerState, request: Params) -> Reply:
    """A new version of a file with the content of a verified version `source` (the latest to
    delete or undelete it, an older one to restore it), marked deleted or not."""
    workspace_id = params.text(request, "workspace_id")
    file_id = params.text(request, "document_id")
    source = _open_file(state, workspace_id, file_id, dict(request.get("source") or {}))
    version = int(request.get("expected_version") or 0) + 1
    content = {**source.content, "deleted": bool(request.get("deleted"))}
    bundle = state.identity()
    manifest = seal_manifest(state.keyring(workspace_id), bundle.signing_key,
                             author=bundle.user_id, kind="file", document_id=file_id,
                             version=version, content=content)
    entry = history_service.document_entry(state, workspace_id, "file", file_id, version,
                                           manifest, deleted=content["deleted"])
    return {"document_id": file_id, "version": version, "manifest": params.to_b64(manifest),
            "deleted": content["deleted"], "log_entry": entry,
            "block_ids": [BlockRef.from_value(v).block_id for v in content.get("blocks", [])]}


def begin_download(state: WorkerState, request: Params) -> Reply:
    workspace_id = params.text(request, "workspace_id")
    file_id = params.text(request, "document_id")
    content = _open_file(state, workspace_id, file_id, request).content
    blocks = [BlockRef.from_value(value) for value in content.get("blocks", [])]
    state.transfers[file_id] = Transfer(workspace_id, file_id, content["name"], content["mime"],
                                        content["size"], content.get("dossier_id"), blocks)
    return {"file_id": file_id, "name": content["name"], "mime": content["mime"],
            "size": content["size"], "block_ids": [ref.block_id for ref in blocks]}


def decrypt_file_block(state: WorkerState, request: Params) -> Reply:
    transfer = _transfer(state, request)
    index = int(request.get("index", -1))
    ref = transfer.blocks[index] if 0 <= index < len(transfer.blocks) else None
    if ref is None:
        raise RequestError("block index out of range")
    try:
        plaintext = decrypt_block(
            ref, params.buffer(request, "ciphertext"),
            organization=state.organization_of(transfer), workspace=transfer.workspace_id,
            file_id=transfer.file_id, index=index,
        )
    except CryptoError as error:
        raise type(error)(f"«{transfer.name}»: {error}") from error
    return {"data": plaintext}


def describe_files(state: WorkerState, request: Params) -> Reply:
    """Name, type, size and dossier of each file document (no keys leave the worker)."""
    files = []
    results, stale = open_documents(state, request, "file")
    for file_id, opened, problem in results:
        if opened is None:
            files.append({"document_id": file_id, "problem": problem})
            continue
        content = opened.content
        files.append({"document_id": file_id, "version": opened.version,
                      "name": content["name"], "mime": content["mime"], "size": content["size"],
                      "dossier_id": content.get("dossier_id"),
                      "outside": content.get("outside"),
                      "deleted": bool(content.get("deleted")), "written_at": opened.written_at,
                      "author_name": state.display_name(opened.author),
                      "unconfirmed": history_service.unconfirmed_version(
                          state, params.text(request, "workspace_id"), file_id,
                          opened.version)})
    return {"files": files, "stale": stale}


def end_transfer(state: WorkerState, request: Params) -> Reply:
    state.transfers.pop(params.text(request, "file_id"), None)
    return {"ended": True}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "file.begin_upload": begin_upload,
    "file.encrypt_block": encrypt_file_block,
    "file.finish_upload": finish_upload,
    "file.begin_download": begin_download,
    "file.decrypt_block": decrypt_file_block,
    "file.end_transfer": end_transfer,
    "file.revise": revise_file,
    "file.describe": describe_files,
}
