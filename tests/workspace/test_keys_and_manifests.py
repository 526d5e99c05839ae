"""Workspace keys reach only their members; manifests open only as the version they are."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import BadSignatureError, DecryptionError
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace import keys
from pycrypto_wasm.workspace.keys import Keyring, SubstitutedKeyError, UnknownKeyError
from pycrypto_wasm.workspace.manifest import ReplayedVersionError, open_manifest, seal_manifest
from tests.crypto.tampering import flip_byte

OWNER = SigningKey.generate()
MEMBER_SIGNING, MEMBER_BOX = SigningKey.generate(), PrivateKey.generate()
DOSSIER = {"patient_name": "Mme Exemple", "urgency": "high", "status": "submitted"}


@pytest.fixture
def keyring():
    return Keyring.new("org-1", "ws-1")


def _authors(user_id):
    return {"u-owner": OWNER.verify_key, "u-member": MEMBER_SIGNING.verify_key}[user_id]


def _seal(keyring, version=1, content=DOSSIER):
    return seal_manifest(keyring, OWNER, author="u-owner", kind="dossier", document_id="d-1",
                         version=version, content=content)


def _open(sealed, keyring, version=1, document_id="d-1"):
    return open_manifest(sealed, keyring, kind="dossier", document_id=document_id,
                         version=version, author_key=_authors)


def test_keys_granted_key_is_accepted_by_its_member(keyring):
    message = keys.grant(OWNER, MEMBER_BOX.public_key, organization="org-1", workspace="ws-1",
                         index=0, key=keyring.key(0))
    theirs = Keyring("org-1", "ws-1")
    theirs.accept(message, index=0, granter=OWNER.verify_key, recipient=MEMBER_BOX,
                  check=keyring.check(0))
    assert theirs.key(0) == keyring.key(0)


def test_keys_grant_of_a_key_other_than_the_announced_one_is_refused(keyring):
    substitute = Keyring.new("org-1", "ws-1")
    message = keys.grant(OWNER, MEMBER_BOX.public_key, organization="org-1", workspace="ws-1",
                         index=0, key=substitute.key(0))
    theirs = Keyring("org-1", "ws-1")
    with pytest.raises(SubstitutedKeyError, match="not the key its history announced"):
        theirs.accept(message, index=0, granter=OWNER.verify_key, recipient=MEMBER_BOX,
                      check=keyring.check(0))
    with pytest.raises(UnknownKeyError):
        theirs.key(0)


def test_keys_grant_for_another_workspace_or_index_is_refused(keyring):
    message = keys.grant(OWNER, MEMBER_BOX.public_key, organization="org-1", workspace="ws-2",
                         index=0, key=keyring.key(0))
    with pytest.raises(DecryptionError):
        Keyring("org-1", "ws-1").accept(message, index=0, granter=OWNER.verify_key,
                                        recipient=MEMBER_BOX, check=keyring.check(0))
    older = keys.grant(OWNER, MEMBER_BOX.public_key, organization="org-1", workspace="ws-1",
                       index=0, key=keyring.key(0))
    with pytest.raises(DecryptionError):
        Keyring("org-1", "ws-1").accept(older, index=1, granter=OWNER.verify_key,
                                        recipient=MEMBER_BOX, check=keyring.check(0))


def test_keys_rotation_makes_new_writes_unreadable_with_old_keys(keyring):
    removed = Keyring("org-1", "ws-1", dict(keyring.keys))
    keyring.current, _ = keyring.next_key()
    sealed = _seal(keyring)
    assert _open(sealed, keyring).content == DOSSIER
    with pytest.raises(UnknownKeyError, match="key 1 of workspace ws-1"):
        _open(sealed, removed)


def test_manifest_round_trip_names_author_and_version(keyring):
    opened = _open(_seal(keyring, version=3), keyring, version=3)
    assert (opened.author, opened.version, opened.parent, opened.content) == (
        "u-owner", 3, 2, DOSSIER)


def test_manifest_replayed_as_newer_version_is_refused(keyring):
    old = _seal(keyring, version=1)
    with pytest.raises(ReplayedVersionError,
                       match=r"dossier-manifest d-1 version 3 .* is a replay of version 1"):
        _open(old, keyring, version=3)


def test_manifest_moved_to_another_document_is_refused(keyring):
    with pytest.raises(DecryptionError):
        _open(_seal(keyring), keyring, document_id="d-2")


def test_manifest_flipped_byte_is_refused(keyring):
    with pytest.raises(DecryptionError):
        _open(flip_byte(_seal(keyring), -3), keyring)


def test_manifest_signed_by_someone_posing_as_author_is_refused(keyring):
    impostor = SigningKey.generate()
    sealed = seal_manifest(keyring, impostor, author="u-member", kind="dossier",
                           document_id="d-1", version=1, content=DOSSIER)
    with pytest.raises(BadSignatureError):
        _open(sealed, keyring)
