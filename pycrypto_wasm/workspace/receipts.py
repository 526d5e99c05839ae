"""Proof of receipt for the results a laboratory sends to a partner space: the receipt entries
of the space's history and the delivery state of each result replayed from them.

A result is a dossier whose fields hold `result` ({sample, category, comment, batch}). When a
member opens it, their browser appends a `result_opened` entry; for an abnormal or urgent result
the member may also acknowledge it (`result_acknowledged`). Both are ordinary log entries, so
they are signed by their author, chained, checked against the author's role at their position
(history.py) and dated by the signed `written_at`. Their `public` part names the dossier
version the member saw: `{"dossier_id", "version", "hash"}`, `hash` being the BLAKE2b-256 of
the sealed manifest the history recorded for that version. The server sees that a member
opened or acknowledged a dossier, and when (it escalates results nobody opened); never what the
result says. A receipt counts only when the history applied it (not forged) and it names a
version the history recorded before it with that very hash; any other is listed as a problem.

Each replay of a history folds its entries into the delivery of every dossier (`fold`), which
a checkpoint keeps (checkpoint.py): a browser that opens a partner space from its checkpoint
knows every result's delivery without reading the entries before it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.workspace.history import DOCUMENT, History, RecordedVersion

OPENED = "result_opened"
ACKNOWLEDGED = "result_acknowledged"
RECEIPT_KINDS = (OPENED, ACKNOWLEDGED)
# The categories whose results a partner acknowledges explicitly.
TO_ACKNOWLEDGE = ("abnormal", "urgent")


def receipt_public(record: RecordedVersion) -> dict[str, Any]:
    """The clear part of a receipt for the dossier version `record`."""
    if record.kind != "dossier":
        raise MalformedError(f"{record.document_id} is not a dossier")
    return {"dossier_id": record.document_id, "version": record.version, "hash": record.hash}


def result_of(fields: dict[str, Any]) -> dict[str, Any] | None:
    """The `result` of a dossier's fields, or None when the dossier is not a result."""
    result = fields.get("result")
    return result if isinstance(result, dict) and isinstance(result.get("sample"), str) else None


class Receipt(NamedTuple):
    """A member's receipt of a result: who, when, of which version, at which entry."""

    user_id: str
    at: int
    version: int
    seq: int


@dataclass
class Delivery:
    """A result's delivery, from the verified history: sent (its first version), opened and
    acknowledged by whom and when; `problems` names receipts that do not count and why."""

    dossier_id: str
    version: int
    sent_at: int
    sent_by: str
    opened: list[Receipt] = field(default_factory=list)
    acknowledged: list[Receipt] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        def receipts(found: list[Receipt]) -> list[dict[str, Any]]:
            return [{"user_id": r.user_id, "at": r.at, "version": r.version, "seq": r.seq}
                    for r in found]
        return {"dossier_id": self.dossier_id, "version": self.version, "sent_at": self.sent_at,
                "sent_by": self.sent_by, "opened": receipts(self.opened),
                "acknowledged": receipts(self.acknowledged), "problems": list(self.problems)}


def _problem(history: History, seq: int, public: dict[str, Any]) -> str | None:
    forgery = history.forgeries.get(seq)
    if forgery is not None:
        return f"receipt {seq} is forged: {forgery.reason}"
    record = history.versions.get((public.get("dossier_id"), public.get("version")))
    if record is None or record.kind != "dossier" or record.hash != public.get("hash") \
            or record.seq > seq:
        return f"receipt {seq} names a version of the result its history does not record"
    return None


