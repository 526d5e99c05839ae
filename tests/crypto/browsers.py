"""Two people's crypto workers (CryptoService under CPython) and the invitation between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrypto_wasm.service import CryptoService

PRF_ADMIN = bytes([1]) * 32
PRF_NEWCOMER = bytes([2]) * 32
PERSON = {"display_name": "Dr Martin", "email": "martin@chu.example", "site": "Nord"}


def ok(reply):
    assert reply["ok"], reply
    return reply["result"]


@dataclass
class Invitation:
    """An invitation between the admin's worker and a newcomer's, once both show their codes."""

    admin: CryptoService
    newcomer: CryptoService
    prepared: dict[str, Any]
    greeter_code: str
    claimer_code: str

    def admin_types(self, code: str | None = None) -> dict[str, Any]:
        """The admin types the code the invitee read (by default the right one)."""
        return self.admin.handle("invite.greeter_confirm", {
            "invitation_id": "i-1", "typed_code": code or self.claimer_code.lower()})

    def invitee_types(self, code: str | None = None) -> dict[str, Any]:
        """The invitee types the admin's code; its confirmation is relayed to the admin."""
        confirmed = self.newcomer.handle("invite.claimer_confirm",
                                         {"typed_code": code or self.greeter_code})
        return self.relay(ok(confirmed)["confirmation"]) if confirmed["ok"] else confirmed

    def relay(self, confirmation: dict[str, str]) -> dict[str, Any]:
        return self.admin.handle("invite.greeter_accept_confirmation", {
            "invitation_id": "i-1", "confirmation": confirmation})

    def certify(self) -> dict[str, Any]:
        return self.admin.handle("invite.greeter_certify", {
            "invitation_id": "i-1", "claimer_user_id": "u-new",
            "claimer_verify_key": self.prepared["verify_key"],
            "claimer_public_key": self.prepared["public_key"], "profile": "member",
            "display_name": "Mme Durand", "email": "durand@chu.example", "site": "Sud",
        })


def start_invitation(admin_service: CryptoService, created: dict[str, Any],
                     again: Invitation | None = None) -> Invitation:
    """The newcomer prepares its keys (or keeps those of invitation `again`); both workers run
    the exchange up to the codes."""
    if again is None:
        newcomer = CryptoService()
        prepared = ok(newcomer.handle("invite.claimer_prepare", {
            "organization_id": "o-1", "user_id": "u-new",
            "root_verify_key": created["root_verify_key"], "prf_output": PRF_NEWCOMER,
        }))
    else:
        newcomer, prepared = again.newcomer, again.prepared
    hello = ok(admin_service.handle("invite.greeter_hello", {"invitation_id": "i-1"}))["hello"]
    answer = ok(newcomer.handle("invite.claimer_hello", {"greeter_hello": hello}))["hello"]
    revealed = ok(admin_service.handle("invite.greeter_reveal",
                                       {"invitation_id": "i-1", "claimer_hello": answer}))
    claimer_code = ok(newcomer.handle("invite.claimer_reveal",
                                      {"reveal": revealed["reveal"]}))["claimer_code"]
    return Invitation(admin_service, newcomer, prepared, revealed["greeter_code"], claimer_code)


def invite_newcomer(admin_service, created, typed=None):
    """The whole invitation: the invitee confirms the admin's code, the admin types `typed` (by
    default the right code). (the newcomer's service, what it prepared, the certify reply)."""
    invitation = start_invitation(admin_service, created)
    ok(invitation.invitee_types())
    typed_by_admin = invitation.admin_types(typed)
    certified = invitation.certify() if typed_by_admin["ok"] else typed_by_admin
    return invitation.newcomer, invitation.prepared, certified
