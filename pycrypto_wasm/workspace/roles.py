"""Workspace roles and who may grant which: an owner grants any role, a manager any role below
owner. The workspace's history (`history.py`) applies these rules to every membership entry;
the server enforces them too, but clients believe only what the history proves."""

from __future__ import annotations

ROLES = ("reader", "contributor", "manager", "owner")


def role_rank(role: str) -> int:
    return ROLES.index(role)


def may_grant(granter_role: str, role: str) -> bool:
    return granter_role == "owner" or (
        granter_role == "manager" and role_rank(role) < role_rank("owner")
    )
