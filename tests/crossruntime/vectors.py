"""Cross-runtime test vectors: computed the same way under CPython and under Pyodide.

`compute(case)` runs one case of tests/data/vectors.json and returns its outputs. `main()` is the
entry point for tests/crossruntime/run_in_pyodide.mjs: given the vector file and a peer's fresh
randomized objects (envelopes, sealed and addressed messages, signatures), it returns this
runtime's outputs for every case, what it made of the peer's objects, and fresh objects of its own
for the peer to open. The same file regenerates the vectors under CPython:
`python -m tests.crossruntime.vectors --write` (only when a format changes on purpose).

Format-2 file blocks (`webcrypto_block` cases) are the exception: the browser encrypts them with
WebCrypto, not with Python, so Pyodide skips them; CPython computes them with the `cryptography`
package and tests/crossruntime/run_block_cipher.mjs with web/worker/block-cipher.js in Node.js.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from typing import Any

from pycrypto_wasm import (
    addressed,
    backend,
    canonical,
    envelope,
    hashing,
    hkdf,
    padding,
    sealing,
    signing,
)
from pycrypto_wasm.context import Context
from pycrypto_wasm.identity import keybundle
from pycrypto_wasm.identity.recovery import RecoveryCode, login_token_digest
from pycrypto_wasm.identity.sas import CONFIRMATION_CONTEXT, Transcript, sas_codes
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.signing import VerifyKey
from pycrypto_wasm.workspace import freshness, result_categories, share_links, webcrypto_blocks
from pycrypto_wasm.workspace.blocks import BlockRef, decrypt_block
from pycrypto_wasm.workspace.checkpoint import checkpoint_key, open_checkpoint, seal_checkpoint
from pycrypto_wasm.workspace.history import History, HistoryBase, RecordedVersion
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import ChainBase, open_entry, verify_chain
from pycrypto_wasm.workspace.manifest import open_manifest, seal_manifest
from pycrypto_wasm.workspace.own_state import OwnState, open_state, seal_state, state_key
from pycrypto_wasm.workspace.receipts import DELIVERY_COLUMNS, delivery_at, delivery_columns

Case = dict[str, Any]


def _hex(value: str) -> bytes:
    return bytes.fromhex(value)


def _aead(inputs: Case) -> Case:
    key, nonce, aad = _hex(inputs["key"]), _hex(inputs["nonce"]), _hex(inputs["aad"])
    ciphertext = backend.aead_encrypt(_hex(inputs["plaintext"]), aad, nonce, key)
    reopened = backend.aead_decrypt(ciphertext, aad, nonce, key)
    return {"ciphertext": ciphertext.hex(), "reopened": reopened.hex() if reopened else None}


def _ed25519(inputs: Case) -> Case:
    public_key, secret_key = backend.sign_seed_keypair(_hex(inputs["seed"]))
    signature = backend.sign_detached(_hex(inputs["message"]), secret_key)
    verified = backend.sign_verify_detached(signature, _hex(inputs["message"]), public_key)
    return {"public_key": public_key.hex(), "signature": signature.hex(), "verified": verified}


def _x25519(inputs: Case) -> Case:
    public_key, _secret_key = backend.box_seed_keypair(_hex(inputs["seed"]))
    return {"public_key": public_key.hex()}


def _blake2b(inputs: Case) -> Case:
    key = _hex(inputs["key"]) if inputs.get("key") else None
    return {"digest": hashing.blake2b(_hex(inputs["message"]), key=key, size=inputs["size"]).hex()}


def _kdf(inputs: Case) -> Case:
    subkey = hashing.derive_subkey(
        _hex(inputs["key"]),
        subkey_id=inputs["subkey_id"],
        context=inputs["context"],
        size=inputs["size"],
    )
    return {"subkey": subkey.hex()}


def _hkdf(inputs: Case) -> Case:
    output = hkdf.hkdf_sha256(
        _hex(inputs["ikm"]), salt=_hex(inputs["salt"]), info=_hex(inputs["info"]),
        length=inputs["length"],
    )
    return {"okm": output.hex()}


def _canonical(inputs: Case) -> Case:
    value = canonical.decode(inputs["encoded"].encode("utf-8"))
    return {"reencoded": canonical.encode(value).decode("utf-8")}


def _envelope(inputs: Case) -> Case:
    context = Context.from_fields(inputs["context"])
    key = _hex(inputs["key"])
    sealed = envelope.seal(key, context, _hex(inputs["plaintext"]), nonce=_hex(inputs["nonce"]))
    return {"envelope": sealed.hex(), "reopened": envelope.open_(key, context, sealed).hex()}


def _signed(inputs: Case) -> Case:
    context = Context.from_fields(inputs["context"])
    key = signing.SigningKey(_hex(inputs["seed"]))
    signed = key.sign_object(context, canonical.decode(inputs["object"].encode("utf-8")))
    return {"signed": signed.hex(), "verify_key": key.verify_key.key.hex()}


def _sealed_open(inputs: Case) -> Case:
    context = Context.from_fields(inputs["context"])
    plaintext = sealing.PrivateKey(_hex(inputs["seed"])).unseal(context, _hex(inputs["sealed"]))
    return {"plaintext": plaintext.hex()}


def _addressed_open(inputs: Case) -> Case:
    context = Context.from_fields(inputs["context"])
    plaintext = addressed.receive(
        sealing.PrivateKey(_hex(inputs["recipient_seed"])),
        signing.SigningKey(_hex(inputs["sender_seed"])).verify_key,
        context,
        _hex(inputs["message"]),
    )
    return {"plaintext": plaintext.hex()}


def _certificate_verify(inputs: Case) -> Case:
    entries = verify_directory(
        VerifyKey(_hex(inputs["root_verify_key"])), inputs["organization"],
        {user_id: _hex(signed) for user_id, signed in inputs["certificates"].items()},
    )
    return {
        "verdicts": {user_id: entry.valid for user_id, entry in sorted(entries.items())},
        "profiles": {user_id: entry.certificate.profile for user_id, entry in entries.items()
                     if entry.certificate is not None},
    }


def _keybundle_unwrap(inputs: Case) -> Case:
    bundle = keybundle.unwrap(
        _hex(inputs["wrapped"]), _hex(inputs["prf_output"]), keybundle.PASSKEY_INFO,
        inputs["organization"], inputs["user_id"],
    )
    return {
        "verify_key": bundle.signing_key.verify_key.key.hex(),
        "public_key": bundle.encryption_key.public_key.key.hex(),
    }


def _recovery_derive(inputs: Case) -> Case:
    code = RecoveryCode.parse(inputs["code"])
    return {
        "text": code.text(),
        "wrapping_secret": code.wrapping_secret().hex(),
        "login_token_digest": login_token_digest(code.login_token()),
    }


def _sas_codes(inputs: Case) -> Case:
    codes = sas_codes(**{name: _hex(value) for name, value in inputs.items()})
    return {"greeter_code": codes[0], "claimer_code": codes[1]}


def _sas_confirmation(inputs: Case) -> Case:
    transcript = Transcript(**{name: _hex(inputs[name]) for name in (
        "root_verify_key", "greeter_verify_key", "claimer_verify_key", "claimer_public_key",
        "greeter_nonce", "claimer_nonce")})
    claimer = signing.SigningKey(_hex(inputs["claimer_seed"]))
    confirmation = claimer.sign(CONFIRMATION_CONTEXT, transcript.digest())
    return {"transcript_digest": transcript.digest().hex(), "confirmation": confirmation.hex()}


def _padding(inputs: Case) -> Case:
    padded = padding.pad(_hex(inputs["data"]))
    return {"padded": padded.hex(), "unpadded": padding.unpad(padded).hex(),
            "padme_lengths": [padding.padme_length(length) for length in inputs["lengths"]]}


def _manifest_open(inputs: Case) -> Case:
    keyring = Keyring(inputs["organization"], inputs["workspace"],
                      {int(index): _hex(key) for index, key in inputs["keys"].items()})
    author = VerifyKey(_hex(inputs["author_verify_key"]))
    opened = open_manifest(_hex(inputs["sealed"]), keyring, kind=inputs["kind"],
                           document_id=inputs["document_id"], version=inputs["version"],
                           author_key=lambda _user_id: author)
    return {"author": opened.author, "key_index": opened.key_index,
            "content": canonical.encode(opened.content).decode("utf-8")}


def _block_decrypt(inputs: Case) -> Case:
    ref = BlockRef(inputs["block_id"], _hex(inputs["key"]), inputs["size"], _hex(inputs["digest"]))
    plaintext = decrypt_block(ref, _hex(inputs["ciphertext"]), organization=inputs["organization"],
                              workspace=inputs["workspace"], file_id=inputs["file_id"],
                              index=inputs["index"])
    return {"plaintext": plaintext.hex()}


def _block_layout(inputs: Case) -> Case:
    prefix = webcrypto_blocks.associated_data_prefix(
        organization=inputs["organization"], workspace=inputs["workspace"],
        file_id=inputs["file_id"])
    return {"prefix": prefix.hex(),
            "padded_last_blocks": [webcrypto_blocks.padded_last_block(size)
                                   for size in inputs["file_sizes"]]}


def seal_webcrypto_block(plaintext: bytes, *, key: bytes, nonce: bytes, prefix: bytes,
                         index: int, padded_size: int) -> bytes:
    """A format-2 block as CPython's `cryptography` makes it: the reference for the browser's."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # CPython only

    associated_data = webcrypto_blocks.associated_data(prefix, index)
    sealed = AESGCM(key).encrypt(nonce, plaintext.ljust(padded_size, b"\0"), associated_data)
    return bytes([webcrypto_blocks.FORMAT]) + nonce + sealed


