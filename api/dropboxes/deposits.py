"""The anonymous routes a depositor's page uses, each counted against the link and the client
(api/limits/drop_limits.py): read a link's public part, confirm an e-mail address, begin a
deposit (proved by a signature with the link's key, so a wrong password or a guessed link id
gets nothing), send its encrypted blocks within the link's caps, and complete it (the sealed
deposit and its signature, checked before anything counts; the space's members are told of it
live, by ids only)."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.dropboxes import email_codes
from api.dropboxes.status import DEPOSIT_ID, LINK_ID, require_open
from api.http.errors import ApiError
from api.http.inputs import b64_encode, binary_body, blob, json_body, text, whole_number
from api.limits.drop_limits import check_drop_limits
from api.realtime.channel import notify_users
from api.storage.pool import get_store
from api.workspaces.access import BLOCK_ID, check_id
from api.workspaces.blocks import read_batch, store_blocks
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.signing import VerifyKey
from pycrypto_wasm.workspace import dropbox
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE

blueprint = Blueprint("drop", __name__)

MAX_SEALED = 1024 * 1024
# Per block: the envelope's version byte, nonce and tag.
BLOCK_OVERHEAD = 64


def _link(link_id: str) -> dict[str, Any]:
    """The link a request names, after counting the request against it and the client."""
    check_id(LINK_ID, link_id, "drop link")
    check_drop_limits(link_id)
    link = get_store().dropboxes.link(link_id)
    if link is None:
        raise ApiError(404, "not_found", "no such drop link")
    return link


def _open_link(link_id: str) -> dict[str, Any]:
    link = _link(link_id)
    require_open(link)
    return link


def _blocks_per_file(link: dict[str, Any]) -> int:
    return max(1, -(-link["max_file_bytes"] // BLOCK_SIZE))


def _verify(link: dict[str, Any], signature: bytes, claims: dict[str, Any]) -> None:
    try:
        dropbox.verify_deposit(VerifyKey(link["verify_key"]), signature, claims,
                               organization=link["organization_id"],
                               workspace=link["workspace_id"], label=link["id"])
    except CryptoError as error:
        raise ApiError(403, "wrong_password",
                       "this deposit was not made with the link and its password") from error


def _deposit(link: dict[str, Any], deposit_id: str) -> dict[str, Any]:
    check_id(DEPOSIT_ID, deposit_id, "deposit")
    deposit = get_store().dropboxes.deposit(deposit_id)
    if deposit is None or deposit["link_id"] != link["id"]:
        raise ApiError(404, "not_found", "no such deposit")
    if deposit["completed_at"] is not None:
        raise ApiError(409, "deposit_complete", "this deposit is already complete")
    return deposit


@blueprint.get("/api/drop/<drop_link_id>")
def read_link(drop_link_id: str) -> Response:
    """What the depositor's page needs: where the link belongs, its sealed info and caps."""
    link = _open_link(drop_link_id)
    return jsonify({
        "link_id": link["id"], "organization_id": link["organization_id"],
        "workspace_id": link["workspace_id"], "link_info": b64_encode(link["link_info"]),
        "expires_at": link["expires_at"], "max_files": link["max_files"],
        "max_file_bytes": link["max_file_bytes"], "files_received": link["files_received"],
        "email_required": bool(link["email_required"]), "password": bool(link["password"])})


@blueprint.post("/api/drop/<drop_link_id>/email")
def mail_code(drop_link_id: str) -> tuple[Response, int]:
    _open_link(drop_link_id)
    body = json_body()
    code_id = email_codes.mail_code(drop_link_id, text(body, "email"),
                                    str(body.get("language") or "en"))
    return jsonify({"confirmation_id": code_id}), 201


@blueprint.post("/api/drop/<drop_link_id>/email/confirm")
def confirm_code(drop_link_id: str) -> Response:
    _open_link(drop_link_id)
    body = json_body()
    email_codes.confirm_code(drop_link_id, text(body, "confirmation_id"), text(body, "code"))
    return jsonify({"confirmed": True})


