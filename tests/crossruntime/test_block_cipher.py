"""Format-2 file blocks: the browser's WebCrypto code (web/worker/block-cipher.js, run in Node.js)
and CPython's `cryptography` make and open the same blocks, and the browser side refuses altered,
moved and renamed blocks."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pycrypto_wasm.workspace import webcrypto_blocks
from tests.crossruntime.conftest import ROOT, VECTOR_FILE

CASES = [case for case in json.loads(VECTOR_FILE.read_text(encoding="utf-8"))["cases"]
         if case["kind"] == "webcrypto_block"]
PREFIX = webcrypto_blocks.associated_data_prefix(organization="org-fresh", workspace="ws-fresh",
                                                 file_id="f-fresh")
FRESH = {"plaintext": ("Bilan gériatrique " * 100).encode().hex(), "prefix": PREFIX.hex(),
         "index": 7, "padded_size": 2048}

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def node_run() -> dict:
    completed = subprocess.run(
        ["node", "tests/crossruntime/run_block_cipher.mjs"], cwd=ROOT,
        input=json.dumps({"cases": CASES, "fresh": FRESH}), capture_output=True, text=True,
        timeout=60, check=False)
    if completed.returncode != 0:
        pytest.fail(f"Node.js run failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout)


def test_block_cipher_has_vectors():
    assert CASES


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_block_cipher_webcrypto_matches_cpython(node_run, case):
    outputs = node_run["outputs"][case["name"]]
    assert outputs["stored"] == case["expected"]["stored"]
    assert outputs["block_id"] == case["expected"]["block_id"]
    assert outputs["opened"] == case["input"]["plaintext"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_block_cipher_refuses_altered_moved_and_renamed_blocks(node_run, case):
    assert node_run["outputs"][case["name"]]["errors"] == {
        "altered": "tampered_block",
        "altered_and_renamed": "decryption_failed",
        "other_index": "decryption_failed",
    }


def test_block_cipher_cpython_opens_fresh_webcrypto_block(node_run):
    fresh = node_run["fresh"]
    stored = bytes.fromhex(fresh["stored"])
    assert stored[0] == webcrypto_blocks.FORMAT
    assert hashlib.sha256(stored).hexdigest() == fresh["block_id"]
    nonce = stored[1:1 + webcrypto_blocks.NONCE_SIZE]
    body = stored[1 + webcrypto_blocks.NONCE_SIZE:]
    padded = AESGCM(bytes.fromhex(fresh["key"])).decrypt(
        nonce, body, webcrypto_blocks.associated_data(PREFIX, FRESH["index"]))
    plaintext = bytes.fromhex(FRESH["plaintext"])
    assert padded == plaintext.ljust(FRESH["padded_size"], b"\0")
