"""The recipient's side of a download link, for anyone holding its URL (no account): the
link's state, opening it, download tickets and its blocks.

Nothing sealed leaves the server before the recipient's page proves it holds the link's secret
(and its password, when it has one): an access proof derived from both, checked against the
verifier the sharer's page stored. A wrong proof gets no bytes, counts in the link's access list
and in a per-link limit (`WRONG_PROOFS_PER_MINUTE`); every route is also limited per client
address. A download is counted when its ticket is issued: a ticket lets its holder read the
link's blocks (and only those) for `TICKET_SECONDS`, even once that download exhausted it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.http.errors import ApiError
from api.http.inputs import b64_encode, blob, json_body
from api.limits.identity_limits import rate_limit_store, rate_limited, too_many
from api.share_links.lifecycle import current, end_link, refuse_if_ended
from api.share_links.routes import LINK_ID, PROOF_SIZE
from api.storage.pool import get_store
from api.storage.queries import Row
from api.workspaces.blocks import streamed_blocks

blueprint = Blueprint("share_links_public", __name__)

WRONG_PROOFS_PER_MINUTE = 5
TICKET_SECONDS = 3600


def _link(link_id: str) -> Row:
    link = get_store().share_links.link(link_id) if LINK_ID.match(link_id) else None
    if link is None:
        raise ApiError(404, "link_not_found", "no such link")
    return current(link)


def _proven(link: Row) -> None:
    """Refuses, with no bytes, a body whose proof is not the link's."""
    proof = blob(json_body(), "proof", size=PROOF_SIZE)
    if hmac.compare_digest(hashlib.blake2b(proof, digest_size=32).digest(), link["verifier"]):
        return
    store = get_store()
    store.share_links.record_access(link["id"], time.time(), "wrong_password")
    if not rate_limit_store().allow(f"share-link-proof:{link['id']}", WRONG_PROOFS_PER_MINUTE,
                                    time.monotonic()):
        raise too_many("wrong passwords for this link")
    raise ApiError(403, "wrong_password", "the password is wrong")


def _ticket_mac(link_id: str, count: int, until: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"share-link-ticket:{link_id}:{count}:{until}".encode()
    return b64_encode(hmac.new(key, message, hashlib.sha256).digest())


def _check_ticket(link: Row, ticket: object) -> None:
    parts = ticket.split(".") if isinstance(ticket, str) else []
    if len(parts) == 3 and all(part.isdigit() for part in parts[:2]):
        count, until, mac = int(parts[0]), int(parts[1]), parts[2]
        if until >= time.time() and hmac.compare_digest(mac, _ticket_mac(link["id"], count,
                                                                           until)):
            return
    raise ApiError(403, "bad_ticket", "this download has ended; open the link again")


@blueprint.get("/api/share-links/<link_id>")
@rate_limited("share_links")
def link_state(link_id: str) -> Response:
    """Whether a link can be opened and, if it has a password, its password header."""
    link = _link(link_id)
    refuse_if_ended(link)
    header = link["password_header"]
    return jsonify({"link_id": link["id"], "expires_at": link["expires_at"],
                    "password_header": b64_encode(header) if header is not None else None})


@blueprint.post("/api/share-links/<link_id>/open")
@rate_limited("share_links")
def open_link(link_id: str) -> Response:
    """The link's sealed key box and payload, for a recipient that proves it holds the link."""
    link = _link(link_id)
    refuse_if_ended(link)
    _proven(link)
    get_store().share_links.record_access(link["id"], time.time(), "opened")
    return jsonify({"key_box": b64_encode(link["key_box"]), "payload": b64_encode(link["payload"]),
                    "expires_at": link["expires_at"],
                    "downloads_left": link["max_downloads"] - link["downloads"]})


@blueprint.post("/api/share-links/<link_id>/downloads")
@rate_limited("share_links")
def start_download(link_id: str) -> tuple[Response, int]:
    """Counts one download and answers a ticket to read the link's blocks; the last one allowed
    ends the link (its sharer is told)."""
    link = _link(link_id)
    refuse_if_ended(link)
    _proven(link)
    store = get_store()
    count = store.share_links.count_download(link["id"])
    if count is None:
        refuse_if_ended(store.share_links.link(link["id"]) or link)
        raise ApiError(410, "link_exhausted", "this link has been used as many times as it allows")
    store.share_links.record_access(link["id"], time.time(), "download")
    if count >= link["max_downloads"]:
        end_link(current_app._get_current_object(), store, link, "exhausted")  # type: ignore[attr-defined]
    until = int(time.time()) + TICKET_SECONDS
    return jsonify({"ticket": f"{count}.{until}.{_ticket_mac(link['id'], count, until)}",
                    "downloads_left": link["max_downloads"] - count}), 201


@blueprint.post("/api/share-links/<link_id>/blocks/stream")
@rate_limited("share_link_reads")
def stream_link_blocks(link_id: str) -> Response:
    """The link's blocks a ticket holder asks for, framed as a member's streamed read. A
    revoked or expired link gives none, whatever ticket is shown."""
    link = _link(link_id)
    if link["ended_reason"] in ("revoked", "expired"):
        refuse_if_ended(link)
    body: dict[str, Any] = json_body()
    _check_ticket(link, body.get("ticket"))
    links = get_store().share_links
    return streamed_blocks(link["workspace_id"], body.get("block_ids"),
                           allowed=lambda block_id: links.has_block(link["id"], block_id))
