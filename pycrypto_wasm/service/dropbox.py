"""RPC methods for drop boxes (formats in workspace/dropbox.py).

Members: make a drop link (its secret, drop key pair and sealed descriptor), read their space's
links (re-sealing those under a superseded workspace key), open and verify deposits (a deposit
the link did not sign is refused by name), and read a deposited file's blocks to file it into
the dossier; the file's manifest then carries the "received from outside" mark, which this
worker writes from the verified deposit, never from the page's word.
Depositors (no account, no keys of their own): read the link's info with its secret, encrypt
each file block by block, and sign the deposit with the link's key. Block keys stay here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.random import random_bytes, random_id
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import Transfer, WorkerState
from pycrypto_wasm.signing import SigningKey, VerifyKey
from pycrypto_wasm.workspace import dropbox
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE, BlockRef, encrypt_block
from pycrypto_wasm.workspace.manifest import ManifestVersion, open_manifest, seal_manifest

MAX_LABEL = 200
MAX_FILES = 100


@dataclass
class SendingFile:
    name: str
    mime: str
    size: int
    blocks: list[BlockRef | None]
    sha256: Any = field(default_factory=hashlib.sha256, repr=False)
    hashed_blocks: int = 0


@dataclass
class SendingDeposit:
    """A deposit this page is sending through a drop link."""

    deposit_id: str
    link_id: str
    organization: str
    workspace: str
    drop_key: PublicKey
    signing_key: SigningKey = field(repr=False)
    files: list[SendingFile] = field(default_factory=list)


def _place(request: Params) -> dict[str, str]:
    return {"organization": params.text(request, "organization_id"),
            "workspace": params.text(request, "workspace_id")}


def _whole(request: Params, name: str, low: int, high: int) -> int:
    value = params.whole_number(request, name)
    if not low <= value <= high:
        raise RequestError(f"parameter {name!r} must be between {low} and {high}")
    return value


# Members --------------------------------------------------------------------------------------

def create_link(state: WorkerState, request: Params) -> Reply:
    """A new drop link of a dossier: what the server stores, and the secret for its URL."""
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    state.require_fresh(workspace_id)
    bundle = state.identity()
    label = params.text(request, "label")[:MAX_LABEL]
    password = request.get("password") or ""
    if not isinstance(password, str):
        raise RequestError("parameter 'password' must be text")
    link_id = f"l-{random_id()[:24]}"
    secret = random_bytes(dropbox.SECRET_SIZE)
    keys = dropbox.link_keys(secret, password)
    drop_key = PrivateKey.generate()
    info = {"label": label, "drop_key": drop_key.public_key.key,
            "max_files": _whole(request, "max_files", 1, MAX_FILES),
            "max_file_bytes": params.whole_number(request, "max_file_bytes"),
            "password": bool(password), "password_version": dropbox.PASSWORD_VERSION,
            "email_required": bool(request.get("email_required"))}
    descriptor = seal_manifest(keyring, bundle.signing_key, author=bundle.user_id,
                               kind=dropbox.DESCRIPTOR_KIND, document_id=link_id, version=1,
                               content={**info, "dossier_id": request.get("dossier_id"),
                                        "secret": secret, "drop_seed": drop_key.seed,
                                        "verify_key": keys.signing_key.verify_key.key})
    sealed_info = dropbox.seal_link_info(keys.info_key, info, organization=keyring.organization,
                                         workspace=workspace_id, link_id=link_id)
    return {"link_id": link_id, "secret": params.to_b64(secret), "version": 1,
            "descriptor": params.to_b64(descriptor), "link_info": params.to_b64(sealed_info),
            "verify_key": params.to_b64(keys.signing_key.verify_key.key)}


def _open_descriptor(state: WorkerState, workspace_id: str, link: Params) -> ManifestVersion:
    return open_manifest(params.b64(link, "descriptor"), state.keyring(workspace_id),
                         kind=dropbox.DESCRIPTOR_KIND, document_id=params.text(link, "link_id"),
                         version=params.whole_number(link, "version"),
                         author_key=state.verify_key_of)


def describe_links(state: WorkerState, request: Params) -> Reply:
    """Each link's label, dossier and URL secret, as its creator sealed them (or the problem),
    and whether it is sealed under a key a rotation has superseded (`dropbox.reseal_link`)."""
    workspace_id = params.text(request, "workspace_id")
    current = state.keyring(workspace_id).current
    links = []
    for link in request.get("links") or []:
        link = dict(link)
        try:
            opened = _open_descriptor(state, workspace_id, link)
        except CryptoError as error:
            links.append({"link_id": link.get("link_id"), "problem": str(error)})
            continue
        content = opened.content
        links.append({"link_id": opened.document_id, "label": content["label"],
                      "dossier_id": content.get("dossier_id"),
                      "secret": params.to_b64(content["secret"]),
                      "password": content["password"],
                      "author_name": state.display_name(opened.author),
                      "stale_key": opened.key_index != current})
    return {"links": links}


def reseal_link(state: WorkerState, request: Params) -> Reply:
    """The next version of a link's descriptor, sealed under the workspace's current key."""
    workspace_id = params.text(request, "workspace_id")
    link = dict(request.get("link") or {})
    opened = _open_descriptor(state, workspace_id, link)
    bundle = state.identity()
    version = opened.version + 1
    descriptor = seal_manifest(state.keyring(workspace_id), bundle.signing_key,
                               author=bundle.user_id, kind=dropbox.DESCRIPTOR_KIND,
                               document_id=opened.document_id, version=version,
                               content=opened.content)
    return {"link_id": opened.document_id, "version": version,
            "descriptor": params.to_b64(descriptor)}


def _opened_deposit(state: WorkerState, workspace_id: str, deposit: Params,
                    link: ManifestVersion) -> Reply:
    """One deposit verified against its link's key and opened with its drop key."""
    keyring = state.keyring(workspace_id)
    place = {"organization": keyring.organization, "workspace": workspace_id}
    deposit_id = params.text(deposit, "deposit_id")
    sealed = params.b64(deposit, "sealed")
    files = deposit.get("files")
    if not isinstance(files, list):
        raise RequestError("a deposit lists its files' block ids")
    label = link.content["label"]
    claims = dropbox.signed_claims(link_id=link.document_id, deposit_id=deposit_id,
                                   sealed=sealed, files=files)
    dropbox.verify_deposit(VerifyKey(link.content["verify_key"]),
                           params.b64(deposit, "signature"), claims, label=label, **place)
    content = dropbox.open_deposit(PrivateKey(link.content["drop_seed"]), sealed,
                                   deposit_id=deposit_id, **place)
    listed = [[BlockRef.from_value(ref).block_id for ref in file["blocks"]]
              for file in content["files"]]
    if content.get("link") != link.document_id or listed != files:
        raise dropbox.ForgedDepositError(
            f"deposit {deposit_id} is not what drop link «{label}» signed: refused")
    depositor = content.get("depositor") or {}
    email = depositor.get("email") or None
    confirmed = bool(email) and deposit.get("confirmed_email") == email
    mark = {"link_id": link.document_id, "label": label, "deposit_id": deposit_id,
            "name": str(depositor.get("name") or ""), "email": email,
            "email_confirmed": confirmed, "sent_at": content.get("sent_at")}
    state.opened_deposits[deposit_id] = (mark, content["files"])
    return {**mark, "dossier_id": link.content.get("dossier_id"),
            "received_at": deposit.get("received_at"), "filed": bool(deposit.get("filed_at")),
            "files": [{"index": index, "name": file["name"], "mime": file["mime"],
                       "size": file["size"], "sha256": file["sha256"].hex()}
                      for index, file in enumerate(content["files"])]}


