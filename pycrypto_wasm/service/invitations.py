"""RPC methods for the two sides of an invitation's SAS exchange (see identity/sas.py).

Greeter (admin): hello -> reveal (shows the greeter's code) -> confirm (checks the code the
invitee read aloud) and accept_confirmation (checks the invitee's signed confirmation, relayed
over the invitation channel), in either order, each replying whether both are in -> certify
(signs the newcomer's certificate, refused until both are in). Claimer (invitee): prepare (new
keys, wrapped by the new passkey's PRF output) -> hello -> reveal (shows the claimer's code) ->
confirm (checks the admin's code, returns the signed confirmation to relay) -> finish (checks the
certificate names its own keys). A code that does not match ends the exchange in this browser,
on either side: a retry is a fresh exchange (new nonces, a new commitment, new codes) started
with a new hello, so that each try gives someone in the middle one new chance of 2**-20 and no
more, never a second guess at the same codes.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity.certificates import UserCertificate
from pycrypto_wasm.identity.keybundle import KeyBundle
from pycrypto_wasm.identity.sas import (
    ClaimerExchange,
    ConfirmationError,
    GreeterExchange,
    SasMismatchError,
)
from pycrypto_wasm.service import params
from pycrypto_wasm.service.identity import (
    identity_summary,
    new_certificate,
    recovery_material,
    wrap_if_prf,
)
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import Claim, WorkerState
from pycrypto_wasm.signing import VerifyKey


class SubstitutedKeyError(CryptoError):
    """The server's copy of the invitee's keys is not what the SAS exchange confirmed."""

    code = "substituted_key"


def _b64_message(message: dict[str, bytes]) -> dict[str, str]:
    return {name: params.to_b64(value) for name, value in message.items()}


def _bytes_message(request: Params, name: str) -> dict[str, bytes]:
    message = request.get(name)
    if not isinstance(message, dict):
        raise RequestError(f"parameter {name!r} must be an object")
    message = dict(message)
    return {key: params.b64(message, key) for key in message}


def _greeting(state: WorkerState, request: Params) -> GreeterExchange:
    return params.in_progress(state.greetings, request, "invitation_id", "invitation exchange")


def greeter_hello(state: WorkerState, request: Params) -> Reply:
    bundle = state.identity()
    exchange = GreeterExchange(bundle.root_verify_key, bundle.signing_key.verify_key.key)
    state.greetings[params.text(request, "invitation_id")] = exchange
    return {"hello": _b64_message(exchange.hello())}


def greeter_reveal(state: WorkerState, request: Params) -> Reply:
    exchange = _greeting(state, request)
    reveal = exchange.reveal(_bytes_message(request, "claimer_hello"))
    return {"reveal": _b64_message(reveal), "greeter_code": exchange.codes()[0]}


def greeter_confirm(state: WorkerState, request: Params) -> Reply:
    """Check the code the invitee read aloud; `ready` once the invitee confirmed too."""
    exchange = _greeting(state, request)
    try:
        exchange.confirm_code(params.text(request, "typed_code"))
    except SasMismatchError:
        del state.greetings[params.text(request, "invitation_id")]
        raise
    return {"ready": exchange.confirmed_both_ways}


def greeter_accept_confirmation(state: WorkerState, request: Params) -> Reply:
    """Check the invitee's signed confirmation; `ready` once the admin confirmed too."""
    exchange = _greeting(state, request)
    try:
        exchange.receive_confirmation(_bytes_message(request, "confirmation"))
    except ConfirmationError:
        del state.greetings[params.text(request, "invitation_id")]
        raise
    return {"ready": exchange.confirmed_both_ways}


def greeter_certify(state: WorkerState, request: Params) -> Reply:
    """Sign the invitee's certificate, only once both people confirmed the other's code."""
    bundle = state.identity()
    exchange = _greeting(state, request)
    confirmed = exchange.confirmed_claimer_keys()
    del state.greetings[params.text(request, "invitation_id")]
    served = (params.b64(request, "claimer_verify_key"), params.b64(request, "claimer_public_key"))
    if served != confirmed:
        raise SubstitutedKeyError("the server's copy of the invitee's keys was substituted")
    certificate = new_certificate(
        request, organization=bundle.organization,
        user_id=params.text(request, "claimer_user_id"), verify_key=confirmed[0],
        public_key=confirmed[1], signed_by=bundle.user_id,
        profile=params.text(request, "profile"),
    )
    return {"certificate": params.to_b64(certificate.sign(bundle.signing_key))}