@blueprint.post("/api/drop/<drop_link_id>/deposits")
def begin_deposit(drop_link_id: str) -> tuple[Response, int]:
    """A new deposit of `files` files, proved by the link's signature over its id."""
    link = _open_link(drop_link_id)
    body = json_body()
    deposit_id = check_id(DEPOSIT_ID, body.get("deposit_id"), "deposit")
    files = whole_number(body.get("files"), "files")
    if not 1 <= files <= link["max_files"] - link["files_received"]:
        raise ApiError(413, "too_many_files",
                       f"this drop link takes {link['max_files'] - link['files_received']} "
                       "more files at most")
    claims = dropbox.signed_claims(link_id=drop_link_id, deposit_id=deposit_id, sealed=b"",
                                   files=[])
    _verify(link, blob(body, "proof", max_bytes=4096), claims)
    email = email_codes.confirmed_email(drop_link_id, body.get("confirmation_id"))
    if link["email_required"] and email is None:
        raise ApiError(403, "email_unconfirmed", "this drop link needs a confirmed e-mail")
    store = get_store().dropboxes
    if store.deposit(deposit_id) is not None:
        raise ApiError(409, "exists", "a deposit already has this id")
    store.add_deposit({"id": deposit_id, "link_id": drop_link_id,
                       "workspace_id": link["workspace_id"], "created_at": time.time(),
                       "files": files, "bytes": 0, "completed_at": None, "sealed": None,
                       "signature": None, "block_ids": None, "confirmed_email": email,
                       "filed_at": None, "filed_by": None})
    return jsonify({"deposit_id": deposit_id}), 201


@blueprint.post("/api/drop/<drop_link_id>/deposits/<deposit_id>/blocks")
def upload_blocks(drop_link_id: str, deposit_id: str) -> Response:
    """Encrypted blocks of a deposit (framed as a member's upload), within the link's caps."""
    link = _open_link(drop_link_id)
    deposit = _deposit(link, deposit_id)
    blocks = read_batch(binary_body())
    size = sum(len(data) for _, data in blocks)
    allowed = deposit["files"] * (link["max_file_bytes"]
                                  + _blocks_per_file(link) * BLOCK_OVERHEAD)
    if deposit["bytes"] + size > allowed:
        raise ApiError(413, "too_large", "this deposit is over the drop link's size cap")
    store_blocks(link["workspace_id"], link["organization_id"], blocks)
    get_store().dropboxes.add_deposit_blocks(deposit_id, link["workspace_id"],
                                             [block_id for block_id, _ in blocks], size)
    return Response(status=201)


def _file_blocks(link: dict[str, Any], deposit: dict[str, Any], value: object) -> list[list[str]]:
    """The block ids of each file, all of them sent with this deposit, within the caps."""
    if (not isinstance(value, list) or not 1 <= len(value) <= deposit["files"]
            or not all(isinstance(ids, list) and 1 <= len(ids) <= _blocks_per_file(link)
                       for ids in value)):
        raise ApiError(400, "bad_request",
                       "'files' must list each file's block ids, within the link's caps")
    files = [[check_id(BLOCK_ID, block_id, "block") for block_id in ids] for ids in value]
    sent = get_store().dropboxes.deposit_blocks(deposit["id"])
    missing = [block_id for ids in files for block_id in ids if block_id not in sent]
    if missing:
        raise ApiError(400, "missing_blocks", f"block {missing[0]} was not sent")
    return files


@blueprint.post("/api/drop/<drop_link_id>/deposits/<deposit_id>/complete")
def complete_deposit(drop_link_id: str, deposit_id: str) -> tuple[Response, int]:
    """The sealed deposit and the link's signature over it: received once both check."""
    link = _open_link(drop_link_id)
    deposit = _deposit(link, deposit_id)
    body = json_body()
    files = _file_blocks(link, deposit, body.get("files"))
    sealed = blob(body, "sealed", max_bytes=MAX_SEALED)
    signature = blob(body, "signature", max_bytes=MAX_SEALED)
    _verify(link, signature, dropbox.signed_claims(link_id=drop_link_id, deposit_id=deposit_id,
                                                   sealed=sealed, files=files))
    store = get_store().dropboxes
    if not store.count_files(drop_link_id, len(files), link["max_files"]):
        raise ApiError(410, "link_exhausted",
                       "this drop link has received all the files it accepts")
    received_at = time.time()
    store.update_deposit(deposit_id, completed_at=received_at, sealed=sealed,
                         signature=signature, block_ids=json.dumps(files))
    members = [member["user_id"] for member in get_store().workspaces.members(
        link["workspace_id"])]
    notify_users(current_app, members, "dropbox:deposit", {
        "workspace_id": link["workspace_id"], "link_id": drop_link_id,
        "deposit_id": deposit_id})
    return jsonify({"deposit_id": deposit_id, "received_at": received_at,
                    "files": len(files)}), 201