def open_deposits(state: WorkerState, request: Params) -> Reply:
    """The space's deposits, each verified and opened, or refused by name (forged)."""
    workspace_id = params.text(request, "workspace_id")
    links: dict[str, ManifestVersion] = {}
    for link in request.get("links") or []:
        try:
            opened = _open_descriptor(state, workspace_id, dict(link))
        except CryptoError:
            continue
        links[opened.document_id] = opened
    deposits = []
    for deposit in request.get("deposits") or []:
        deposit = dict(deposit)
        link = links.get(str(deposit.get("link_id")))
        try:
            if link is None:
                raise dropbox.ForgedDepositError(
                    f"deposit {deposit.get('deposit_id')} names no drop link of this space: "
                    "refused")
            deposits.append(_opened_deposit(state, workspace_id, deposit, link))
        except CryptoError as error:
            deposits.append({"deposit_id": deposit.get("deposit_id"),
                             "link_id": deposit.get("link_id"),
                             "problem": str(error), "code": error.code})
    return {"deposits": deposits}


def begin_read(state: WorkerState, request: Params) -> Reply:
    """Read file `index` of an opened deposit: blocks then go through `file.decrypt_block`."""
    workspace_id = params.text(request, "workspace_id")
    deposit_id = params.text(request, "deposit_id")
    _, files = params.in_progress(state.opened_deposits, request, "deposit_id", "deposit")
    index = params.whole_number(request, "index")
    if index >= len(files):
        raise RequestError("no such file in this deposit")
    file = files[index]
    refs = [BlockRef.from_value(ref) for ref in file["blocks"]]
    file_id = dropbox.deposit_file_id(deposit_id, index)
    state.transfers[file_id] = Transfer(workspace_id, file_id, file["name"], file["mime"],
                                        file["size"], None, list(refs))
    return {"file_id": file_id, "name": file["name"], "mime": file["mime"],
            "size": file["size"], "block_ids": [ref.block_id for ref in refs]}


