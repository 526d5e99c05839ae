"""A message encrypted and signed in the browser opens under CPython, and the reverse.

The browser side runs in the real crypto worker (Pyodide + libsodium.js), reached through the
page's own crypto-client module; the CPython side is pycrypto_wasm on PyNaCl.
"""

from __future__ import annotations

import pytest

from e2e.harness.browser import wait_for_crypto_ready
from pycrypto_wasm import addressed
from pycrypto_wasm.context import Context
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.signing import SigningKey, VerifyKey

CONTEXT = {"purpose": "handover", "workspace": "ws-e2e", "object_id": "dossier-1", "version": 1}

# Runs in the page: calls the crypto worker, with bytes as hex both ways.
CALL_WORKER = """
async ([method, params]) => {
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const unhex = (text) => Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
  const { cryptoClient } = await import(`${document.body.dataset.assetBase}web/crypto-client.js`);
  const decoded = Object.fromEntries(Object.entries(params).map(
    ([key, value]) => [key, key === 'context' ? value : unhex(value)]));
  try {
    const result = await cryptoClient().call(method, decoded);
    return { ok: true, result: Object.fromEntries(Object.entries(result).map(
      ([key, value]) => [key, value instanceof Uint8Array ? hex(value) : value])) };
  } catch (error) {
    return { ok: false, code: error.code, message: error.message };
  }
}
"""


@pytest.fixture
def worker_keys(server, user):
    user.page.goto(server.url)
    wait_for_crypto_ready(user.page)
    reply = user.page.evaluate(CALL_WORKER, ["keys.generate", {}])
    assert reply["ok"], reply
    return reply["result"]


def call_worker(user, method, **params):
    return user.page.evaluate(CALL_WORKER, [method, params])


def test_roundtrip_browser_message_opens_under_cpython(user, worker_keys):
    recipient = PrivateKey.generate()
    reply = call_worker(
        user, "message.send", recipient_public_key=recipient.public_key.key.hex(),
        context=CONTEXT, plaintext="Avis: admission acceptée".encode().hex(),
    )
    assert reply["ok"], reply
    sender = VerifyKey(bytes.fromhex(worker_keys["verify_key"]))
    plaintext = addressed.receive(
        recipient, sender, Context(**CONTEXT), bytes.fromhex(reply["result"]["message"])
    )
    assert plaintext.decode() == "Avis: admission acceptée"
    assert sender.fingerprint() == worker_keys["fingerprint"]


def test_roundtrip_cpython_message_opens_in_browser(user, worker_keys):
    sender = SigningKey.generate()
    message = addressed.send(
        sender, PublicKey(bytes.fromhex(worker_keys["public_key"])), Context(**CONTEXT),
        "Bilan social détaillé".encode(),
    )
    reply = call_worker(
        user, "message.receive", sender_verify_key=sender.verify_key.key.hex(),
        context=CONTEXT, message=message.hex(),
    )
    assert reply == {"ok": True, "result": {"plaintext": "Bilan social détaillé".encode().hex()}}


def test_roundtrip_tampered_message_is_refused_in_browser_by_name(user, worker_keys):
    sender = SigningKey.generate()
    message = bytearray(addressed.send(
        sender, PublicKey(bytes.fromhex(worker_keys["public_key"])), Context(**CONTEXT), b"x"
    ))
    message[40] ^= 0x01
    reply = call_worker(
        user, "message.receive", sender_verify_key=sender.verify_key.key.hex(),
        context=CONTEXT, message=bytes(message).hex(),
    )
    assert reply["ok"] is False
    assert reply["code"] == "decryption_failed"
    assert "handover dossier-1 version 1 in workspace ws-e2e" in reply["message"]


def test_roundtrip_message_from_another_sender_is_refused_in_browser(user, worker_keys):
    impostor = SigningKey.generate()
    message = addressed.send(
        impostor, PublicKey(bytes.fromhex(worker_keys["public_key"])), Context(**CONTEXT), b"x"
    )
    reply = call_worker(
        user, "message.receive", sender_verify_key=SigningKey.generate().verify_key.key.hex(),
        context=CONTEXT, message=message.hex(),
    )
    assert (reply["ok"], reply["code"]) == (False, "bad_signature")


def test_roundtrip_page_cannot_ask_the_worker_for_block_keys(user, worker_keys):
    for method in ("file.download_keys", "file.upload_layout", "file.record_block"):
        reply = call_worker(user, method, file_id="")
        assert (reply["ok"], reply["code"]) == (False, "forbidden_method"), reply


def test_roundtrip_worker_is_restored_from_the_release_snapshot(user, worker_keys):
    boot = user.page.evaluate("""async () => {
      const base = document.body.dataset.assetBase;
      const { cryptoClient } = await import(`${base}web/crypto-client.js`);
      return cryptoClient().detail.boot;
    }""")
    assert boot == "snapshot"
