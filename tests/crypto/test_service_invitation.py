"""The invitation's two-way gate, in the workers (CPython): the admin's browser signs the
newcomer's certificate only once the admin typed the invitee's code AND the invitee's browser sent
its signed confirmation of the admin's code, in either order; a wrong code on either side, or a
confirmation the invitee's keys did not sign for this exchange, ends it with no certificate."""

from __future__ import annotations

import pytest

from pycrypto_wasm.identity.sas import CONFIRMATION_CONTEXT
from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.signing import SigningKey
from tests.crypto.browsers import PERSON, PRF_ADMIN, Invitation, ok, start_invitation


@pytest.fixture
def created():
    service = CryptoService()
    return service, ok(service.handle("identity.create_organization", {
        "organization_id": "o-1", "user_id": "u-admin", "prf_output": PRF_ADMIN, **PERSON,
    }))


@pytest.fixture
def invitation(created) -> Invitation:
    return start_invitation(*created)


def _wrong(code: str) -> str:
    return "ZZZZ" if code != "ZZZZ" else "YYYY"


def _newcomer_accepts(invitation: Invitation, certified: dict) -> dict:
    return ok(invitation.newcomer.handle("invite.claimer_finish",
                                         {"certificate": ok(certified)["certificate"]}))


def test_invitation_admin_types_first_then_waits_for_the_invitee(invitation):
    assert ok(invitation.admin_types()) == {"ready": False}
    assert invitation.certify()["error"]["code"] == "sas_not_confirmed"
    assert ok(invitation.invitee_types()) == {"ready": True}
    finished = _newcomer_accepts(invitation, invitation.certify())
    assert finished["fingerprint"] == invitation.prepared["fingerprint"]


def test_invitation_invitee_confirms_first_then_the_admin(invitation):
    assert ok(invitation.invitee_types()) == {"ready": False}
    assert invitation.certify()["error"]["code"] == "sas_not_confirmed"
    assert ok(invitation.admin_types()) == {"ready": True}
    finished = _newcomer_accepts(invitation, invitation.certify())
    assert finished["fingerprint"] == invitation.prepared["fingerprint"]


@pytest.mark.parametrize("admin_first", [True, False])
def test_invitation_wrong_code_typed_by_the_invitee_signs_nothing(invitation, admin_first):
    if admin_first:
        ok(invitation.admin_types())
    refused = invitation.invitee_types(_wrong(invitation.greeter_code))
    assert refused["error"]["code"] == "sas_mismatch"
    if not admin_first:
        ok(invitation.admin_types())
    assert invitation.certify()["error"]["code"] == "sas_not_confirmed"
    finish = invitation.newcomer.handle("invite.claimer_finish", {"certificate": "AAAA"})
    assert finish["error"]["code"] == "bad_request"


@pytest.mark.parametrize("admin_first", [True, False])
def test_invitation_wrong_code_typed_by_the_admin_ends_the_exchange(invitation, admin_first):
    if not admin_first:
        ok(invitation.invitee_types())
    refused = invitation.admin_types(_wrong(invitation.claimer_code))
    assert refused["error"]["code"] == "sas_mismatch"
    if admin_first:
        assert invitation.invitee_types()["error"]["code"] == "bad_request"
    assert invitation.admin_types()["error"]["code"] == "bad_request"
    assert invitation.certify()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("wrong_side", ["invitee", "admin"])
def test_invitation_retry_after_a_mismatch_is_a_fresh_exchange(created, invitation,
                                                               wrong_side):
    """A misheard code ends that exchange on the side that typed it: the right code typed
    afterwards is refused (no second guess at the same codes); a retry runs a new exchange,
    with new codes, that certifies the same newcomer."""
    if wrong_side == "invitee":
        assert invitation.invitee_types(_wrong(invitation.greeter_code))["error"]["code"] == (
            "sas_mismatch")
        assert invitation.invitee_types()["error"]["code"] == "bad_request"
    else:
        assert invitation.admin_types(_wrong(invitation.claimer_code))["error"]["code"] == (
            "sas_mismatch")
        assert invitation.admin_types()["error"]["code"] == "bad_request"
    retry = start_invitation(*created, again=invitation)
    assert (retry.greeter_code, retry.claimer_code) != (invitation.greeter_code,
                                                        invitation.claimer_code)
    assert ok(retry.invitee_types()) == {"ready": False}
    assert ok(retry.admin_types()) == {"ready": True}
    finished = _newcomer_accepts(retry, retry.certify())
    assert finished["fingerprint"] == invitation.prepared["fingerprint"]


def test_invitation_confirmation_signed_by_another_key_is_refused(invitation):
    """What a server would relay if it made up the invitee's confirmation."""
    ok(invitation.admin_types())
    forged = SigningKey.generate().sign(CONFIRMATION_CONTEXT, bytes(64))
    refused = invitation.relay({"confirmation": to_b64(forged)})
    assert refused["error"]["code"] == "sas_confirmation"
    assert invitation.certify()["error"]["code"] == "bad_request"


def test_invitation_confirmation_of_another_exchange_is_refused(created):
    """A confirmation replayed from an earlier exchange with the same invitee keys does not
    count: it signs that exchange's nonces."""
    admin, organization = created
    earlier = start_invitation(admin, organization)
    confirmation = ok(earlier.newcomer.handle(
        "invite.claimer_confirm", {"typed_code": earlier.greeter_code}))["confirmation"]
    later = start_invitation(admin, organization, again=earlier)
    ok(later.admin_types())
    assert later.relay(confirmation)["error"]["code"] == "sas_confirmation"
    assert later.certify()["error"]["code"] == "bad_request"