def outside_mark(state: WorkerState, deposit_file: Any) -> dict[str, Any] | None:
    """The mark a file filed from deposit file `<deposit id>.<index>` carries, from the deposit
    this worker verified (None when no deposit is named)."""
    if deposit_file is None:
        return None
    deposit_id, _, index = str(deposit_file).rpartition(".")
    opened = state.opened_deposits.get(deposit_id)
    if opened is None or not index.isdigit() or int(index) >= len(opened[1]):
        raise RequestError("no such verified deposit in this browser")
    return dict(opened[0])


# Depositors -----------------------------------------------------------------------------------

def _link_info(request: Params, info_key: bytes) -> dict[str, Any]:
    return dropbox.open_link_info(info_key, params.b64(request, "link_info"),
                                  link_id=params.text(request, "link_id"), **_place(request))


def open_link(_state: WorkerState, request: Params) -> Reply:
    """What the depositor's page shows of a link: its label and limits."""
    info = _link_info(request, dropbox.info_key(params.b64(request, "secret")))
    return {name: info[name] for name in ("label", "max_files", "max_file_bytes", "password",
                                          "email_required")}


def begin_deposit(state: WorkerState, request: Params) -> Reply:
    """A new deposit through a link, and the proof (signed with the link's key) that opens it."""
    secret = params.b64(request, "secret")
    password = request.get("password") or ""
    if not isinstance(password, str):
        raise RequestError("parameter 'password' must be text")
    info = _link_info(request, dropbox.info_key(secret))
    keys = dropbox.link_keys(secret, password, version=dropbox.password_version(info))
    place = _place(request)
    link_id = params.text(request, "link_id")
    deposit_id = f"d-{random_id()[:24]}"
    state.sending_deposits[deposit_id] = SendingDeposit(
        deposit_id, link_id, place["organization"], place["workspace"], PublicKey(info["drop_key"]),
        keys.signing_key)
    claims = dropbox.signed_claims(link_id=link_id, deposit_id=deposit_id, sealed=b"", files=[])
    proof = dropbox.sign_deposit(keys.signing_key, claims, **place)
    return {"deposit_id": deposit_id, "proof": params.to_b64(proof)}


