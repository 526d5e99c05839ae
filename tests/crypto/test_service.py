"""The crypto worker's RPC surface, driven under CPython exactly as the worker drives it."""

from __future__ import annotations

from pycrypto_wasm import addressed, sealing, signing
from pycrypto_wasm.context import Context
from pycrypto_wasm.service import CryptoService

CONTEXT = {"purpose": "handover", "object_id": "h-1"}


def _result(reply):
    assert reply["ok"], reply
    return reply["result"]


def test_service_selftest_reports_runtime():
    status = _result(CryptoService().handle("selftest"))
    assert status["runtime"].startswith("PyNaCl")
    assert status["has_keys"] is False


def test_service_keys_stay_inside_and_only_public_keys_come_out():
    service = CryptoService()
    keys = _result(service.handle("keys.generate"))
    assert set(keys) == {"verify_key", "public_key", "fingerprint"}
    assert _result(service.handle("keys.public")) == keys
    assert "seed" not in repr(service) and "_signing_key" not in repr(service)


def test_service_message_sent_in_worker_opens_outside():
    service = CryptoService()
    keys = _result(service.handle("keys.generate"))
    outside = sealing.PrivateKey.generate()
    sent = _result(service.handle("message.send", {
        "recipient_public_key": outside.public_key.key, "context": CONTEXT,
        "plaintext": memoryview(b"bonjour"),
    }))
    sender = signing.VerifyKey(keys["verify_key"])
    assert addressed.receive(outside, sender, Context(**CONTEXT), sent["message"]) == b"bonjour"


def test_service_message_from_outside_opens_in_worker():
    service = CryptoService()
    keys = _result(service.handle("keys.generate"))
    outside = signing.SigningKey.generate()
    message = addressed.send(
        outside, sealing.PublicKey(keys["public_key"]), Context(**CONTEXT), b"salut"
    )
    received = _result(service.handle("message.receive", {
        "sender_verify_key": outside.verify_key.key, "context": CONTEXT, "message": message,
    }))
    assert received == {"plaintext": b"salut"}


def test_service_wipe_locks_the_keys():
    service = CryptoService()
    service.handle("keys.generate")
    service.handle("keys.wipe")
    reply = service.handle("keys.public")
    assert reply == {
        "ok": False, "error": {"code": "locked", "message": "no keys are unlocked in this browser"}
    }


def test_service_tampered_message_reports_decryption_error():
    service = CryptoService()
    keys = _result(service.handle("keys.generate"))
    outside = signing.SigningKey.generate()
    message = bytearray(addressed.send(
        outside, sealing.PublicKey(keys["public_key"]), Context(**CONTEXT), b"salut"
    ))
    message[-1] ^= 1
    reply = service.handle("message.receive", {
        "sender_verify_key": outside.verify_key.key, "context": CONTEXT, "message": bytes(message),
    })
    assert reply["ok"] is False
    assert reply["error"]["code"] == "decryption_failed"
    assert "handover h-1" in reply["error"]["message"]


def test_service_bad_requests_are_refused_clearly():
    service = CryptoService()
    service.handle("keys.generate")
    assert service.handle("nope")["error"]["code"] == "bad_request"
    missing = service.handle("message.send", {"context": CONTEXT, "plaintext": b"x"})
    assert missing["error"] == {
        "code": "bad_request", "message": "parameter 'recipient_public_key' must be bytes"
    }
    short = service.handle("message.send", {
        "recipient_public_key": b"short", "context": CONTEXT, "plaintext": b"x",
    })
    assert short["error"]["code"] == "bad_key_format"
    no_context = service.handle("message.send", {
        "recipient_public_key": bytes(32), "context": {"colour": "blue"}, "plaintext": b"x",
    })
    assert no_context["error"]["code"] == "bad_request"
