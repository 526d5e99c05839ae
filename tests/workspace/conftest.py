"""Two members' worker services (CPython) and a workspace the first one created, with what the
server would hold of it in between: its log, its latest workspace manifest and each member's
key grants (a few lists standing in for the server, which stores what the workers hand it and
places their writes in the log as the server does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service.params import from_b64, to_b64
from pycrypto_wasm.workspace.log import GENESIS, VERSION, entry_hash, place_entry
from tests.crypto.browsers import invite_newcomer, ok

TODAY = "2026-11-24"


class PlacedLog(list[dict[str, Any]]):
    """The server's log: a write (format 4) is placed after the last entry, as the server's
    store does (api/storage/workspaces.py); an older entry is kept as it came."""

    def append(self, entry: dict[str, Any]) -> None:
        written = from_b64(entry["entry"], "entry")
        if written[:1] == bytes([VERSION]) and "head" in entry:
            prev = entry_hash(from_b64(self[-1]["entry"], "entry")) if self else GENESIS
            entry = {"seq": len(self) + 1, "kind": entry["kind"],
                     "entry": to_b64(place_entry(written, seq=len(self) + 1, prev=prev))}
        super().append(entry)


@dataclass
class SharedWorkspace:
    workspace_id: str
    manifest: str
    manifest_version: int = 1
    log: list[dict[str, Any]] = field(default_factory=PlacedLog)
    grants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def created(cls, owner: CryptoService, owner_id: str, name: str) -> SharedWorkspace:
        created = ok(owner.handle("workspace.create", {"name": name}))
        return cls(created["workspace_id"], created["manifest"],
                   log=PlacedLog([{"seq": 1, "kind": "workspace_created",
                                   "entry": to_b64(place_entry(from_b64(
                                       created["log_entry"], "entry"), seq=1, prev=GENESIS))}]),
                   grants={owner_id: [{"key_index": 0, "granted_by": owner_id,
                                       "grant": created["key_grant"]}]})

    def listing(self, user_id: str, **changes: Any) -> dict[str, Any]:
        """What `workspace.open` gets for `user_id`: the server's listing and log."""
        return {"workspace_id": self.workspace_id, "manifest": self.manifest,
                "manifest_version": self.manifest_version,
                "grants": self.grants.get(user_id, []), "entries": list(self.log), **changes}

    def open(self, browser: CryptoService, user_id: str, **changes: Any) -> dict[str, Any]:
        """Open the workspace; a browser with no remembered head goes on knowingly when the
        page asks (as tests/member_browser.py does: hole 5's tests say otherwise)."""
        opened = ok(browser.handle("workspace.open", self.listing(user_id, **changes)))
        workspace = {"workspace_id": self.workspace_id}
        if not ok(browser.handle("freshness.status", workspace))["fresh"]:
            ok(browser.handle("freshness.proceed", workspace))
        return opened

    def sync(self, browser: CryptoService) -> dict[str, Any]:
        """The browser reads the log as the server serves it now."""
        return ok(browser.handle("log.read", {"workspace_id": self.workspace_id,
                                              "entries": list(self.log), "today": TODAY}))

    def store(self, writer: CryptoService, written: dict[str, Any],
              granted_by: str | None = None) -> dict[str, Any]:
        """The server stores a write (its log entry, and the grants it carries), and the writer
        reads the log again, as the page does after each write."""
        self.log.append(written["log_entry"])
        for grant in written.get("grants", []):
            self.grants.setdefault(grant["user_id"], []).append(
                {**grant, "granted_by": granted_by})
        self.sync(writer)
        return written

    def share(self, owner: CryptoService, owner_id: str, user_id: str,
              role: str) -> dict[str, Any]:
        return self.store(owner, ok(owner.handle("workspace.share", {
            "workspace_id": self.workspace_id, "user_id": user_id, "role": role})), owner_id)


@pytest.fixture
def team() -> tuple[CryptoService, CryptoService, SharedWorkspace]:
    admin = CryptoService()
    created = ok(admin.handle("identity.create_organization", {
        "organization_id": "o-1", "user_id": "u-admin", "prf_output": bytes(32),
        "display_name": "Dr Admin", "email": "a@chu.example", "site": "Nord"}))
    member, _, certified = invite_newcomer(admin, created)
    certificate = ok(certified)["certificate"]
    ok(member.handle("invite.claimer_finish", {"certificate": certificate}))
    users = [{"user_id": "u-admin", "certificate": created["certificate"]},
             {"user_id": "u-new", "certificate": certificate}]
    for browser in (admin, member):
        ok(browser.handle("directory.verify", {"users": users}))
    return admin, member, SharedWorkspace.created(admin, "u-admin", "Commission SSR")