def _sending(state: WorkerState, request: Params) -> SendingDeposit:
    return params.in_progress(state.sending_deposits, request, "deposit_id", "deposit")


def add_file(state: WorkerState, request: Params) -> Reply:
    deposit = _sending(state, request)
    size = params.whole_number(request, "size")
    count = max(1, -(-size // BLOCK_SIZE))
    deposit.files.append(SendingFile(params.text(request, "name")[:255],
                                     str(request.get("mime") or "application/octet-stream"),
                                     size, [None] * count))
    return {"index": len(deposit.files) - 1, "block_size": BLOCK_SIZE, "block_count": count}


def encrypt_deposit_block(state: WorkerState, request: Params) -> Reply:
    """Block `block` of file `index`, encrypted (blocks come in order: the receipt's SHA-256 of
    each file is computed as they pass)."""
    deposit = _sending(state, request)
    index = params.whole_number(request, "index")
    if index >= len(deposit.files):
        raise RequestError("no such file in this deposit")
    file = deposit.files[index]
    block = params.whole_number(request, "block")
    if block != file.hashed_blocks or block >= len(file.blocks):
        raise RequestError("a deposit's blocks are encrypted in order")
    data = params.buffer(request, "data")
    ref, ciphertext = encrypt_block(
        data, organization=deposit.organization, workspace=deposit.workspace,
        file_id=dropbox.deposit_file_id(deposit.deposit_id, index), index=block)
    file.sha256.update(data)
    file.hashed_blocks += 1
    file.blocks[block] = ref
    return {"block_id": ref.block_id, "ciphertext": ciphertext}


def finish_deposit(state: WorkerState, request: Params) -> Reply:
    """The sealed deposit, its signature and the depositor's receipt (names, sizes, SHA-256)."""
    deposit = _sending(state, request)
    deposit_id = deposit.deposit_id
    if not deposit.files or any(None in file.blocks for file in deposit.files):
        raise RequestError("some files of this deposit were not encrypted")
    files = [{"name": file.name, "mime": file.mime, "size": file.size,
              "sha256": file.sha256.digest(),
              "blocks": [ref.to_value() for ref in file.blocks if ref is not None]}
             for file in deposit.files]
    email = request.get("email") or None
    content = {"link": deposit.link_id, "sent_at": int(time.time()), "files": files,
               "depositor": {"name": str(request.get("name") or "")[:MAX_LABEL],
                             "email": str(email)[:MAX_LABEL] if email else None}}
    place = {"organization": deposit.organization, "workspace": deposit.workspace}
    sealed = dropbox.seal_deposit(deposit.drop_key, content, deposit_id=deposit_id, **place)
    block_ids = [[ref["block_id"] for ref in file["blocks"]] for file in files]
    claims = dropbox.signed_claims(link_id=deposit.link_id, deposit_id=deposit_id,
                                   sealed=sealed, files=block_ids)
    signature = dropbox.sign_deposit(deposit.signing_key, claims, **place)
    del state.sending_deposits[deposit_id]
    return {"sealed": params.to_b64(sealed), "signature": params.to_b64(signature),
            "files": block_ids,
            "receipt": [{"name": file["name"], "size": file["size"],
                         "sha256": file["sha256"].hex()} for file in files]}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "dropbox.create_link": create_link,
    "dropbox.describe_links": describe_links,
    "dropbox.reseal_link": reseal_link,
    "dropbox.open_deposits": open_deposits,
    "dropbox.begin_read": begin_read,
    "dropbox.open_link": open_link,
    "dropbox.begin_deposit": begin_deposit,
    "dropbox.add_file": add_file,
    "dropbox.encrypt_block": encrypt_deposit_block,
    "dropbox.finish_deposit": finish_deposit,
}
