"""RPC methods for download links (formats: `pycrypto_wasm.workspace.share_links`).

A member's worker makes a link from file versions the verified history records (their block
references, unchanged) and reads back the links of a workspace from their sealed copies. A
recipient's worker, with no account, derives the access proof from the URL's fragment and the
password typed, opens the link's key box and payload once the server gave them, and downloads a
file of it as the app downloads any file (`file.download_keys`, `file.decrypt_block`): the block
keys stay in the worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.random import random_id
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import Transfer, WorkerState
from pycrypto_wasm.service.workspaces import open_document
from pycrypto_wasm.workspace import share_links
from pycrypto_wasm.workspace.blocks import BlockRef

LINK_ID = re.compile(r"^l-[0-9a-f]{24}$")
MAX_LABEL = 200


def _link_id(request: Params) -> str:
    link_id = params.text(request, "link_id")
    if not LINK_ID.match(link_id):
        raise RequestError("parameter 'link_id' must be a link id (l- and 24 hex digits)")
    return link_id


def _shared_file(state: WorkerState, workspace_id: str, document: Params) -> (
    share_links.SharedFile
):
    file_id = params.text(document, "document_id")
    content = open_document(state, workspace_id, "file", file_id, document).content
    return share_links.SharedFile(
        file_id, int(document["version"]), content["name"], content["mime"], content["size"],
        [BlockRef.from_value(value) for value in content.get("blocks", [])])


def create_link(state: WorkerState, request: Params) -> Reply:
    """A new link to verified file versions: its id, the fragment for its URL, and what the
    server keeps (the page adds the expiry and the maximum of downloads)."""
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    documents = request.get("files")
    if not isinstance(documents, list) or not documents:
        raise RequestError("parameter 'files' must list the file versions to share")
    watermark = request.get("watermark") or "none"
    if watermark not in share_links.WATERMARKS:
        raise RequestError(f"parameter 'watermark' must be one of {share_links.WATERMARKS}")
    payload = share_links.LinkPayload(
        params.text(request, "label")[:MAX_LABEL], watermark, keyring.organization,
        workspace_id, [_shared_file(state, workspace_id, dict(document))
                       for document in documents])
    link_id = f"l-{random_id()[:24]}"
    password = request.get("password") or None
    if password is not None and not isinstance(password, str):
        raise RequestError("parameter 'password' must be text")
    made = share_links.new_link(link_id, payload, password)
    copy = share_links.seal_sharer_copy(
        keyring.key(keyring.current), organization=keyring.organization, workspace=workspace_id,
        link_id=link_id, copy=share_links.SharerCopy(
            made.fragment, made.link_key, payload.label,
            [shared.name for shared in payload.files]))
    return {"link_id": link_id, "fragment": params.to_b64(made.fragment),
            "body": {"link_id": link_id, "verifier": params.to_b64(made.verifier),
                     "password_header": (params.to_b64(made.password_header)
                                         if made.password_header else None),
                     "key_box": params.to_b64(made.key_box),
                     "payload": params.to_b64(made.payload),
                     "sharer_copy": params.to_b64(copy), "key_index": keyring.current,
                     "block_ids": payload.block_ids()}}


def describe_links(state: WorkerState, request: Params) -> Reply:
    """Label, files and fragment of each listed link of a workspace, from its sealed copy."""
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    described = []
    for link in request.get("links") or []:
        link_id = _link_id(link)
        try:
            copy = share_links.open_sharer_copy(
                keyring.key(int(link["key_index"])), organization=keyring.organization,
                workspace=workspace_id, link_id=link_id,
                sealed=params.b64(link, "sharer_copy"))
        except (CryptoError, KeyError, ValueError) as error:
            described.append({"link_id": link_id, "problem": str(error)})
            continue
        described.append({"link_id": link_id, "label": copy.label, "files": copy.files,
                          "fragment": params.to_b64(copy.fragment)})
    return {"links": described}


def prepare_access(state: WorkerState, request: Params) -> Reply:
    """The recipient's access proof, from the URL's fragment and the password typed (Argon2id:
    this takes a moment). The wrapping key stays in the worker for `link.open`."""
    link_id = _link_id(request)
    header_text = request.get("password_header")
    header = params.from_b64(header_text, "password_header") if header_text else None
    password = request.get("password")
    keys = share_links.recipient_keys(link_id, params.b64(request, "fragment"), header,
                                      password if isinstance(password, str) else None)
    state.opened_links[link_id] = {"wrapping_key": keys.wrapping_key}
    return {"proof": params.to_b64(keys.proof)}


def _held(state: WorkerState, link_id: str) -> dict[str, Any]:
    held = state.opened_links.get(link_id)
    if held is None:
        raise RequestError(f"link {link_id} is not open in this page")
    return held


def open_link(state: WorkerState, request: Params) -> Reply:
    """What the link shares (label, watermark, files), from the sealed parts the server gave."""
    link_id = _link_id(request)
    held = _held(state, link_id)
    link_key = share_links.open_key_box(held["wrapping_key"], link_id,
                                        params.b64(request, "key_box"))
    payload = share_links.open_payload(link_key, link_id, params.b64(request, "payload"))
    held["payload"] = payload
    return {"label": payload.label, "watermark": payload.watermark,
            "files": [{"index": index, "name": shared.name, "mime": shared.mime,
                       "size": shared.size} for index, shared in enumerate(payload.files)]}


def begin_link_download(state: WorkerState, request: Params) -> Reply:
    """File `index` of an opened link, ready for `file.download_keys` and `file.decrypt_block`,
    as a member's download is."""
    payload = _held(state, _link_id(request)).get("payload")
    index = request.get("index")
    if payload is None or not isinstance(index, int) or not 0 <= index < len(payload.files):
        raise RequestError("no such file in this link")
    shared = payload.files[index]
    state.transfers[shared.file_id] = Transfer(
        payload.workspace, shared.file_id, shared.name, shared.mime, shared.size, None,
        list(shared.blocks), organization=payload.organization)
    return {"file_id": shared.file_id, "name": shared.name, "mime": shared.mime,
            "size": shared.size, "block_ids": [ref.block_id for ref in shared.blocks]}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "link.create": create_link,
    "link.describe": describe_links,
    "link.prepare": prepare_access,
    "link.open": open_link,
    "link.begin_download": begin_link_download,
}