def fold(history: History) -> None:
    """Fold the entries `history` replayed (all, or those after its checkpoint, whose state
    holds the deliveries before them) into each dossier's delivery: a dossier is sent by its
    first recorded version, and each member's first receipt of each kind counts."""
    found = history.deliveries
    for entry in history.entries:
        public = entry.public
        if entry.kind == DOCUMENT and public.get("version") == 1:
            first = history.versions.get((public.get("document_id"), 1))
            if first is not None and first.seq == entry.seq and first.kind == "dossier":
                found[first.document_id] = Delivery(first.document_id, 1, entry.written_at,
                                                    first.author)
            continue
        delivery = found.get(str(public.get("dossier_id")))
        if entry.kind not in RECEIPT_KINDS or delivery is None:
            continue
        problem = _problem(history, entry.seq, public)
        if problem is not None:
            delivery.problems.append(problem)
            continue
        receipts = delivery.opened if entry.kind == OPENED else delivery.acknowledged
        if all(receipt.user_id != entry.author for receipt in receipts):
            receipts.append(Receipt(entry.author, entry.written_at,
                                    int(public["version"]), entry.seq))


def current(history: History, dossier_id: str) -> Delivery | None:
    """The delivery of a dossier the folded `history` records, at its latest version."""
    delivery = history.deliveries.get(dossier_id)
    latest = history.latest.get(dossier_id)
    if delivery is None or latest is None:
        return None
    return replace(delivery, version=latest.version)


def deliveries(history: History, result_ids: list[str]) -> dict[str, Delivery]:
    """The delivery of each dossier of `result_ids` the folded `history` records."""
    found = {dossier_id: current(history, dossier_id) for dossier_id in result_ids}
    return {dossier_id: delivery for dossier_id, delivery in found.items() if delivery}


def board_text(history: History) -> str:
    """Every dossier the history records and has not deleted, newest first, as `[dossier_id,
    sent_at, opened, acknowledged, problems]` (the last three: how many receipts of each kind
    count, how many do not), in JSON text. A checkpoint keeps it (checkpoint.py): while the
    history is the checkpoint's (no entry replayed after it, its records not built into
    objects), it is the checkpoint's, with no record read: a partner space holds thousands, and
    the board reads every space's at each visit."""
    if history.board_text is not None and not history.entries:
        return history.board_text
    rows = [[dossier_id, delivery.sent_at, len(delivery.opened), len(delivery.acknowledged),
             len(delivery.problems)]
            for dossier_id, delivery in history.deliveries.items()
            if not history.latest[dossier_id].deleted]
    rows.sort(key=lambda row: (-row[1], row[0]))
    return json.dumps(rows, separators=(",", ":"))


def unopened(history: History) -> list[Delivery]:
    """The deliveries of the results nobody opened yet (and not deleted): those the board reads
    at every visit, as only they can be urgent and unopened."""
    return [delivery for dossier_id, delivery in history.deliveries.items()
            if not delivery.opened and not history.latest[dossier_id].deleted]


def delivery_columns(found: list[Delivery]) -> dict[str, list[Any]]:
    """Folded deliveries as a checkpoint keeps them (checkpoint.py): one list per field, each
    receipt `[user_id, at, version, seq]`."""
    def receipts(kept: list[Receipt]) -> list[list[Any]]:
        return [[r.user_id, r.at, r.version, r.seq] for r in kept]
    return {"dossier_id": [d.dossier_id for d in found], "sent_at": [d.sent_at for d in found],
            "sent_by": [d.sent_by for d in found],
            "opened": [receipts(d.opened) for d in found],
            "acknowledged": [receipts(d.acknowledged) for d in found],
            "problems": [d.problems for d in found]}


# The columns `delivery_columns` keeps, in this order.
DELIVERY_COLUMNS = ("dossier_id", "sent_at", "sent_by", "opened", "acknowledged", "problems")


def delivery_count(columns: dict[str, list[Any]]) -> int:
    """How many deliveries `delivery_columns` kept; ValueError when its columns differ in
    length."""
    counts = {len(columns[name]) for name in DELIVERY_COLUMNS}
    if len(counts) != 1:
        raise ValueError("the deliveries' columns differ in length")
    return counts.pop()


def delivery_at(columns: dict[str, list[Any]], at: int) -> Delivery:
    """Delivery `at` of those `delivery_columns` kept."""
    return Delivery(columns["dossier_id"][at], 1, columns["sent_at"][at], columns["sent_by"][at],
                    [Receipt(*r) for r in columns["opened"][at]],
                    [Receipt(*r) for r in columns["acknowledged"][at]],
                    list(columns["problems"][at]))
