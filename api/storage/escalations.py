"""Storage for the escalation of results nobody opened (SQL shared by both engines, see
engine.py): each partner space's delay, and per result (a dossier of that space, by id) when a
receipt of it first reached the server and when it was escalated. Nothing about what a result
says: the server knows that a member opened a dossier, never its category.

Escalating claims the result's row (insert, or nothing if one exists) in one statement, so two
server processes sharing the database never escalate the same result twice."""

from __future__ import annotations

import bisect
from typing import Any

from api.storage.engine import Connection
from api.storage.queries import Row, one
from api.storage.transactions import transaction

SWEEP_LIMIT = 200
# What the server says of a result's delivery, as `deliveries` lists it.
DELIVERY_FIELDS = ("dossier_id", "notified_at", "mailed_at", "opened_at", "escalated_at")


def _earliest(first: float | None, second: float | None) -> float | None:
    if first is None or second is None:
        return second if first is None else first
    return min(first, second)


class _Batches:
    """A space's results notifications naming no item (a batch's), by time: for a result sent
    at some time, the first made since then and the first mail of those made since then."""

    def __init__(self, rows: list[tuple[float, float | None]]) -> None:
        self._made = [made for made, _ in rows]
        self._first_mailed: list[float | None] = [None] * (len(rows) + 1)
        for index in range(len(rows) - 1, -1, -1):
            self._first_mailed[index] = _earliest(rows[index][1], self._first_mailed[index + 1])

    def after(self, sent_at: float) -> tuple[float | None, float | None]:
        if not self._made:
            return None, None
        index = bisect.bisect_left(self._made, sent_at)
        made = self._made[index] if index < len(self._made) else None
        return made, self._first_mailed[index]


class EscalationStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    # delays -----------------------------------------------------------------------------------
    def delay(self, workspace_id: str) -> Row | None:
        return one(self.db, "select * from escalation_delays where workspace_id = ?",
                   [workspace_id])

    def set_delay(self, workspace_id: str, seconds: int | None, user_id: str,
                  now: float) -> None:
        """Set the space's delay (None: no escalation). Results sent before escalation was
        first set for the space are never escalated."""
        with transaction(self.db):
            if seconds is None:
                self.db.execute("delete from escalation_delays where workspace_id = ?",
                                [workspace_id])
                return
            self.db.execute(
                "insert into escalation_delays (workspace_id, delay_seconds, since, set_by, "
                "set_at) values (?, ?, ?, ?, ?) on conflict (workspace_id) do update set "
                "delay_seconds = excluded.delay_seconds, set_by = excluded.set_by, "
                "set_at = excluded.set_at", [workspace_id, seconds, now, user_id, now])

    def any_delay(self) -> bool:
        return one(self.db, "select 1 as found from escalation_delays limit 1", []) is not None

    # results ------------------------------------------------------------------------------------
    def is_dossier(self, workspace_id: str, dossier_id: str) -> bool:
        return one(self.db, "select 1 as found from documents where workspace_id = ? and "
                   "document_id = ? and kind = 'dossier' and version = 1",
                   [workspace_id, dossier_id]) is not None

    def opened(self, workspace_id: str, dossier_id: str, now: float) -> None:
        """A receipt of the result reached the server (the first one counts)."""
        with transaction(self.db):
            self.db.execute(
                "insert into result_deliveries (workspace_id, dossier_id, opened_at, "
                "escalated_at) values (?, ?, ?, null) on conflict (workspace_id, dossier_id) "
                "do update set opened_at = coalesce(result_deliveries.opened_at, "
                "excluded.opened_at)", [workspace_id, dossier_id, now])

    def overdue(self, now: float) -> list[Row]:
        """Results of partner spaces with a delay, sent (version 1 written by someone who is not
        a contact of the site) since escalation was set and longer ago than the delay, with no
        receipt and not escalated yet: {workspace_id, dossier_id, author_id, created_at,
        site_id}."""
        return list(self.db.query(
            "select d.workspace_id, d.document_id as dossier_id, d.author_id, d.created_at, "
            "s.id as site_id from escalation_delays e "
            "join partner_sites s on s.workspace_id = e.workspace_id and s.removed_at is null "
            "join documents d on d.workspace_id = e.workspace_id and d.kind = 'dossier' "
            "and d.version = 1 and d.created_at >= e.since "
            "and d.created_at <= ? - e.delay_seconds "
            "where not exists (select 1 from result_deliveries r where "
            "r.workspace_id = d.workspace_id and r.dossier_id = d.document_id) "
            "and not exists (select 1 from partner_site_contacts c where c.site_id = s.id "
            "and c.user_id = d.author_id) order by d.created_at limit ?",
            [now, SWEEP_LIMIT]))

    def claim_escalation(self, workspace_id: str, dossier_id: str, now: float) -> bool:
        """Mark the result escalated; False if a receipt or another process came first."""
        with transaction(self.db):
            claimed = self.db.execute(
                "insert into result_deliveries (workspace_id, dossier_id, opened_at, "
                "escalated_at) values (?, ?, null, ?) on conflict (workspace_id, dossier_id) "
                "do nothing", [workspace_id, dossier_id, now])
        return claimed.rowcount == 1

    def results_notified(self, workspace_id: str, since: float) -> set[str]:
        """Who was told of results waiting in the space since `since`."""
        return {row["user_id"] for row in self.db.query(
            "select distinct user_id from notifications where workspace_id = ? and "
            "kind = 'results_waiting' and created_at >= ?", [workspace_id, since])}

    def deliveries(self, workspace_id: str,
                   dossier_ids: list[str] | None = None) -> dict[str, list[Any]]:
        """Per result of the space (or of those `dossier_ids` names) that the server did
        something about, oldest first, one list per field of `DELIVERY_FIELDS`: its id, when
        its first results notification was made and mailed (`notified_at`, `mailed_at`: one
        naming it, or naming no item and made after it was sent, as a batch's), when a receipt
        reached the server, when it escalated. A result it did nothing about is not listed.
        Reads each of the results', their notifications' and delivery rows once, and the
        space's batch notifications, whatever their numbers."""
        named, arguments = "", [workspace_id]
        if dossier_ids is not None:
            named = f" and {{column}} in ({', '.join('?' * len(dossier_ids))})"
            arguments += dossier_ids
        told = {item_id: (made, mailed) for item_id, made, mailed in self.db.execute(
            "select item_id, min(created_at), min(mailed_at) from notifications "
            "where workspace_id = ? and kind = 'results_waiting' and item_id is not null"
            f"{named.format(column='item_id')} group by item_id", arguments).fetchall()}
        batches = _Batches(self.db.execute(
            "select created_at, mailed_at from notifications where workspace_id = ? and "
            "kind = 'results_waiting' and item_id is null order by created_at",
            [workspace_id]).fetchall())
        rows = []
        for dossier_id, sent_at, opened_at, escalated_at in self.db.execute(
                "select d.document_id, d.created_at, r.opened_at, r.escalated_at "
                "from documents d left join result_deliveries r on r.workspace_id = "
                "d.workspace_id and r.dossier_id = d.document_id where d.workspace_id = ? "
                f"and d.kind = 'dossier' and d.version = 1{named.format(column='d.document_id')} "
                "order by d.created_at", arguments).fetchall():
            notified, mailed = batches.after(sent_at)
            if dossier_id in told:
                named = told[dossier_id]
                notified, mailed = _earliest(named[0], notified), _earliest(named[1], mailed)
            if notified is not None or mailed is not None or opened_at is not None \
                    or escalated_at is not None:
                rows.append((dossier_id, notified, mailed, opened_at, escalated_at))
        return {name: [row[at] for row in rows] for at, name in enumerate(DELIVERY_FIELDS)}

    def site_of_space(self, workspace_id: str) -> Row | None:
        return one(self.db, "select * from partner_sites where workspace_id = ? and "
                   "removed_at is null", [workspace_id])
