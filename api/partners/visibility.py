"""What an external user may see of the organization's directory: the people of their own
spaces (present and past members, whom those spaces' histories name) and the certifiers their
certificates need, never other partners or members of spaces they are not in."""

from __future__ import annotations

from typing import Any

from api.storage.pool import get_store
from pycrypto_wasm.identity.certificates import RevocationCertificate, UserCertificate


def may_see_whole_directory(user: dict[str, Any]) -> bool:
    return user["profile"] != "external"


def visible_users(user: dict[str, Any], users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of `users` (the organization's) that `user` may see: all of them unless the
    user is external; for an external user, the members of their spaces and, transitively,
    whoever signed those members' certificates or revocations (to verify them)."""
    if may_see_whole_directory(user):
        return users
    by_id = {row["id"]: row for row in users}
    wanted = get_store().partners.users_sharing_with(user["id"])
    visible: set[str] = set()
    while wanted:
        user_id = wanted.pop()
        if user_id in visible or user_id not in by_id:
            continue
        visible.add(user_id)
        wanted |= signers_of(by_id[user_id]) - visible
    return [row for row in users if row["id"] in visible]


def signers_of(row: dict[str, Any]) -> set[str]:
    """Who signed the user's certificate and, if any, their revocation."""
    signers = {UserCertificate.peek(row["certificate"]).signed_by}
    if row["revocation"]:
        signers.add(RevocationCertificate.peek(row["revocation"]).revoked_by)
    return signers
