"""The software authenticator itself: py_webauthn verifies what it produces, as it would a real
browser's, and each failure knob makes verification fail the intended way."""

from __future__ import annotations

import json

import pytest
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse

from tests.api.identity.soft_authenticator import SoftAuthenticator

ORIGIN, RP_ID = "http://localhost:8000", "localhost"


def _options(options):
    return json.loads(options_to_json(options))


@pytest.fixture
def registered():
    authenticator = SoftAuthenticator(origin=ORIGIN, rp_id=RP_ID)
    options = generate_registration_options(rp_id=RP_ID, rp_name="Paravent", user_name="a@b.c",
                                            user_id=b"u-1")
    credential = authenticator.register(_options(options))
    verified = verify_registration_response(
        credential=credential, expected_challenge=options.challenge, expected_rp_id=RP_ID,
        expected_origin=ORIGIN, require_user_verification=True)
    return authenticator, verified


def _assert(authenticator, verified, current_count=0, **knobs):
    options = generate_authentication_options(rp_id=RP_ID)
    credential = authenticator.authenticate(_options(options), **knobs)
    return verify_authentication_response(
        credential=credential, expected_challenge=options.challenge, expected_rp_id=RP_ID,
        expected_origin=ORIGIN, credential_public_key=verified.credential_public_key,
        credential_current_sign_count=current_count, require_user_verification=True)


def test_soft_authenticator_registration_verifies(registered):
    authenticator, verified = registered
    assert verified.credential_id == authenticator.last_credential_id
    assert verified.fmt == "none" and verified.user_verified


def test_soft_authenticator_assertions_verify_and_count_up(registered):
    authenticator, verified = registered
    assert _assert(authenticator, verified).new_sign_count == 1
    assert _assert(authenticator, verified, current_count=1).new_sign_count == 2


@pytest.mark.parametrize("knobs", [
    {"origin": "https://evil.example"}, {"flip_signature": True}, {"user_verified": False},
    {"sign_count": 3},
])
def test_soft_authenticator_knobs_make_verification_fail(registered, knobs):
    authenticator, verified = registered
    with pytest.raises(InvalidAuthenticationResponse):
        _assert(authenticator, verified, current_count=5, **knobs)


def test_soft_authenticator_registration_without_uv_fails():
    authenticator = SoftAuthenticator(origin=ORIGIN, rp_id=RP_ID)
    options = generate_registration_options(rp_id=RP_ID, rp_name="Paravent", user_name="a@b.c")
    credential = authenticator.register(_options(options), user_verified=False)
    with pytest.raises(InvalidRegistrationResponse):
        verify_registration_response(
            credential=credential, expected_challenge=options.challenge, expected_rp_id=RP_ID,
            expected_origin=ORIGIN, require_user_verification=True)


def test_soft_authenticator_prf_is_per_credential_and_stable(registered):
    authenticator, _ = registered
    first = authenticator.last_credential_id
    authenticator.register({"challenge": "AAAA", "user": {"id": "dQ"}})
    second = authenticator.last_credential_id
    assert authenticator.prf_output(first) == authenticator.prf_output(first)
    assert authenticator.prf_output(first) != authenticator.prf_output(second)
    assert len(authenticator.prf_output(first)) == 32