def _webcrypto_block(inputs: Case) -> Case:
    stored = seal_webcrypto_block(
        _hex(inputs["plaintext"]), key=_hex(inputs["key"]), nonce=_hex(inputs["nonce"]),
        prefix=_hex(inputs["prefix"]), index=inputs["index"], padded_size=inputs["padded_size"])
    return {"stored": stored.hex(), "block_id": hashlib.sha256(stored).hexdigest()}


def _log_verify(inputs: Case) -> Case:
    keyring = Keyring(inputs["organization"], inputs["workspace"],
                      {int(index): _hex(key) for index, key in inputs["keys"].items()})
    author = VerifyKey(_hex(inputs["author_verify_key"]))
    entries = verify_chain([_hex(entry) for entry in inputs["entries"]],
                           organization=inputs["organization"], workspace=inputs["workspace"],
                           author_key=lambda _user_id: author)
    return {"heads": [entry.hash.hex() for entry in entries],
            "kinds": [entry.kind for entry in entries],
            "named_heads": [entry.named_head for entry in entries],
            "written_at": [entry.written_at for entry in entries],
            "publics": [canonical.encode(entry.public).decode("utf-8") for entry in entries],
            "anchors": [canonical.encode(entry.anchors).decode("utf-8") for entry in entries],
            "contents": [canonical.encode(open_entry(entry, keyring)).decode("utf-8")
                         for entry in entries],
            "key_checks": [keyring.check(index).hex() for index in sorted(keyring.keys)]}