def _claim(state: WorkerState) -> Claim:
    if state.claim is None:
        raise RequestError("register a passkey for this invitation first")
    return state.claim


def claimer_prepare(state: WorkerState, request: Params) -> Reply:
    bundle = KeyBundle.generate(
        params.text(request, "organization_id"), params.text(request, "user_id"),
        params.b64(request, "root_verify_key"),
    )
    state.lock()
    state.claim = Claim(bundle)
    return {
        **recovery_material(bundle),
        "verify_key": params.to_b64(bundle.signing_key.verify_key.key),
        "public_key": params.to_b64(bundle.encryption_key.public_key.key),
        "fingerprint": bundle.signing_key.verify_key.fingerprint(),
        "wrapped_bundle": wrap_if_prf(bundle, request),
    }


def claimer_hello(state: WorkerState, request: Params) -> Reply:
    claim = _claim(state)
    claim.confirmed = False
    claim.exchange = ClaimerExchange(
        claim.bundle.root_verify_key, claim.bundle.signing_key.verify_key.key,
        claim.bundle.encryption_key.public_key.key,
    )
    return {"hello": _b64_message(claim.exchange.hello(_bytes_message(request, "greeter_hello")))}


def claimer_reveal(state: WorkerState, request: Params) -> Reply:
    claim = _claim(state)
    if claim.exchange is None:
        raise RequestError("the administrator has not greeted yet")
    claim.exchange.receive_reveal(_bytes_message(request, "reveal"))
    return {"claimer_code": claim.exchange.codes()[1]}


def claimer_confirm(state: WorkerState, request: Params) -> Reply:
    """Check the code the admin read aloud; the signed confirmation to relay to the admin."""
    claim = _claim(state)
    if claim.exchange is None:
        raise RequestError("the administrator has not greeted yet")
    try:
        confirmation = claim.exchange.confirm_code(params.text(request, "typed_code"),
                                                   claim.bundle.signing_key)
    except SasMismatchError:
        claim.exchange = None
        raise
    claim.confirmed = True
    return {"confirmation": _b64_message(confirmation)}


def claimer_finish(state: WorkerState, request: Params) -> Reply:
    """Accept the certificate the admin signed, if it certifies exactly our keys."""
    claim = _claim(state)
    if not claim.confirmed or claim.exchange is None or claim.exchange.greeter is None:
        raise RequestError("confirm the administrator's code first")
    bundle = claim.bundle
    certificate = UserCertificate.verified(
        params.b64(request, "certificate"), VerifyKey(claim.exchange.greeter["verify_key"]),
        bundle.organization, bundle.user_id,
    )
    ours = (bundle.signing_key.verify_key.key, bundle.encryption_key.public_key.key)
    theirs: tuple[Any, Any] = (certificate.verify_key, certificate.public_key)
    if not all(hmac.compare_digest(a, b) for a, b in zip(ours, theirs, strict=True)):
        raise SubstitutedKeyError("the certificate names other keys than this browser's")
    state.claim = None
    state.unlock(bundle)
    return {**identity_summary(bundle), "profile": certificate.profile}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "invite.greeter_hello": greeter_hello,
    "invite.greeter_reveal": greeter_reveal,
    "invite.greeter_confirm": greeter_confirm,
    "invite.greeter_accept_confirmation": greeter_accept_confirmation,
    "invite.greeter_certify": greeter_certify,
    "invite.claimer_prepare": claimer_prepare,
    "invite.claimer_hello": claimer_hello,
    "invite.claimer_reveal": claimer_reveal,
    "invite.claimer_confirm": claimer_confirm,
    "invite.claimer_finish": claimer_finish,
}
