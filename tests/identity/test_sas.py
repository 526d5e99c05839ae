"""The SAS exchange: both sides see the same codes, a substituted key changes them, and the
greeter gives out the invitee's keys only once both sides confirmed."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity.sas import (
    CONFIRMATION_CONTEXT,
    ClaimerExchange,
    CommitmentError,
    ConfirmationError,
    GreeterExchange,
    NotConfirmedError,
    SasMismatchError,
    check_code,
)
from pycrypto_wasm.random import random_bytes
from pycrypto_wasm.signing import SigningKey

ROOT = bytes(range(32))


def _exchange(claimer_keys=None, tamper=None):
    greeter = GreeterExchange(ROOT, random_bytes(32))
    claimer = ClaimerExchange(ROOT, *(claimer_keys or (random_bytes(32), random_bytes(32))))
    answer = claimer.hello(greeter.hello())
    reveal = greeter.reveal(tamper(answer) if tamper else answer)
    claimer.receive_reveal(reveal)
    return greeter, claimer


def test_sas_both_sides_compute_the_same_codes():
    greeter, claimer = _exchange()
    assert greeter.codes() == claimer.codes()
    greeter_code, claimer_code = greeter.codes()
    assert len(greeter_code) == len(claimer_code) == 4 and greeter_code != claimer_code


def test_sas_substituted_claimer_key_changes_the_codes():
    greeter, claimer = _exchange(tamper=lambda hello: {**hello, "verify_key": random_bytes(32)})
    assert greeter.codes() != claimer.codes()
    with pytest.raises(SasMismatchError):
        check_code(greeter.codes()[1], claimer.codes()[1])


def test_sas_reveal_must_match_commitment():
    greeter = GreeterExchange(ROOT, random_bytes(32))
    claimer = ClaimerExchange(ROOT, random_bytes(32), random_bytes(32))
    claimer.hello(greeter.hello())
    with pytest.raises(CommitmentError):
        claimer.receive_reveal({"nonce": random_bytes(32)})


def test_sas_code_check_ignores_case_and_spaces():
    check_code("AB2C", " ab2c ")


def _confirming_exchange():
    claimer_key = SigningKey.generate()
    greeter, claimer = _exchange(claimer_keys=(claimer_key.verify_key.key, random_bytes(32)))
    return greeter, claimer, claimer_key


def test_sas_greeter_gives_the_keys_only_after_both_confirmations():
    greeter, claimer, claimer_key = _confirming_exchange()
    greeter.receive_confirmation(claimer.confirm_code(greeter.codes()[0], claimer_key))
    with pytest.raises(NotConfirmedError):
        greeter.confirmed_claimer_keys()
    greeter.confirm_code(claimer.codes()[1])
    assert greeter.confirmed_claimer_keys() == (claimer.verify_key, claimer.public_key)


def test_sas_claimer_confirms_only_the_right_code_with_its_own_key():
    greeter, claimer, claimer_key = _confirming_exchange()
    with pytest.raises(SasMismatchError):
        claimer.confirm_code(greeter.codes()[1], claimer_key)
    with pytest.raises(CryptoError):
        claimer.confirm_code(greeter.codes()[0], SigningKey.generate())


def test_sas_confirmation_by_a_stranger_or_missing_is_refused():
    greeter, _, _ = _confirming_exchange()
    stranger = SigningKey.generate().sign(CONFIRMATION_CONTEXT, greeter.transcript().digest())
    for confirmation in ({"confirmation": stranger}, {}, {"confirmation": b"\x01short"}):
        with pytest.raises(ConfirmationError):
            greeter.receive_confirmation(confirmation)
    greeter.confirm_code(greeter.codes()[1])
    with pytest.raises(NotConfirmedError):
        greeter.confirmed_claimer_keys()
