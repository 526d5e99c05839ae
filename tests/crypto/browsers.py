"""Two people's crypto workers (CryptoService under CPython) and the invitation between them."""

from __future__ import annotations

from pycrypto_wasm.service import CryptoService

PRF_ADMIN = bytes([1]) * 32
PRF_NEWCOMER = bytes([2]) * 32
PERSON = {"display_name": "Dr Martin", "email": "martin@chu.example", "site": "Nord"}


def ok(reply):
    assert reply["ok"], reply
    return reply["result"]


def invite_newcomer(admin_service, created, typed=None):
    newcomer = CryptoService()
    prepared = ok(newcomer.handle("invite.claimer_prepare", {
        "organization_id": "o-1", "user_id": "u-new", "root_verify_key": created["root_verify_key"],
        "prf_output": PRF_NEWCOMER,
    }))
    hello = ok(admin_service.handle("invite.greeter_hello", {"invitation_id": "i-1"}))["hello"]
    answer = ok(newcomer.handle("invite.claimer_hello", {"greeter_hello": hello}))["hello"]
    revealed = ok(admin_service.handle("invite.greeter_reveal",
                                       {"invitation_id": "i-1", "claimer_hello": answer}))
    claimer_code = ok(newcomer.handle("invite.claimer_reveal",
                                      {"reveal": revealed["reveal"]}))["claimer_code"]
    ok(newcomer.handle("invite.claimer_confirm", {"typed_code": revealed["greeter_code"]}))
    certified = admin_service.handle("invite.greeter_certify", {
        "invitation_id": "i-1", "typed_code": typed or claimer_code.lower(),
        "claimer_user_id": "u-new", "claimer_verify_key": prepared["verify_key"],
        "claimer_public_key": prepared["public_key"], "profile": "member",
        "display_name": "Mme Durand", "email": "durand@chu.example", "site": "Sud",
    })
    return newcomer, prepared, certified
