"""RPC methods for standalone keys and addressed messages (signed, then sealed to one person)."""

from __future__ import annotations

from collections.abc import Callable

from pycrypto_wasm import addressed
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.signing import SigningKey, VerifyKey


def generate_keys(state: WorkerState, _params: Params) -> Reply:
    state.signing_key = SigningKey.generate()
    state.encryption_key = PrivateKey.generate()
    return public_keys(state, {})


def public_keys(state: WorkerState, _params: Params) -> Reply:
    signing_key, encryption_key = state.keys()
    return {
        "verify_key": signing_key.verify_key.key,
        "public_key": encryption_key.public_key.key,
        "fingerprint": signing_key.verify_key.fingerprint(),
    }


def send_message(state: WorkerState, request: Params) -> Reply:
    """`plaintext` signed with this worker's key and sealed to `recipient_public_key`."""
    signing_key, _ = state.keys()
    recipient = PublicKey(params.buffer(request, "recipient_public_key"))
    message = addressed.send(
        signing_key, recipient, params.context(request), params.buffer(request, "plaintext")
    )
    return {"message": message}


def receive_message(state: WorkerState, request: Params) -> Reply:
    """The plaintext of a message addressed to this worker's key by `sender_verify_key`."""
    _, encryption_key = state.keys()
    sender = VerifyKey(params.buffer(request, "sender_verify_key"))
    plaintext = addressed.receive(
        encryption_key, sender, params.context(request), params.buffer(request, "message")
    )
    return {"plaintext": plaintext}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "keys.generate": generate_keys,
    "keys.public": public_keys,
    "message.send": send_message,
    "message.receive": receive_message,
}
