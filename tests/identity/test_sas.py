"""The SAS exchange: both sides see the same codes, a substituted key changes them."""

from __future__ import annotations

import pytest

from pycrypto_wasm.identity.sas import (
    ClaimerExchange,
    CommitmentError,
    GreeterExchange,
    SasMismatchError,
    check_code,
)
from pycrypto_wasm.random import random_bytes

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
