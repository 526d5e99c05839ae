"""Storage for identity: organizations, users, passkeys, challenges, sessions, invitations (SQL
shared by both engines, see engine.py).

Rows come back as plain dicts. What must land together (an organization and its first admin, an
invitation and the user it creates) runs in one transaction, with raw SQL (see transactions.py).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from api.storage.engine import Connection
from api.storage.queries import Row, insert, one
from api.storage.transactions import transaction


class IdentityStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    # organizations and bootstrap -------------------------------------------------------------
    def organization_count(self) -> int:
        return self.db.execute("select count(*) from organizations").fetchone()[0]

    def organization(self, organization_id: str) -> Row | None:
        return one(self.db, "select * from organizations where id = ?", [organization_id])

    def add_bootstrap_token(self, token_hash: str, name: str, now: float, expires: float) -> None:
        self.db.execute(
            "insert into bootstrap_tokens values (?, ?, ?, ?, null)",
            [token_hash, name, now, expires],
        )

    def bootstrap_token(self, token_hash: str) -> Row | None:
        return one(self.db, "select * from bootstrap_tokens where token_hash = ?", [token_hash])

    def create_organization(
        self, *, token_hash: str, organization: Row, admin: Row, passkey: Row, now: float
    ) -> bool:
        """Create the organization and its first admin; False if the token was used meanwhile."""
        with transaction(self.db):
            used = self.db.execute(
                "update bootstrap_tokens set used_at = ? where token_hash = ? and used_at is null",
                [now, token_hash],
            )
            if used.rowcount != 1:
                return False
            insert(self.db, "organizations", organization)
            insert(self.db, "users", admin)
            insert(self.db, "passkeys", passkey)
        return True

    # users ------------------------------------------------------------------------------------
    def user(self, user_id: str) -> Row | None:
        return one(self.db, "select * from users where id = ?", [user_id])

    def users_of(self, organization_id: str) -> list[Row]:
        return list(
            self.db.query(
                "select * from users where organization_id = ? order by created_at",
                [organization_id],
            )
        )

    def user_summaries_of(self, organization_id: str) -> list[Row]:
        """Each user's id, name, e-mail, creation date and revocation (none for most): what
        searching and paging the directory reads, without the certificates and keys."""
        return list(self.db.query(
            "select id, display_name, email, created_at, revocation from users "
            "where organization_id = ? order by created_at", [organization_id]))

    def revoked_user_ids(self, organization_id: str) -> set[str]:
        return {row["id"] for row in self.db.query(
            "select id from users where organization_id = ? and revocation is not null",
            [organization_id])}

    def users_by_ids(self, organization_id: str, user_ids: Collection[str]) -> list[Row]:
        """The organization's users among `user_ids`, whole, in no particular order."""
        ids = sorted(user_ids)
        rows: list[Row] = []
        for start in range(0, len(ids), 500):
            batch = ids[start:start + 500]
            rows += self.db.query(
                f"select * from users where organization_id = ? and id in "
                f"({', '.join('?' for _ in batch)})", [organization_id, *batch])
        return rows

    def user_by_recovery(self, token_hash: str) -> Row | None:
        return one(self.db, "select * from users where recovery_token_hash = ?", [token_hash])

    def set_recovery(self, user_id: str, token_hash: str, bundle: bytes) -> None:
        self.db.execute(
            "update users set recovery_token_hash = ?, recovery_bundle = ? where id = ?",
            [token_hash, bundle, user_id],
        )

    def revoke(self, user_id: str, revocation: bytes, now: float) -> None:
        with transaction(self.db):
            self.db.execute(
                "update users set revocation = ?, revoked_at = ? where id = ?",
                [revocation, now, user_id],
            )
            self.db.execute("delete from sessions where user_id = ?", [user_id])

    # passkeys ---------------------------------------------------------------------------------
    def passkey(self, credential_id: bytes) -> Row | None:
        return one(self.db, "select * from passkeys where credential_id = ?", [credential_id])

    def passkeys_of(self, user_id: str) -> list[Row]:
        return list(
            self.db.query(
                "select * from passkeys where user_id = ? order by created_at", [user_id]
            )
        )

    def add_passkey(self, passkey: Row) -> None:
        insert(self.db, "passkeys", passkey)

    def record_passkey_use(self, credential_id: bytes, sign_count: int, now: float) -> None:
        self.db.execute(
            "update passkeys set sign_count = ?, last_used_at = ? where credential_id = ?",
            [sign_count, now, credential_id],
        )

    def rename_passkey(self, user_id: str, credential_id: bytes, name: str) -> bool:
        cursor = self.db.execute(
            "update passkeys set name = ? where credential_id = ? and user_id = ?",
            [name, credential_id, user_id],
        )
        return cursor.rowcount == 1

    def delete_passkey(self, user_id: str, credential_id: bytes) -> bool:
        cursor = self.db.execute(
            "delete from passkeys where credential_id = ? and user_id = ?", [credential_id, user_id]
        )
        return cursor.rowcount == 1

    # challenges -------------------------------------------------------------------------------
    def add_challenge(self, challenge: Row) -> None:
        insert(self.db, "challenges", challenge)

    def consume_challenge(self, challenge_id: str, purpose: str, now: float) -> Row | None:
        """The challenge, marked used; None if unknown, of another purpose, used or expired."""
        with transaction(self.db):
            row = one(
                self.db,
                "select * from challenges where id = ? and purpose = ? and used = 0",
                [challenge_id, purpose],
            )
            if row is None:
                return None
            self.db.execute("update challenges set used = 1 where id = ?", [challenge_id])
        return row if row["expires_at"] > now else None

    def purge_challenges(self, now: float) -> None:
        self.db.execute("delete from challenges where expires_at < ?", [now])

    # sessions ---------------------------------------------------------------------------------
    def add_session(self, session: Row) -> None:
        insert(self.db, "sessions", session)

    def session(self, token_hash: str) -> Row | None:
        return one(self.db, "select * from sessions where token_hash = ?", [token_hash])

    def touch_session(self, token_hash: str, now: float) -> None:
        self.db.execute(
            "update sessions set last_seen_at = ? where token_hash = ?", [now, token_hash]
        )

    def suspend_session(self, token_hash: str, now: float) -> None:
        """Lock the session: it answers no call until `resume_session`."""
        self.db.execute("update sessions set suspended_at = coalesce(suspended_at, ?) "
                        "where token_hash = ?", [now, token_hash])

    def resume_session(self, token_hash: str, now: float) -> None:
        self.db.execute("update sessions set suspended_at = null, last_seen_at = ? "
                        "where token_hash = ?", [now, token_hash])

    def delete_session(self, token_hash: str) -> None:
        self.db.execute("delete from sessions where token_hash = ?", [token_hash])

    def sessions_with_revocation(self, token_hashes: list[str]) -> dict[str, Row]:
        """The sessions of `token_hashes` that still exist, each with its user's `revoked_at`."""
        found: dict[str, Row] = {}
        for start in range(0, len(token_hashes), 500):
            chunk = token_hashes[start:start + 500]
            found.update((row["token_hash"], row) for row in self.db.query(
                "select s.token_hash, s.last_seen_at, s.expires_at, s.suspended_at, u.revoked_at "
                "from sessions s join users u on u.id = s.user_id "
                f"where s.token_hash in ({', '.join('?' * len(chunk))})", chunk))
        return found

    # invitations ------------------------------------------------------------------------------
    def add_invitation(self, invitation: Row) -> None:
        insert(self.db, "invitations", invitation)

    def invitation(self, invitation_id: str) -> Row | None:
        return one(self.db, "select * from invitations where id = ?", [invitation_id])

    def invitation_by_token(self, token_hash: str) -> Row | None:
        return one(self.db, "select * from invitations where token_hash = ?", [token_hash])

    def invitations_of(self, organization_id: str, statuses: tuple[str, ...] = ()) -> list[Row]:
        """The organization's invitations, newest first; only those in `statuses` if given."""
        among = f" and status in ({', '.join('?' * len(statuses))})" if statuses else ""
        return list(
            self.db.query(
                f"select * from invitations where organization_id = ?{among} "
                "order by created_at desc",
                [organization_id, *statuses],
            )
        )

    def mark_invitation_opened(self, invitation_id: str, now: float) -> bool:
        """Remember when the invitee first opened their link; True the first time only."""
        cursor = self.db.execute(
            "update invitations set opened_at = ? where id = ? and opened_at is null",
            [now, invitation_id],
        )
        return cursor.rowcount == 1

    def count_failed_check(self, invitation_id: str, open_statuses: tuple[str, ...]) -> int | None:
        """One more failed code check on an invitation still in `open_statuses`: the count so
        far, or None if it is no longer open."""
        with transaction(self.db):
            cursor = self.db.execute(
                "update invitations set failed_checks = failed_checks + 1 "
                f"where id = ? and status in ({', '.join('?' * len(open_statuses))})",
                [invitation_id, *open_statuses],
            )
            if cursor.rowcount != 1:
                return None
            row = one(self.db, "select failed_checks from invitations where id = ?",
                      [invitation_id])
        return int(row["failed_checks"]) if row else None

    def replace_invitation_link(self, invitation_id: str, token_hash: str, expires_at: float,
                                open_statuses: tuple[str, ...]) -> bool:
        """A new link for an invitation still in `open_statuses`; the old one stops working."""
        cursor = self.db.execute(
            "update invitations set token_hash = ?, expires_at = ?, opened_at = null "
            f"where id = ? and status in ({', '.join('?' * len(open_statuses))})",
            [token_hash, expires_at, invitation_id, *open_statuses],
        )
        return cursor.rowcount == 1

    def update_invitation(self, invitation_id: str, expected_status: str, **changes: Any) -> bool:
        """Apply `changes` if the invitation is still in `expected_status`."""
        assignments = ", ".join(f"{name} = ?" for name in changes)
        cursor = self.db.execute(
            f"update invitations set {assignments} where id = ? and status = ?",
            [*changes.values(), invitation_id, expected_status],
        )
        return cursor.rowcount == 1

    def complete_invitation(self, invitation_id: str, user: Row, passkey: Row) -> bool:
        with transaction(self.db):
            if self.passkey(passkey["credential_id"]) is not None:
                return False
            done = self.db.execute(
                "update invitations set status = 'completed' "
                "where id = ? and status = 'registered'",
                [invitation_id],
            )
            if done.rowcount != 1:
                return False
            insert(self.db, "users", user)
            insert(self.db, "passkeys", passkey)
        return True
