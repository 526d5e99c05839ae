"""A workspace's append-only log: the committee's actions, chained and signed.

Each entry is signed by its author and names the previous entry by hash, so dropping,
reordering or altering any entry breaks the chain at a place the verifier names. The entry's
content is encrypted with the workspace key; its kind is in clear (the server enforces which
role may append which kind), as are its position and author. Anyone holding the organization's
root verify key and the members' certificates can check the chain and every signature without
reading a single entry (`python -m pycrypto_wasm.audit verify`); members also decrypt.

Entry, format version 1: `0x01 || signed object` (context "log-entry", organization, workspace)
of `{seq, prev, author, kind, key_index, sealed}`, where `prev` is the BLAKE2b-256 of the
previous stored entry (32 zero bytes before the first) and `sealed` is the envelope of the
canonical content (context "log-entry-content" ... version seq) under workspace key `key_index`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pycrypto_wasm import canonical, envelope, hashing
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.signing import SigningKey, VerifyKey, unverified_payload
from pycrypto_wasm.workspace.keys import Keyring

VERSION = 1
GENESIS = bytes(32)


class BrokenChainError(CryptoError, ValueError):
    """The log is not the chain its authors signed: `position` is where it breaks (1-based)."""

    code = "broken_chain"

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class LogEntry:
    """One verified entry (its content still sealed)."""

    seq: int
    prev: bytes
    author: str
    kind: str
    key_index: int
    sealed: bytes
    hash: bytes


def entry_context(organization: str, workspace: str) -> Context:
    return Context(purpose="log-entry", organization=organization, workspace=workspace)


def content_context(organization: str, workspace: str, seq: int) -> Context:
    return Context(purpose="log-entry-content", organization=organization, workspace=workspace,
                   version=seq)


def entry_hash(stored: bytes) -> bytes:
    return hashing.blake2b(stored)


def seal_entry(keyring: Keyring, author_key: SigningKey, *, author: str, seq: int, prev: bytes,
               kind: str, content: dict[str, Any], written_at: int | None = None) -> bytes:
    """Entry `seq` of the log, following the entry whose hash is `prev`."""
    index = keyring.newest
    body = {**content, "written_at": int(time.time()) if written_at is None else written_at}
    sealed = envelope.seal(keyring.key(index),
                           content_context(keyring.organization, keyring.workspace, seq),
                           canonical.encode(body))
    signed = author_key.sign_object(entry_context(keyring.organization, keyring.workspace), {
        "seq": seq, "prev": prev, "author": author, "kind": kind, "key_index": index,
        "sealed": sealed,
    })
    return frame(VERSION, signed)


def _verified(stored: bytes, position: int, context: Context,
              author_key: Callable[[str], VerifyKey]) -> dict[str, Any]:
    signed = unframe(stored, version=VERSION, min_body=1, what=f"log entry {position}")
    claims = unverified_payload(signed)
    if not isinstance(claims, dict) or not isinstance(claims.get("author"), str):
        raise CryptoError("it names no author")
    value = author_key(claims["author"]).verify_object(context, signed)
    for name, kind in (("seq", int), ("prev", bytes), ("kind", str), ("key_index", int),
                       ("sealed", bytes)):
        if not isinstance(value.get(name), kind):
            raise CryptoError(f"its field {name!r} is missing or malformed")
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
                position, f"log entry {position} was altered or is not signed by a member: "
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
                                value["key_index"], value["sealed"], prev))
    return entries


def open_entry(entry: LogEntry, keyring: Keyring) -> dict[str, Any]:
    """The decrypted content of a verified entry."""
    context = content_context(keyring.organization, keyring.workspace, entry.seq)
    content = canonical.decode(envelope.open_(keyring.key(entry.key_index), context,
                                              entry.sealed))
    if not isinstance(content, dict):
        raise CryptoError(f"{context.describe()} is not an object")
    return content