def _own_state(inputs: Case) -> Case:
    key = state_key(_hex(inputs["encryption_seed"]))
    place = {name: inputs[name] for name in ("organization", "workspace", "user_id")}
    sealed = seal_state(key, OwnState(inputs["version"], dict(inputs["read_markers"])),
                        nonce=_hex(inputs["nonce"]), **place)
    reopened = open_state(key, sealed, version=inputs["version"], **place)
    return {"key": key.hex(), "sealed": sealed.hex(),
            "read_markers": canonical.encode(reopened.read_markers).decode("utf-8")}


def _checkpointed_history(inputs: Case) -> History:
    base = HistoryBase(ChainBase(inputs["length"], tuple(_hex(h) for h in inputs["hashes"]),
                                 tuple(_hex(h) for h in inputs["writes"])),
                       dict(inputs["own_states"]), frozenset(inputs["removed"]))
    history = History(inputs["organization"], inputs["workspace"], base=base,
                      members=dict(inputs["members"]), key_index=inputs["key_index"],
                      key_checks={int(index): _hex(check)
                                  for index, check in inputs["key_checks"].items()},
                      workflow=dict(inputs["workflow"]), clock=inputs["clock"])
    for row in inputs["versions"]:
        record = RecordedVersion(row[0], row[1], row[2], _hex(row[3]), *row[4:])
        history.versions[(record.document_id, record.version)] = record
        history.latest[record.document_id] = record
        if record.kind == "workspace":
            history.settings = record
    columns = {name: [row[index] for row in inputs["deliveries"]]
               for index, name in enumerate(DELIVERY_COLUMNS)}
    history.deliveries = {dossier_id: delivery_at(columns, at)
                          for at, dossier_id in enumerate(columns["dossier_id"])}
    return history


