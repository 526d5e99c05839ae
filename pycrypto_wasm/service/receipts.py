"""RPC methods for proof of receipt: sign a receipt of a result I opened or acknowledge (a
log entry of the space's history naming the version I saw by its hash), and each result's delivery
replayed from the verified history for the laboratory's board.

All work on the history the worker verified last (workspace.open or log.read before), whole or
from my checkpoint: the deliveries are part of the replayed state a checkpoint keeps. The
categories of the results nobody opened are remembered as the board reads them
(`receipts.results`), and kept sealed by the page beside the checkpoint
(workspace/result_categories.py)."""

from __future__ import annotations

from collections.abc import Callable

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.service import history as history_service
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.service.workspaces import NotAllowedError, read_dossiers
from pycrypto_wasm.workspace import receipts, result_categories, workflow
from pycrypto_wasm.workspace.results import CATEGORIES


def write_receipt(state: WorkerState, request: Params) -> Reply:
    """My receipt (`kind`: result_opened or result_acknowledged) of the latest version of a
    result the history records; `{"log_entry": None}` when I already signed that receipt of it."""
    workspace_id = params.text(request, "workspace_id")
    dossier_id = params.text(request, "dossier_id")
    kind = params.text(request, "kind")
    if kind not in receipts.RECEIPT_KINDS:
        raise RequestError(f"parameter 'kind' must be one of {', '.join(receipts.RECEIPT_KINDS)}")
    history = history_service.writable(state, workspace_id)
    record = history.latest.get(dossier_id)
    if record is None or record.kind != "dossier":
        raise RequestError(f"the space's history records no result {dossier_id}")
    role = history_service.my_role(state, history)
    if role is None or not workflow.may_append(role, kind, history.workflow["policy"]):
        raise NotAllowedError(f"your role ({role or 'none'}) may not record this ({kind})")
    me = state.identity().user_id
    delivery = receipts.deliveries(history, [dossier_id])[dossier_id]
    signed = delivery.opened if kind == receipts.OPENED else delivery.acknowledged
    if any(receipt.user_id == me and receipt.version == record.version for receipt in signed):
        return {"log_entry": None}
    return {"log_entry": history_service.next_entry(
        state, workspace_id, kind, content={"dossier_id": dossier_id},
        public=receipts.receipt_public(record))}


def _dossier_ids(request: Params, name: str) -> list[str]:
    found = request.get(name)
    if not isinstance(found, list) or not all(isinstance(i, str) for i in found):
        raise RequestError(f"parameter {name!r} must list dossier ids")
    return list(found)


def read_deliveries(state: WorkerState, request: Params) -> Reply:
    """The delivery of each result of `dossier_ids` the verified history records."""
    workspace_id = params.text(request, "workspace_id")
    dossier_ids = _dossier_ids(request, "dossier_ids")
    history = history_service.held(state, workspace_id).history
    found = receipts.deliveries(history, dossier_ids)
    return {"deliveries": {dossier_id: delivery.view() for dossier_id, delivery in found.items()}}


def read_board(state: WorkerState, request: Params) -> Reply:
    """Every dossier the verified history records and has not deleted, newest first
    (receipts.board_text): what the board sorts, filters and pages by without decrypting
    anything; the rows shown are read with receipts.deliveries and dossier.read. `rows` is their
    JSON text: thousands of small lists cross from Python to the page about three times faster
    as one string, and a checkpoint keeps that string."""
    workspace_id = params.text(request, "workspace_id")
    history = history_service.held(state, workspace_id).history
    return {"rows": receipts.board_text(history),
            "categories": {dossier_id: category for dossier_id, (_, category)
                           in _known_categories(state, workspace_id, request).items()}}


def _place(state: WorkerState, workspace_id: str) -> dict[str, str]:
    history = history_service.held(state, workspace_id).history
    return {"organization": history.organization, "workspace": workspace_id,
            "user_id": state.identity().user_id}


def _known_categories(state: WorkerState, workspace_id: str,
                      request: Params) -> result_categories.Categories:
    """The categories this worker knows of the space's results, still those of their latest
    version: read this session, or kept sealed by the page (`categories`, ignored when it does
    not open: the board then reads those results)."""
    sealed = params.optional_buffer(request, "categories")
    kept: result_categories.Categories = {}
    if sealed is not None:
        try:
            kept = result_categories.open_categories(
                state.checkpoint_key(), sealed, **_place(state, workspace_id))
        except (CryptoError, ValueError):
            kept = {}
    history = history_service.held(state, workspace_id).history
    known = result_categories.current(
        history, {**kept, **state.result_categories.get(workspace_id, {})})
    state.result_categories[workspace_id] = known
    return known


def keep_categories(state: WorkerState, request: Params) -> Reply:
    """The categories known of the results `dossier_ids` (the board's unopened ones), sealed for
    me to keep (`sealed`; None when none is known)."""
    workspace_id = params.text(request, "workspace_id")
    dossier_ids = _dossier_ids(request, "dossier_ids")
    history = history_service.held(state, workspace_id).history
    learned = state.result_categories.get(workspace_id, {})
    kept = result_categories.current(history, {dossier_id: learned[dossier_id]
                                               for dossier_id in dossier_ids
                                               if dossier_id in learned})
    if not kept:
        return {"sealed": None}
    return {"sealed": result_categories.seal_categories(
        state.checkpoint_key(), kept, **_place(state, workspace_id))}


def _learn_categories(state: WorkerState, workspace_id: str, dossiers: list[Reply]) -> None:
    """Remembers the category of each result decrypted at its latest version."""
    history = history_service.held(state, workspace_id).history
    learned = state.result_categories.setdefault(workspace_id, {})
    for dossier in dossiers:
        result = receipts.result_of(dossier.get("fields") or {})
        latest = history.latest.get(dossier["document_id"])
        if result and result.get("category") in CATEGORIES and latest is not None \
                and latest.version == dossier.get("version"):
            learned[dossier["document_id"]] = (latest.hash, result["category"])


def read_results(state: WorkerState, request: Params) -> Reply:
    """The results `wanted` of `documents` (as `dossier.read` reads them at their latest
    version), each with its delivery (`deliveries`, as `receipts.deliveries` gives them): what
    the board shows of a row, in one call. Their categories are remembered (`keep_categories`)."""
    workspace_id = params.text(request, "workspace_id")
    wanted = _dossier_ids(request, "wanted")
    reply = read_dossiers(state, {**request, "latest": True})
    _learn_categories(state, workspace_id, reply["dossiers"])
    history = history_service.held(state, workspace_id).history
    return {**reply, "deliveries": {
        dossier_id: delivery.view()
        for dossier_id, delivery in receipts.deliveries(history, wanted).items()}}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "receipts.write": write_receipt,
    "receipts.deliveries": read_deliveries,
    "receipts.board": read_board,
    "receipts.keep_categories": keep_categories,
    "receipts.results": read_results,
}
