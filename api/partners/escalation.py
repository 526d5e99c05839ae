"""Escalation of results nobody opened, from what the server already knows: which dossiers the
lab wrote in a partner space and when, and whether a receipt entry (`result_opened`) of each
reached it, never what a result or a receipt says.

The lab sets a delay per partner space (`PUT /api/workspaces/<w>/escalation`, read with `GET`);
every result of
that space gets the same deadline, so the server learns nothing of categories (the lab's board
marks the urgent ones). A result with no receipt past its deadline is escalated once: the
site's other contacts (those not told of results in that space since it was sent; all of them
if none is left) are notified through the notifications path (`results_waiting`, mailed with no
patient data), and the lab's pages hear `workspace:changed` (`what`: `delivery`). One sweep per
server process, every `SWEEP_SECONDS` while a delay is set anywhere; each result is claimed in
one statement, so processes sharing the database escalate it once.

`GET /api/workspaces/<w>/deliveries` gives the lab's board what the server knows of each
result it did something about, one list per field: when it was notified and mailed, when a
receipt reached the server, when it escalated (the board believes receipts only from the signed
history). A space holds thousands of results: `?ids=` asks for those of the rows a page reads
(up to `MAX_DOCUMENT_IDS`), without it every result is listed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from api.http.errors import ApiError
from api.http.inputs import json_body, whole_number
from api.identity.sessions import login_required
from api.notifications.records import record_notifications
from api.realtime.background import start_task_once
from api.realtime.channel import notify_users
from api.storage import Store
from api.storage.faults import database_error_types
from api.storage.pool import get_store
from api.storage.queries import Row
from api.workspaces.access import DOCUMENT_ID, membership, queried_document_ids
from pycrypto_wasm.workspace.log import WriteClaims
from pycrypto_wasm.workspace.receipts import OPENED, RECEIPT_KINDS

blueprint = Blueprint("escalation", __name__)
logger = logging.getLogger("paravent.escalation")
MIN_DELAY_SECONDS = 1
MAX_DELAY_SECONDS = 7 * 24 * 3600
SWEEP_SECONDS = 2.0
STARTED = "paravent_escalation_sweep"
RESULTS_WAITING = "results_waiting"


def _lab_member(workspace_id: str, minimum_role: str = "reader") -> dict[str, Any]:
    """The signed-in lab member of a partner space (external contacts: 403); the site."""
    user, _ = membership(workspace_id, minimum_role)
    if user["profile"] == "external":
        raise ApiError(403, "forbidden", "the delivery of results is the laboratory's")
    site = get_store().escalations.site_of_space(workspace_id)
    if site is None:
        raise ApiError(409, "not_a_partner_space", "this workspace serves no partner site")
    return user


def receipt_check(claims: WriteClaims, workspace_id: str, user_id: str) -> str | None:
    """The result a receipt write names, for `receipt_reached` once it is stored (None for any
    other kind, and for an acknowledgement): a receipt is written by whoever sends it (403
    `not_the_author` otherwise) and names a dossier of the space (400 `unknown_result`)."""
    if claims.kind not in RECEIPT_KINDS:
        return None
    if claims.author != user_id:
        raise ApiError(403, "not_the_author", "a receipt is signed by the member who sends it")
    dossier_id = claims.public.get("dossier_id")
    if not isinstance(dossier_id, str) or not DOCUMENT_ID.fullmatch(dossier_id) \
            or not get_store().escalations.is_dossier(workspace_id, dossier_id):
        raise ApiError(400, "unknown_result", "a receipt must name a dossier of this workspace")
    return dossier_id if claims.kind == OPENED else None


def receipt_reached(workspace_id: str, dossier_id: str) -> None:
    get_store().escalations.opened(workspace_id, dossier_id, time.time())


@blueprint.put("/api/workspaces/<workspace_id>/escalation")
@login_required
def set_delay(workspace_id: str) -> Response:
    """The space's delay before an unopened result escalates (`delay_seconds`, or null: none);
    a manager of the space on the lab's side sets it."""
    user = _lab_member(workspace_id, "manager")
    value = json_body().get("delay_seconds")
    seconds = None if value is None else whole_number(value, "delay_seconds")
    if seconds is not None and not MIN_DELAY_SECONDS <= seconds <= MAX_DELAY_SECONDS:
        raise ApiError(400, "bad_request", f"'delay_seconds' is from {MIN_DELAY_SECONDS} to "
                       f"{MAX_DELAY_SECONDS} (a week)")
    get_store().escalations.set_delay(workspace_id, seconds, user["id"], time.time())
    if seconds is not None:
        start_sweep(current_app)
    return jsonify({"delay_seconds": seconds})


