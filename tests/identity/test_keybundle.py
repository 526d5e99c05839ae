"""Key bundles open only with the passkey's PRF output (or recovery code) they were wrapped with."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import DecryptionError, MalformedError
from pycrypto_wasm.identity.keybundle import PASSKEY_INFO, RECOVERY_INFO, KeyBundle, unwrap, wrap
from pycrypto_wasm.identity.recovery import RecoveryCode, login_token_digest

PRF = bytes(range(32))
BUNDLE = KeyBundle.generate("org-1", "u-1", bytes(32))


def test_keybundle_prf_round_trip_gives_same_keys():
    opened = unwrap(wrap(BUNDLE, PRF, PASSKEY_INFO), PRF, PASSKEY_INFO, "org-1", "u-1")
    assert opened == BUNDLE
    assert opened.signing_key.verify_key == BUNDLE.signing_key.verify_key


def test_keybundle_wrong_prf_output_fails():
    with pytest.raises(DecryptionError, match="key-bundle u-1"):
        unwrap(wrap(BUNDLE, PRF, PASSKEY_INFO), bytes(32), PASSKEY_INFO, "org-1", "u-1")


def test_keybundle_served_for_another_user_fails():
    with pytest.raises(DecryptionError):
        unwrap(wrap(BUNDLE, PRF, PASSKEY_INFO), PRF, PASSKEY_INFO, "org-1", "u-2")


def test_keybundle_passkey_wrap_does_not_open_as_recovery():
    with pytest.raises(DecryptionError):
        unwrap(wrap(BUNDLE, PRF, PASSKEY_INFO), PRF, RECOVERY_INFO, "org-1", "u-1")


def test_keybundle_wrapped_hides_seeds_and_repr_hides_them_too():
    wrapped = wrap(BUNDLE, PRF, PASSKEY_INFO)
    assert BUNDLE.signing_seed not in wrapped and BUNDLE.encryption_seed not in wrapped
    assert BUNDLE.signing_seed.hex() not in repr(BUNDLE)


def test_keybundle_short_secret_refused():
    with pytest.raises(MalformedError):
        wrap(BUNDLE, bytes(16), PASSKEY_INFO)


def test_recovery_code_round_trips_as_typed():
    code = RecoveryCode.generate()
    typed = code.text().lower().replace("-", " ")
    assert RecoveryCode.parse(typed) == code
    assert len(code.text().split("-")) == 8


def test_recovery_code_unwraps_bundle_and_token_differs_from_secret():
    code = RecoveryCode.generate()
    wrapped = wrap(BUNDLE, code.wrapping_secret(), RECOVERY_INFO)
    retyped = RecoveryCode.parse(code.text())
    assert unwrap(wrapped, retyped.wrapping_secret(), RECOVERY_INFO, "org-1", "u-1") == BUNDLE
    assert code.login_token() != code.wrapping_secret()
    assert len(login_token_digest(code.login_token())) == 64


@pytest.mark.parametrize("text", ["", "ABCD-EFGH", "!!!!-####-" * 4, "A" * 33])
def test_recovery_code_typo_is_reported(text):
    with pytest.raises(MalformedError, match="not a recovery code"):
        RecoveryCode.parse(text)
