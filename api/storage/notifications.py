"""Storage for notifications (SQL shared by both engines, see engine.py): one row per recipient
saying which space, which kind, when, whether it was read and where its mail stands; each user's
mail preferences; and when each user was last mailed.

A row's mail goes through `pending` (to be mailed), `claimed` (a process is mailing it),
`mailed`, or `none` (never to be mailed: the recipient said so, or read it first). Claiming runs
in one write transaction (one at a time on both engines, across processes too), so two server
processes sharing the database never mail the same row.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.storage.engine import Connection
from api.storage.queries import Row, insert, one
from api.storage.transactions import transaction

MAIL_MODES = ("grouped", "daily", "never")
DEFAULT_PREFERENCES: Row = {"mail": "grouped", "language": "en"}


@dataclass(frozen=True)
class MailDue:
    """One mail to send: to whom, in which language, about which spaces."""

    claim: str
    user_id: str
    email: str
    language: str
    workspace_ids: list[str]


class NotificationStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    def add(self, rows: list[Row]) -> None:
        with transaction(self.db):
            for row in rows:
                insert(self.db, "notifications", row)

    def recent(self, user_id: str, limit: int) -> list[Row]:
        """The user's newest notifications, newest first."""
        return list(self.db.query(
            "select id, workspace_id, item_id, kind, by_user_id, created_at, read_at "
            "from notifications where user_id = ? order by created_at desc, id limit ?",
            [user_id, limit]))

    def unread_by_workspace(self, user_id: str) -> dict[str, int]:
        return {row["workspace_id"]: int(row["unread"]) for row in self.db.query(
            "select workspace_id, count(*) as unread from notifications "
            "where user_id = ? and read_at is null group by workspace_id", [user_id])}

    def mark_read(self, user_id: str, workspace_id: str, item_id: str | None,
                  now: float) -> int:
        """Mark the user's unread notifications of a space (or of one item in it) read; a mail
        not sent yet is no longer due. Returns how many were unread."""
        item_clause = "" if item_id is None else " and item_id = ?"
        params = [now, user_id, workspace_id] + ([] if item_id is None else [item_id])
        with transaction(self.db):
            changed = self.db.execute(
                "update notifications set read_at = ?, mail_state = case mail_state "
                "when 'pending' then 'none' else mail_state end "
                f"where user_id = ? and workspace_id = ? and read_at is null{item_clause}",
                params)
        return changed.rowcount

    # preferences -------------------------------------------------------------------------------
    def preferences(self, user_id: str) -> Row:
        row = one(self.db, "select mail, language from notification_preferences "
                  "where user_id = ?", [user_id])
        return row or dict(DEFAULT_PREFERENCES)

    def set_preferences(self, user_id: str, mail: str, language: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "insert into notification_preferences values (?, ?, ?) on conflict (user_id) "
                "do update set mail = excluded.mail, language = excluded.language",
                [user_id, mail, language])
            if mail == "never":
                self.db.execute("update notifications set mail_state = 'none' "
                                "where user_id = ? and mail_state = 'pending'", [user_id])

    # mail ------------------------------------------------------------------------------------
    def has_pending_mail(self) -> bool:
        return one(self.db, "select 1 as pending from notifications where mail_state in "
                   "('pending', 'claimed') limit 1", []) is not None

    def claim_due_mail(self, claim: str, now: float, delay: float, windows: dict[str, float],
                       stale_before: float) -> list[MailDue]:
        """Claim, as `claim`, every recipient's pending rows whose first one waited `delay`
        seconds and whose last mail is older than their mode's window (`windows[mode]`); rows a
        crashed process claimed before `stale_before` are pending again."""
        with transaction(self.db):
            self.db.execute(
                "update notifications set mail_state = 'pending', mail_claim = null, "
                "claimed_at = null where mail_state = 'claimed' and claimed_at < ?",
                [stale_before])
            waiting = list(self.db.query(
                "select n.user_id, min(n.created_at) as first_at, u.email, "
                "coalesce(p.mail, ?) as mail, coalesce(p.language, ?) as language, "
                "m.last_mailed_at from notifications n join users u on u.id = n.user_id "
                "left join notification_preferences p on p.user_id = n.user_id "
                "left join notification_mailings m on m.user_id = n.user_id "
                "where n.mail_state = 'pending' and u.revoked_at is null "
                "group by n.user_id, u.email, p.mail, p.language, m.last_mailed_at",
                [DEFAULT_PREFERENCES["mail"], DEFAULT_PREFERENCES["language"]]))
            due = []
            for row in waiting:
                window = windows.get(row["mail"])
                if window is None or row["first_at"] + delay > now or (
                        row["last_mailed_at"] is not None
                        and row["last_mailed_at"] + window > now):
                    continue
                self.db.execute(
                    "update notifications set mail_state = 'claimed', mail_claim = ?, "
                    "claimed_at = ? where user_id = ? and mail_state = 'pending'",
                    [claim, now, row["user_id"]])
                self.db.execute(
                    "insert into notification_mailings values (?, ?) on conflict (user_id) "
                    "do update set last_mailed_at = excluded.last_mailed_at",
                    [row["user_id"], now])
                spaces = [space["workspace_id"] for space in self.db.query(
                    "select workspace_id, min(created_at) as first_at from notifications "
                    "where mail_claim = ? and user_id = ? group by workspace_id "
                    "order by first_at", [claim, row["user_id"]])]
                due.append(MailDue(claim, row["user_id"], row["email"], row["language"], spaces))
        return due

    def mailed(self, claim: str, user_id: str, now: float) -> None:
        self.db.execute("update notifications set mail_state = 'mailed', mailed_at = ? "
                        "where mail_claim = ? and user_id = ?", [now, claim, user_id])

    def unclaim(self, claim: str, user_id: str) -> None:
        """A mail that could not be sent: its rows are pending again, for the next window."""
        self.db.execute("update notifications set mail_state = 'pending', mail_claim = null, "
                        "claimed_at = null where mail_claim = ? and user_id = ?",
                        [claim, user_id])
