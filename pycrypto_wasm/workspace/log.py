"""A workspace's append-only log: every change to the workspace, chained and signed.

The log is the workspace's one history: who belongs with what role, which key is current, the
settings, every document version (named by the hash of its sealed manifest) and the committee's
actions. Each entry is signed by its author and names the previous entry by hash, so dropping,
reordering or altering any entry breaks the chain at a place the verifier names, and a server
that shows two members different histories can never merge them again (fork consistency):
whatever one member writes names everything that member had seen.

Entry, format version 2: `0x02 || signed object` (context "log-entry", organization, workspace)
of `{seq, prev, author, kind, key_index, written_at, public, sealed}`, where `prev` is the
BLAKE2b-256 of the previous stored entry (32 zero bytes before the first), `public` holds the
facts every client must check in clear (membership, key announcements, document versions; the
server sees which users share a workspace anyway), and `sealed` is the envelope of the canonical
content (context "log-entry-content" ... version seq) under workspace key `key_index`.
Entry, format version 3 (what this client writes; version 2 stays readable): the same signed
object with one more field, `anchors`, the writer's view of what the server must not undo:
`{"own_state": N}` (the version of the writer's own state in this workspace when writing) and
`{"revocations": [{"revocation": signed revocation, "known_at": seq}]}` (each revocation of a
member the writer knew, and the last entry it had verified when it first knew it: that
member's entries after `known_at` are refused by every reader, whatever their date).
Anyone holding the organization's root verify key and the members' certificates can check the
chain, every signature and every author's authority without reading a single entry
(`python -m pycrypto_wasm.audit verify`); members also decrypt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrypto_wasm import canonical, envelope, hashing
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.signing import SigningKey, VerifyKey, unverified_payload
from pycrypto_wasm.workspace.keys import Keyring

VERSION = 3
READABLE_VERSIONS = (2, 3)
GENESIS = bytes(32)


class BrokenChainError(CryptoError, ValueError):
    """The log is not the chain its authors signed: `position` is where it breaks (1-based)."""

    code = "broken_chain"

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class LogEntry:
    """One entry whose signature and place in the chain are verified (its content still
    sealed; whether its author had the authority for it is the history's question)."""

    seq: int
    prev: bytes
    author: str
    kind: str
    key_index: int
    written_at: int
    sealed: bytes
    hash: bytes
    public: dict[str, Any] = field(default_factory=dict)
    anchors: dict[str, Any] = field(default_factory=dict)


def entry_context(organization: str, workspace: str) -> Context:
    return Context(purpose="log-entry", organization=organization, workspace=workspace)


def content_context(organization: str, workspace: str, seq: int) -> Context:
    return Context(purpose="log-entry-content", organization=organization, workspace=workspace,
                   version=seq)


def entry_hash(stored: bytes) -> bytes:
    return hashing.blake2b(stored)


def seal_entry(keyring: Keyring, author_key: SigningKey, *, author: str, seq: int, prev: bytes,
               kind: str, content: dict[str, Any] | None = None,
               public: dict[str, Any] | None = None, written_at: int | None = None,
               anchors: dict[str, Any] | None = None) -> bytes:
    """Entry `seq` of the log, following the entry whose hash is `prev`, sealed under the key
    the history says is current, carrying the writer's `anchors` (format version 3)."""
    index = keyring.current
    sealed = envelope.seal(keyring.key(index),
                           content_context(keyring.organization, keyring.workspace, seq),
                           canonical.encode(content or {}))
    signed = author_key.sign_object(entry_context(keyring.organization, keyring.workspace), {
        "seq": seq, "prev": prev, "author": author, "kind": kind, "key_index": index,
        "written_at": int(time.time()) if written_at is None else written_at,
        "public": public or {}, "sealed": sealed, "anchors": anchors or {},
    })
    return frame(VERSION, signed)


_FIELDS = (("seq", int), ("prev", bytes), ("kind", str), ("key_index", int),
           ("written_at", int), ("public", dict), ("sealed", bytes))


def _verified(stored: bytes, position: int, context: Context,
              author_key: Callable[[str], VerifyKey]) -> dict[str, Any]:
    version = stored[0] if isinstance(stored, bytes | bytearray) and stored else VERSION
    signed = unframe(stored, version=version if version in READABLE_VERSIONS else VERSION,
                     min_body=1, what=f"log entry {position}")
    claims = unverified_payload(signed)
    if not isinstance(claims, dict) or not isinstance(claims.get("author"), str):
        raise CryptoError("it names no author")
    value = author_key(claims["author"]).verify_object(context, signed)
    for name, kind in _FIELDS:
        if not isinstance(value.get(name), kind) or isinstance(value.get(name), bool):
            raise CryptoError(f"its field {name!r} is missing or malformed")
    # The anchors count wherever the signature covers them, whatever the (unsigned) version byte
    # says: changing it cannot strip them.
    anchors = value.setdefault("anchors", {}) if version < 3 else value.get("anchors")
    if not isinstance(anchors, dict):
        raise CryptoError("its field 'anchors' is missing or malformed")
    return value


def verify_chain(stored_entries: list[bytes], *, organization: str, workspace: str,
                 author_key: Callable[[str], VerifyKey]) -> list[LogEntry]:
    """Every entry, in order, each signed by its author and following the one before; raises
    BrokenChainError at the first entry that is not (naming it and why)."""
    context = entry_context(organization, workspace)
    entries: list[LogEntry] = []
    prev = GENESIS
    for position, stored in enumerate(stored_entries, start=1):
        try:
            value = _verified(stored, position, context, author_key)
        except CryptoError as error:
            raise BrokenChainError(
                position, f"log entry {position} was altered or is not signed by a known user: "
                f"{error}") from error
        if value["seq"] != position:
            raise BrokenChainError(
                position, f"log entry {position} is missing or out of order: entry "
                f"{value['seq']} is in its place")
        if value["prev"] != prev:
            raise BrokenChainError(
                position, f"log entry {position} does not follow entry {position - 1}: an entry "
                "before it was replaced or changed")
        prev = entry_hash(stored)
        entries.append(LogEntry(position, value["prev"], value["author"], value["kind"],
                                value["key_index"], value["written_at"], value["sealed"], prev,
                                value["public"], value["anchors"]))
    return entries


def open_entry(entry: LogEntry, keyring: Keyring) -> dict[str, Any]:
    """The decrypted content of a verified entry."""
    context = content_context(keyring.organization, keyring.workspace, entry.seq)
    content = canonical.decode(envelope.open_(keyring.key(entry.key_index), context,
                                              entry.sealed))
    if not isinstance(content, dict):
        raise CryptoError(f"{context.describe()} is not an object")
    return content
