"""Storage for partner sites: the sites an organization registers (name, the partner space
that serves them), their contacts, and which users an external user may see in the directory
(SQL shared by both engines, see engine.py)."""

from __future__ import annotations

from typing import Any

from api.storage.engine import Connection
from api.storage.queries import Row, insert, one


class PartnerStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    # sites ------------------------------------------------------------------------------------
    def sites_of(self, organization_id: str) -> list[Row]:
        return list(self.db.query(
            "select * from partner_sites where organization_id = ? and removed_at is null "
            "order by created_at", [organization_id]))

    def site(self, site_id: str) -> Row | None:
        return one(self.db, "select * from partner_sites where id = ? and removed_at is null",
                   [site_id])

    def add_site(self, site: Row) -> None:
        insert(self.db, "partner_sites", site)

    def update_site(self, site_id: str, **changes: Any) -> None:
        columns = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(f"update partner_sites set {columns} where id = ?",
                        [*changes.values(), site_id])

    # contacts ---------------------------------------------------------------------------------
    def contacts(self, site_id: str) -> list[Row]:
        return list(self.db.query(
            "select c.user_id, c.added_at, u.revoked_at from partner_site_contacts c "
            "join users u on u.id = c.user_id where c.site_id = ? order by c.added_at",
            [site_id]))

    def site_of_contact(self, user_id: str) -> Row | None:
        return one(self.db,
                   "select s.* from partner_sites s join partner_site_contacts c "
                   "on c.site_id = s.id where c.user_id = ? and s.removed_at is null",
                   [user_id])

    def add_contact(self, site_id: str, user_id: str, now: float) -> None:
        insert(self.db, "partner_site_contacts",
               {"site_id": site_id, "user_id": user_id, "added_at": now})

    def remove_contact(self, site_id: str, user_id: str) -> bool:
        removed = self.db.execute(
            "delete from partner_site_contacts where site_id = ? and user_id = ?",
            [site_id, user_id])
        return removed.rowcount == 1

    # what an external user may see ------------------------------------------------------------
    def users_sharing_with(self, user_id: str) -> set[str]:
        """Everyone who is or was a member of a workspace the user belongs to now (a history
        names its past members too), and the user."""
        rows = self.db.query(
            "select distinct others.user_id from workspace_members mine "
            "join workspace_members others on others.workspace_id = mine.workspace_id "
            "where mine.user_id = ? and mine.removed_at is null", [user_id])
        return {row["user_id"] for row in rows} | {user_id}