def _delay_seconds(workspace_id: str) -> int | None:
    delay = get_store().escalations.delay(workspace_id)
    return delay["delay_seconds"] if delay else None


@blueprint.get("/api/workspaces/<workspace_id>/escalation")
@login_required
def get_delay(workspace_id: str) -> Response:
    """The space's escalation delay, for any lab member of the space."""
    _lab_member(workspace_id)
    return jsonify({"delay_seconds": _delay_seconds(workspace_id)})


@blueprint.get("/api/workspaces/<workspace_id>/deliveries")
@login_required
def deliveries(workspace_id: str) -> Response:
    _lab_member(workspace_id)
    named = queried_document_ids() if "ids" in request.args else None
    return jsonify({"delay_seconds": _delay_seconds(workspace_id),
                    "results": get_store().escalations.deliveries(workspace_id, named)})


def _recipients(store: Store, result: Row) -> list[str]:
    """The site's contacts in its space not told of results there since `result` was sent
    (all of them when every one was)."""
    members = {m["user_id"] for m in store.workspaces.members(result["workspace_id"])}
    contacts = [c["user_id"] for c in store.partners.contacts(result["site_id"])
                if c["revoked_at"] is None and c["user_id"] in members]
    told = store.escalations.results_notified(result["workspace_id"], result["created_at"])
    return [user_id for user_id in contacts if user_id not in told] or contacts


def escalate_due(app: Flask) -> int:
    """Escalate every result past its deadline with no receipt; how many were."""
    pool = app.extensions["paravent_store_pool"]
    store = pool.take()
    escalated = 0
    try:
        now = time.time()
        for result in store.escalations.overdue(now):
            workspace_id, dossier_id = result["workspace_id"], result["dossier_id"]
            if not store.escalations.claim_escalation(workspace_id, dossier_id, now):
                continue
            record_notifications(app, store, workspace_id=workspace_id, kind=RESULTS_WAITING,
                                 by_user_id=result["author_id"],
                                 recipient_ids=_recipients(store, result), item_id=dossier_id)
            lab = [m["user_id"] for m in store.workspaces.members(workspace_id)
                   if store.partners.site_of_contact(m["user_id"]) is None]
            notify_users(app, lab, "workspace:changed",
                         {"workspace_id": workspace_id, "what": "delivery"})
            escalated += 1
    finally:
        pool.give_back(store)
    return escalated


def _any_delay(app: Flask) -> bool:
    pool = app.extensions["paravent_store_pool"]
    store = pool.take()
    try:
        return store.escalations.any_delay()
    finally:
        pool.give_back(store)


def _sweep_while_set(app: Flask, sleep: Callable[[float], None]) -> None:
    """Escalate what is due every `SWEEP_SECONDS` while any space has a delay, then stop (setting
    a delay starts the sweep again)."""
    while True:
        sleep(SWEEP_SECONDS)
        try:
            escalate_due(app)
            if not _any_delay(app):
                app.extensions[STARTED] = False
                return
        except database_error_types() as error:  # the database is down: try again next time
            logger.warning("escalation: %s", error)


def start_sweep(app: Flask) -> None:
    """Start this process's sweep, once (`app` may be Flask's `current_app` proxy)."""
    start_task_once(app, STARTED, _sweep_while_set)


def init_escalation(app: Flask) -> None:
    """Serve the routes; at start-up, sweep if a space has a delay (from before a restart)."""
    app.register_blueprint(blueprint)
    if _any_delay(app):
        start_sweep(app)
