"""Manifests (format 2) are padded before encryption, so their size shows a Padmé size class, not
the length of a patient's name or a comment; padding that is not canonical is refused, and the
unpadded manifests of format 1 (data written before) still open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pycrypto_wasm import envelope
from pycrypto_wasm.exceptions import CryptoError, MalformedError
from pycrypto_wasm.framing import frame
from pycrypto_wasm.signing import SigningKey, VerifyKey
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.manifest import manifest_context, open_manifest, seal_manifest

OWNER = SigningKey.generate()
VECTORS = Path(__file__).resolve().parents[1] / "data/vectors.json"


@pytest.fixture
def keyring():
    return Keyring.new("org-1", "ws-1")


def _seal(keyring, content):
    return seal_manifest(keyring, OWNER, author="u-owner", kind="dossier", document_id="d-1",
                         version=1, content=content, written_at=1_700_000_000)


def _open(sealed, keyring):
    return open_manifest(sealed, keyring, kind="dossier", document_id="d-1", version=1,
                         author_key=lambda _user_id: OWNER.verify_key)


def _sealed_raw(keyring, format_version, plaintext):
    """A manifest whose encrypted plaintext is `plaintext`, as only a key holder could write."""
    context = manifest_context(keyring, "dossier", "d-1", 1)
    return frame(format_version, keyring.current.to_bytes(4, "big"),
                 envelope.seal(keyring.key(keyring.current), context, plaintext))


def _signed(keyring):
    return OWNER.sign_object(manifest_context(keyring, "dossier", "d-1", 1), {
        "author": "u-owner", "version": 1, "parent": None, "written_at": 1_700_000_000,
        "content": {"patient_name": "Mme Exemple"}})


ASSESSMENT = "Lives alone, needs daily nursing care after a fall. " * 30


@pytest.mark.parametrize("other_name", ["M. Li", "Mme Royer", "Mme Roy-Royer"])
def test_manifest_padding_names_a_few_bytes_apart_give_the_same_size(keyring, other_name):
    dossier = {"urgency": "high", "social_assessment": ASSESSMENT}
    short = _seal(keyring, {**dossier, "patient_name": "Mme Roy"})
    other = _seal(keyring, {**dossier, "patient_name": other_name})
    assert short[0] == other[0] == 2
    assert len(short) == len(other)
    assert _open(other, keyring).content["patient_name"] == other_name


def test_manifest_padding_leaves_few_sizes_for_many_field_lengths(keyring):
    sizes = {len(_seal(keyring, {"comment": "x" * length})) for length in range(200, 400)}
    assert len(sizes) <= 12


def test_manifest_padding_not_canonical_is_refused_naming_the_manifest(keyring):
    signed = _signed(keyring)
    for plaintext in (signed, signed + b"\x80", b"\x01" + signed + b"\x80" + bytes(500)):
        with pytest.raises(MalformedError, match="dossier-manifest d-1 version 1"):
            _open(_sealed_raw(keyring, 2, plaintext), keyring)


def test_manifest_relabelled_between_formats_is_refused(keyring):
    padded = _seal(keyring, {"patient_name": "Mme Exemple"})
    with pytest.raises(CryptoError):
        _open(b"\x01" + padded[1:], keyring)
    unpadded = _sealed_raw(keyring, 1, _signed(keyring))
    assert _open(unpadded, keyring).content == {"patient_name": "Mme Exemple"}
    with pytest.raises(CryptoError):
        _open(b"\x02" + unpadded[1:], keyring)


def test_manifest_format_1_written_before_still_opens():
    (case,) = [case for case in json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
               if case["name"] == "dossier-manifest-open"]
    given = case["input"]
    sealed = bytes.fromhex(given["sealed"])
    assert sealed[0] == 1
    keyring = Keyring(given["organization"], given["workspace"],
                      {int(index): bytes.fromhex(key) for index, key in given["keys"].items()})
    opened = open_manifest(sealed, keyring, kind=given["kind"], document_id=given["document_id"],
                           version=given["version"],
                           author_key=lambda _user_id: VerifyKey(
                               bytes.fromhex(given["author_verify_key"])))
    assert opened.content == json.loads(case["expected"]["content"])