def _history_checkpoint(inputs: Case) -> Case:
    key = checkpoint_key(_hex(inputs["encryption_seed"]))
    sealed = seal_checkpoint(key, _checkpointed_history(inputs), user_id=inputs["user_id"],
                             nonces=(_hex(inputs["nonce"]), _hex(inputs["records_nonce"])))
    opened = open_checkpoint(key, sealed, length=inputs["length"], user_id=inputs["user_id"],
                             organization=inputs["organization"], workspace=inputs["workspace"])
    return {"key": key.hex(), "sealed": sealed.hex(), "head": opened.head[1].hex(),
            "state": canonical.encode({
                "length": opened.length, "members": opened.members,
                "key_index": opened.key_index, "workflow": opened.workflow,
                "versions": sorted([record.document_id, record.version, record.hash.hex()]
                                   for record in opened.latest.values()),
                "own_states": dict(opened.base.own_states),
                "removed": sorted(opened.base.removed), "clock": opened.clock,
                "deliveries": delivery_columns(list(opened.deliveries.values())),
                "board": opened.board_text,
            }).decode("utf-8")}


def _result_categories(inputs: Case) -> Case:
    key = checkpoint_key(_hex(inputs["encryption_seed"]))
    place = {name: inputs[name] for name in ("organization", "workspace", "user_id")}
    sealed = result_categories.seal_categories(
        key, {dossier_id: (_hex(version_hash), category)
              for dossier_id, (version_hash, category) in inputs["categories"].items()},
        nonce=_hex(inputs["nonce"]), **place)
    opened = result_categories.open_categories(key, sealed, **place)
    return {"sealed": sealed.hex(),
            "categories": {dossier_id: [version_hash.hex(), category]
                           for dossier_id, (version_hash, category) in opened.items()}}


def _freshness_answer(inputs: Case) -> Case:
    signer = signing.SigningKey(_hex(inputs["signing_seed"]))
    place = {name: inputs[name] for name in ("organization", "workspace", "asker")}
    answer = freshness.sign_answer(signer, answerer=inputs["answerer"], nonce=_hex(inputs["nonce"]),
                                   seq=inputs["seq"], head_hash=_hex(inputs["hash"]), **place)
    stated = freshness.verify_answer(answer, signer.verify_key, nonce=_hex(inputs["nonce"]),
                                     **place)
    return {"answer": answer.hex(), "answerer": stated.answerer, "seq": stated.seq,
            "hash": stated.hash.hex()}


def _heads_record(inputs: Case) -> Case:
    key = freshness.record_key(_hex(inputs["encryption_seed"]))
    signer = signing.SigningKey(_hex(inputs["signing_seed"]))
    place = {name: inputs[name] for name in ("organization", "user_id")}
    heads = [freshness.Head(head["workspace"], head["seq"], _hex(head["hash"]), head["own_state"],
                            head["verified_at"]) for head in inputs["heads"]]
    record = freshness.seal_record(key, signer, heads, written_at=inputs["written_at"],
                                   nonce=_hex(inputs["nonce"]), **place)
    written_at, reopened = freshness.open_record(key, signer.verify_key, record, **place)
    return {"key": key.hex(), "record": record.hex(), "size": len(record),
            "written_at": written_at,
            "heads": [[head.workspace, head.seq, head.hash.hex(), head.own_state,
                       head.verified_at] for head in reopened]}


