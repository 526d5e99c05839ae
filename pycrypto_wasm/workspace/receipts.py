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
version the history recorded with that very hash; any other is listed as a problem.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.workspace.history import History, RecordedVersion

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


@dataclass
class Receipt:
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
        return asdict(self)


def _problem(history: History, seq: int, public: dict[str, Any]) -> str | None:
    forgery = history.forgeries.get(seq)
    if forgery is not None:
        return f"receipt {seq} is forged: {forgery.reason}"
    record = history.versions.get((public.get("dossier_id"), public.get("version")))
    if record is None or record.kind != "dossier" or record.hash != public.get("hash"):
        return f"receipt {seq} names a version of the result its history does not record"
    return None


def deliveries(history: History, result_ids: list[str]) -> dict[str, Delivery]:
    """The delivery of each dossier of `result_ids` (those the history records), replayed from
    the verified `history`: each member's first receipt of each kind counts."""
    found: dict[str, Delivery] = {}
    written_at = {entry.seq: entry.written_at for entry in history.entries}
    for dossier_id in result_ids:
        first = history.versions.get((dossier_id, 1))
        latest = history.latest.get(dossier_id)
        if first is None or latest is None or first.kind != "dossier":
            continue
        found[dossier_id] = Delivery(dossier_id, latest.version, written_at.get(first.seq, 0),
                                     first.author)
    for entry in history.entries:
        delivery = found.get(str(entry.public.get("dossier_id")))
        if entry.kind not in RECEIPT_KINDS or delivery is None:
            continue
        problem = _problem(history, entry.seq, entry.public)
        if problem is not None:
            delivery.problems.append(problem)
            continue
        receipts = delivery.opened if entry.kind == OPENED else delivery.acknowledged
        if all(receipt.user_id != entry.author for receipt in receipts):
            receipts.append(Receipt(entry.author, entry.written_at,
                                    int(entry.public["version"]), entry.seq))
    return found
