"""Cross-runtime vectors of the drop-box formats (pycrypto_wasm/workspace/dropbox.py), computed
the same way under CPython and under Pyodide (this file runs in both, so it imports only
pycrypto_wasm).

`compute(case)` gives one case's outputs; `main()` is the entry point for
tests/crossruntime/run_in_pyodide.mjs: every case's outputs, what this runtime made of the
peer's fresh objects (a sealed deposit, its signature, link info, a link descriptor), and fresh
objects of its own. `python -m tests.crossruntime.dropbox_vectors --write` fills
tests/data/dropbox-vectors.json (the sealed inputs of the randomized formats are made once and
kept; only when a format changes on purpose).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from pycrypto_wasm import backend, canonical
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace import dropbox
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.manifest import open_manifest, seal_manifest

Case = dict[str, Any]
PLACE = {"organization": "o-vectors", "workspace": "w-vectors"}
DROP_SEED = bytes([5]) * 32
CREATOR_SEED = bytes([6]) * 32
WORKSPACE_KEY = bytes(range(32, 64))


def _hex(value: str) -> bytes:
    return bytes.fromhex(value)


def _keyring() -> Keyring:
    return Keyring(PLACE["organization"], PLACE["workspace"], {0: WORKSPACE_KEY})


def _text(value: Any) -> str:
    return canonical.encode(value).decode("utf-8")


def _link_keys(inputs: Case) -> Case:
    keys = dropbox.link_keys(_hex(inputs["secret"]), inputs["password"],
                             version=inputs["version"])
    return {"info_key": keys.info_key.hex(),
            "verify_key": keys.signing_key.verify_key.key.hex()}


def _link_info(inputs: Case) -> Case:
    info = canonical.decode(inputs["info"].encode("utf-8"))
    sealed = dropbox.seal_link_info(_hex(inputs["info_key"]), info, link_id=inputs["link_id"],
                                    nonce=_hex(inputs["nonce"]), **PLACE)
    reopened = dropbox.open_link_info(_hex(inputs["info_key"]), sealed,
                                      link_id=inputs["link_id"], **PLACE)
    return {"sealed": sealed.hex(), "info": _text(reopened)}


def _claims(inputs: Case) -> Case:
    return dropbox.signed_claims(link_id=inputs["link_id"], deposit_id=inputs["deposit_id"],
                                 sealed=_hex(inputs["sealed"]), files=inputs["files"])


def _deposit_signature(inputs: Case) -> Case:
    signer = SigningKey(_hex(inputs["signing_seed"]))
    claims = _claims(inputs)
    signature = dropbox.sign_deposit(signer, claims, **PLACE)
    dropbox.verify_deposit(signer.verify_key, signature, claims, label="vectors", **PLACE)
    return {"signature": signature.hex()}


def _deposit_open(inputs: Case) -> Case:
    content = dropbox.open_deposit(PrivateKey(_hex(inputs["drop_seed"])),
                                   _hex(inputs["sealed"]), deposit_id=inputs["deposit_id"],
                                   **PLACE)
    return {"content": _text(content)}


def _descriptor_open(inputs: Case) -> Case:
    creator = SigningKey(_hex(inputs["creator_seed"]))
    opened = open_manifest(_hex(inputs["descriptor"]), _keyring(), kind=dropbox.DESCRIPTOR_KIND,
                           document_id=inputs["link_id"], version=inputs["version"],
                           author_key=lambda _user_id: creator.verify_key)
    return {"content": _text(opened.content), "author": opened.author}


COMPUTE: dict[str, Callable[[Case], Case]] = {
    "drop_link_keys": _link_keys,
    "drop_link_info": _link_info,
    "drop_deposit_signature": _deposit_signature,
    "drop_deposit_open": _deposit_open,
    "drop_descriptor_open": _descriptor_open,
}


def compute(case: Case) -> Case:
    return COMPUTE[case["kind"]](case["input"])


def _deposit_content(text: str) -> Case:
    return {"link": "l-peer", "sent_at": 5, "depositor": {"name": text, "email": None},
            "files": []}


def make_challenges(plaintext: bytes) -> Case:
    """Fresh randomized drop-box objects carrying `plaintext`, for the other runtime."""
    text = plaintext.hex()
    sealed = dropbox.seal_deposit(PrivateKey(DROP_SEED).public_key, _deposit_content(text),
                                  deposit_id="d-peer", **PLACE)
    claims = dropbox.signed_claims(link_id="l-peer", deposit_id="d-peer", sealed=sealed,
                                   files=[[text]])
    keys = dropbox.link_keys(DROP_SEED, text)
    return {
        "deposit": sealed.hex(),
        "signature": dropbox.sign_deposit(keys.signing_key, claims, **PLACE).hex(),
        "link_info": dropbox.seal_link_info(keys.info_key, {"label": text, "drop_key": DROP_SEED},
                                            link_id="l-peer", **PLACE).hex(),
        "descriptor": seal_manifest(_keyring(), SigningKey(CREATOR_SEED), author="u-peer",
                                    kind=dropbox.DESCRIPTOR_KIND, document_id="l-peer",
                                    version=2, content={"label": text}).hex(),
    }


def open_challenges(challenges: Case) -> Case:
    """What this runtime reads from the other runtime's drop-box objects."""
    sealed = _hex(challenges["deposit"])
    content = dropbox.open_deposit(PrivateKey(DROP_SEED), sealed, deposit_id="d-peer", **PLACE)
    text = content["depositor"]["name"]
    keys = dropbox.link_keys(DROP_SEED, text)
    claims = dropbox.signed_claims(link_id="l-peer", deposit_id="d-peer", sealed=sealed,
                                   files=[[text]])
    dropbox.verify_deposit(keys.signing_key.verify_key, _hex(challenges["signature"]), claims,
                           label="peer", **PLACE)
    info = dropbox.open_link_info(keys.info_key, _hex(challenges["link_info"]),
                                  link_id="l-peer", **PLACE)
    descriptor = open_manifest(_hex(challenges["descriptor"]), _keyring(),
                               kind=dropbox.DESCRIPTOR_KIND, document_id="l-peer", version=2,
                               author_key=lambda _user_id: SigningKey(CREATOR_SEED).verify_key)
    return {"deposit": text, "signature": text, "link_info": info["label"],
            "descriptor": descriptor.content["label"]}