def _argon2id(inputs: Case) -> Case:
    stretched = share_links.stretch_password(inputs["password"], _hex(inputs["salt"]))
    return {"stretched": stretched.hex()}


def _share_link_payload(inputs: Case) -> share_links.LinkPayload:
    """The payload of a vector, its block keys and digests written in hex."""
    value = inputs["payload"]
    files = [{**shared, "blocks": [{**ref, "key": _hex(ref["key"]), "digest": _hex(ref["digest"])}
                                   for ref in shared["blocks"]]} for shared in value["files"]]
    return share_links.LinkPayload.from_value({**value, "files": files})


def _share_link(inputs: Case) -> Case:
    link_id, fragment = inputs["link_id"], _hex(inputs["fragment"])
    header = _hex(inputs["password_header"]) if inputs["password_header"] else None
    keys = share_links.recipient_keys(link_id, fragment, header, inputs["password"])
    link_key = _hex(inputs["link_key"])
    key_box = share_links.seal_key_box(keys.wrapping_key, link_id, link_key,
                                       nonce=_hex(inputs["nonce"]))
    payload = share_links.seal_payload(link_key, link_id, _share_link_payload(inputs),
                                       nonce=_hex(inputs["nonce"]))
    copy = share_links.seal_sharer_copy(
        _hex(inputs["workspace_key"]), organization=inputs["payload"]["organization"],
        workspace=inputs["payload"]["workspace"], link_id=link_id,
        copy=share_links.SharerCopy(fragment, link_key, inputs["payload"]["label"],
                                    [shared["name"] for shared in inputs["payload"]["files"]]),
        nonce=_hex(inputs["nonce"]))
    opened = share_links.open_payload(
        share_links.open_key_box(keys.wrapping_key, link_id, key_box), link_id, payload)
    return {"proof": keys.proof.hex(), "verifier": keys.verifier.hex(),
            "key_box": key_box.hex(), "payload": payload.hex(), "sharer_copy": copy.hex(),
            "label": opened.label, "block_ids": opened.block_ids()}


COMPUTE: dict[str, Callable[[Case], Case]] = {
    "aead": _aead,
    "ed25519": _ed25519,
    "x25519": _x25519,
    "blake2b": _blake2b,
    "kdf": _kdf,
    "hkdf": _hkdf,
    "canonical": _canonical,
    "envelope": _envelope,
    "signed": _signed,
    "sealed_open": _sealed_open,
    "addressed_open": _addressed_open,
    "certificate_verify": _certificate_verify,
    "keybundle_unwrap": _keybundle_unwrap,
    "recovery_derive": _recovery_derive,
    "sas_codes": _sas_codes,
    "sas_confirmation": _sas_confirmation,
    "padding": _padding,
    "manifest_open": _manifest_open,
    "block_decrypt": _block_decrypt,
    "log_verify": _log_verify,
    "block_layout": _block_layout,
    "webcrypto_block": _webcrypto_block,
    "own_state": _own_state,
    "history_checkpoint": _history_checkpoint,
    "result_categories": _result_categories,
    "freshness_answer": _freshness_answer,
    "heads_record": _heads_record,
    "argon2id": _argon2id,
    "share_link": _share_link,
}
WEBCRYPTO_KINDS = frozenset({"webcrypto_block"})


def compute(case: Case) -> Case:
    """This runtime's outputs for one vector case."""
    return COMPUTE[case["kind"]](case["input"])


# Fresh randomized objects exchanged between runtimes: each side makes them with fixed keys and
# fresh randomness, the other side must open them.
CHALLENGE_CONTEXT = {"purpose": "cross-runtime", "workspace": "ws-1", "object_id": "obj-7",
                     "version": 3}
CHALLENGE_KEY = bytes(range(32))
CHALLENGE_SENDER_SEED = bytes([7]) * 32
CHALLENGE_RECIPIENT_SEED = bytes([9]) * 32


def _challenge_keyring() -> Keyring:
    return Keyring("org-cross-runtime", "ws-1", {0: CHALLENGE_KEY})


