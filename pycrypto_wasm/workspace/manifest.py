"""Manifests: the versioned documents of a workspace (the workspace itself, dossiers, files).

Version N of a document is signed by its author, then encrypted with a workspace key, bound to
the workspace, the document and N. Format version 2 (written):
`0x02 || key index (4 bytes, big-endian) || envelope(pad(signed {author, version, parent,
content}))`, where `pad` (pycrypto_wasm/padding.py) rounds the signed object up to its Padmé size
class, so the server sees how big a manifest roughly is, not how long its fields are. Format
version 1 (read only, for data written before): the same without the padding. Relabelling one as
the other cannot pass: the padding is inside the AEAD, and a signed object is not canonical
padding (nor the reverse), so opening fails.
The key index is in clear so a reader knows which key to use; everything else is sealed. A
server that serves version N-1 as N, moves a document, or alters a byte is caught on opening.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pycrypto_wasm import envelope, padding
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import BadSignatureError, CryptoError, DecryptionError, MalformedError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.signing import SigningKey, VerifyKey, verify_claimed
from pycrypto_wasm.workspace.keys import Keyring

VERSION = 2
_UNPADDED_VERSION = 1
_INDEX_SIZE = 4


class ReplayedVersionError(CryptoError, ValueError):
    """The server served an older version of a document as a newer one."""

    code = "replayed_version"


@dataclass(frozen=True)
class ManifestVersion:
    """One version of a document, as its author signed it."""

    document_id: str
    version: int
    parent: int | None
    author: str
    written_at: int
    key_index: int
    content: dict[str, Any]


def manifest_context(keyring: Keyring, kind: str, document_id: str, version: int) -> Context:
    return Context(purpose=f"{kind}-manifest", organization=keyring.organization,
                   workspace=keyring.workspace, object_id=document_id, version=version)


def seal_manifest(
    keyring: Keyring, author_key: SigningKey, *, author: str, kind: str, document_id: str,
    version: int, content: dict[str, Any], written_at: int | None = None,
) -> bytes:
    """Version `version` of a document (its parent is `version - 1`), with the current key."""
    context = manifest_context(keyring, kind, document_id, version)
    signed = author_key.sign_object(context, {
        "author": author, "version": version, "parent": version - 1 if version > 1 else None,
        "written_at": int(time.time()) if written_at is None else written_at,
        "content": content,
    })
    index = keyring.current
    return frame(VERSION, index.to_bytes(_INDEX_SIZE, "big"),
                 envelope.seal(keyring.key(index), context, padding.pad(signed)))


def open_manifest(
    sealed: bytes, keyring: Keyring, *, kind: str, document_id: str, version: int,
    author_key: Callable[[str], VerifyKey],
) -> ManifestVersion:
    """Version `version` of a document, decrypted and verified; `author_key(user_id)` gives the
    verified key of a member (from the certificate directory)."""
    context = manifest_context(keyring, kind, document_id, version)
    padded_format = sealed[:1] != bytes([_UNPADDED_VERSION])
    body = unframe(sealed, version=VERSION if padded_format else _UNPADDED_VERSION,
                   min_body=_INDEX_SIZE + envelope.OVERHEAD, what=context.describe())
    index = int.from_bytes(body[:_INDEX_SIZE], "big")
    try:
        plaintext = envelope.open_(keyring.key(index), context, body[_INDEX_SIZE:])
    except DecryptionError:
        _refuse_replay(keyring, kind, document_id, version, index, body[_INDEX_SIZE:])
        raise
    signed = _unpadded(plaintext, context) if padded_format else plaintext
    value = verify_claimed(context, signed, lambda claims: author_key(_author(claims, context)))
    if value["version"] != version:
        raise BadSignatureError(f"{context.describe()} says it is version {value['version']}")
    return ManifestVersion(document_id, version, value["parent"], value["author"],
                           value["written_at"], index, value["content"])


def _refuse_replay(keyring: Keyring, kind: str, document_id: str, version: int, index: int,
                   sealed: bytes) -> None:
    """If what the server gave as `version` is in fact an older version, say so."""
    for older in range(version - 1, 0, -1):
        try:
            envelope.open_(keyring.key(index), manifest_context(keyring, kind, document_id, older),
                           sealed)
        except DecryptionError:
            continue
        raise ReplayedVersionError(
            f"{manifest_context(keyring, kind, document_id, version).describe()} is a replay of "
            f"version {older}: the server served an older version as the newest")


def _unpadded(plaintext: bytes, context: Context) -> bytes:
    try:
        return padding.unpad(plaintext)
    except MalformedError as error:
        raise MalformedError(f"{context.describe()}: {error}") from error


def _author(claims: Any, context: Context) -> str:
    if not isinstance(claims, dict) or not isinstance(claims.get("author"), str):
        raise MalformedError(f"{context.describe()} names no author")
    return claims["author"]