def main(request_json: str) -> str:
    """Entry point under Pyodide: see the module docstring."""
    request = json.loads(request_json)
    return json.dumps({
        "runtime": backend.RUNTIME_NAME,
        "outputs": {case["name"]: compute(case) for case in request["vectors"]},
        "opened": open_challenges(request["challenges"]),
        "challenges": make_challenges(_hex(request["plaintext"])),
    })


def _sealed_inputs(case: Case) -> None:
    """The randomized formats' sealed bytes, made once (kept when the file has them)."""
    inputs = case["input"]
    if case["kind"] == "drop_deposit_open" and "sealed" not in inputs:
        content = canonical.decode(inputs["content"].encode("utf-8"))
        inputs["sealed"] = dropbox.seal_deposit(
            PrivateKey(_hex(inputs["drop_seed"])).public_key, content,
            deposit_id=inputs["deposit_id"], **PLACE).hex()
    if case["kind"] == "drop_descriptor_open" and "descriptor" not in inputs:
        content = canonical.decode(inputs["content"].encode("utf-8"))
        inputs["descriptor"] = seal_manifest(
            _keyring(), SigningKey(_hex(inputs["creator_seed"])), author="u-creator",
            kind=dropbox.DESCRIPTOR_KIND, document_id=inputs["link_id"],
            version=inputs["version"], content=content, written_at=1_765_000_000).hex()


def _write(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    for case in document["cases"]:
        _sealed_inputs(case)
        case["expected"] = compute(case)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, ensure_ascii=False)
        file.write("\n")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write("tests/data/dropbox-vectors.json")