def _challenge_link(label: str) -> share_links.LinkPayload:
    return share_links.LinkPayload(label, "none", "org-cross-runtime", "ws-1", [])


def make_challenges(plaintext: bytes) -> Case:
    """Randomized objects carrying `plaintext`, for the other runtime to open."""
    context = Context.from_fields(CHALLENGE_CONTEXT)
    sender = signing.SigningKey(CHALLENGE_SENDER_SEED)
    recipient = sealing.PrivateKey(CHALLENGE_RECIPIENT_SEED)
    return {
        "envelope": envelope.seal(CHALLENGE_KEY, context, plaintext).hex(),
        "sealed": recipient.public_key.seal(context, plaintext).hex(),
        "addressed": addressed.send(sender, recipient.public_key, context, plaintext).hex(),
        "signed": sender.sign(context, plaintext).hex(),
        "manifest": seal_manifest(_challenge_keyring(), sender, author="u-peer", kind="dossier",
                                  document_id="obj-7", version=3,
                                  content={"text": plaintext.hex()}).hex(),
        "freshness_answer": freshness.sign_answer(
            sender, organization="org-cross-runtime", workspace="ws-1", asker="u-asker",
            answerer=plaintext.hex(), nonce=CHALLENGE_KEY, seq=3,
            head_hash=hashing.blake2b(plaintext)).hex(),
        "heads_record": freshness.seal_record(
            freshness.record_key(CHALLENGE_KEY), sender,
            [freshness.Head(plaintext.hex(), 3, hashing.blake2b(plaintext), 2, 1)],
            organization="org-cross-runtime", user_id="u-peer", written_at=5).hex(),
        "share_link": share_links.seal_payload(CHALLENGE_KEY, "l-cross", _challenge_link(
            plaintext.hex())).hex(),
    }


def open_challenges(challenges: Case) -> Case:
    """What this runtime reads from the other runtime's challenges."""
    context = Context.from_fields(CHALLENGE_CONTEXT)
    sender = signing.SigningKey(CHALLENGE_SENDER_SEED)
    recipient = sealing.PrivateKey(CHALLENGE_RECIPIENT_SEED)
    return {
        "envelope": envelope.open_(CHALLENGE_KEY, context, _hex(challenges["envelope"])).hex(),
        "sealed": recipient.unseal(context, _hex(challenges["sealed"])).hex(),
        "addressed": addressed.receive(
            recipient, sender.verify_key, context, _hex(challenges["addressed"])
        ).hex(),
        "signed": sender.verify_key.verify(context, _hex(challenges["signed"])).hex(),
        "manifest": open_manifest(_hex(challenges["manifest"]), _challenge_keyring(),
                                  kind="dossier", document_id="obj-7", version=3,
                                  author_key=lambda _user_id: sender.verify_key,
                                  ).content["text"],
        "freshness_answer": freshness.verify_answer(
            _hex(challenges["freshness_answer"]), sender.verify_key,
            organization="org-cross-runtime", workspace="ws-1", asker="u-asker",
            nonce=CHALLENGE_KEY).answerer,
        "heads_record": freshness.open_record(
            freshness.record_key(CHALLENGE_KEY), sender.verify_key,
            _hex(challenges["heads_record"]), organization="org-cross-runtime",
            user_id="u-peer")[1][0].workspace,
        "share_link": share_links.open_payload(CHALLENGE_KEY, "l-cross",
                                               _hex(challenges["share_link"])).label,
    }


def main(request_json: str) -> str:
    """Entry point under Pyodide: see the module docstring."""
    request = json.loads(request_json)
    return json.dumps(
        {
            "runtime": backend.RUNTIME_NAME,
            "outputs": {case["name"]: compute(case) for case in request["vectors"]
                        if case["kind"] not in WEBCRYPTO_KINDS},
            "opened": open_challenges(request["challenges"]),
            "challenges": make_challenges(_hex(request["plaintext"])),
        }
    )


def _write_expected(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    for case in document["cases"]:
        if case.get("source") != "external":
            case["expected"] = compute(case)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, ensure_ascii=False)
        file.write("\n")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write_expected("tests/data/vectors.json")
