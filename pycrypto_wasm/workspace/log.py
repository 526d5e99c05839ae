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
Entry, format version 4 (what this client writes; 2 and 3 stay readable): writers no longer
wait in line. The writer signs a *write*, `0x04 || signed object` (context "log-write",
organization, workspace) of `{head_seq, head, author, kind, key_index, written_at, public,
sealed, anchors}`: the head it verified (its position and hash; 0 and 32 zero bytes for the
creation), not necessarily the entry its write will follow, and `sealed` under context
"log-write-content" (object: the author, version: head_seq). The server places it: the stored
entry is `0x04 || canonical {seq, prev, write}`, `seq` the position the server gave it and
`prev` the hash of the stored entry before it. The server signs nothing (clients trust no key
of its own); every reader recomputes the chain from what is stored and checks that the named
head lies on its own verified chain before the entry (`head_seq < seq` and the entry at
`head_seq` has hash `head`), and that no write is placed twice. So whatever a writer had seen
is fixed by its entry (fork consistency as before), while the server is free to order writes
made concurrently. Whether the author still had the authority, and the key, at the entry's
position is the history's question (history.py): it is checked at the position, never at the
named head. The server refuses (409) a write whose named head is before an entry of an
`ORDERING_KINDS` kind (membership, key rotation, settings): those change who may write and under
which key, so a writer must have seen them.
A browser that verified a history up to a head keeps a checkpoint of it (checkpoint.py) and
later verifies only the entries after it (`verify_chain(..., base=ChainBase)`): the chain goes on
from the checkpoint's head, a named head must lie on the part of the chain the checkpoint keeps
(its last `WINDOW` hashes) or after it, and no write placed before may come again.
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
from pycrypto_wasm.signing import SigningKey, VerifyKey, unverified_payload, verify_claimed
from pycrypto_wasm.workspace.keys import Keyring

VERSION = 4
READABLE_VERSIONS = (2, 3, 4)
GENESIS = bytes(32)
# Kinds that change who may write, with which role or under which key: a write must have seen
# every one of them before its position (history.py names them too).
ORDERING_KINDS = ("workspace_created", "member_set", "member_removed", "settings")
# How many of a verified chain's last entries a checkpoint keeps the hashes of.
WINDOW = 256


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
    # The head the writer verified (format 4); the entry before it for older formats.
    head_seq: int = -1
    format: int = 3
    # The hash of the signed write (format 4), to catch one placed twice; empty before.
    write_hash: bytes = b""

    @property
    def named_head(self) -> int:
        return self.head_seq if self.head_seq >= 0 else self.seq - 1


class CheckpointUnusableError(CryptoError, ValueError):
    """A checkpoint this browser cannot go on from: only the whole history says (read it)."""

    code = "checkpoint_unusable"


@dataclass(frozen=True)
class ChainBase:
    """A verified chain's first `length` entries, as a checkpoint keeps them: the hashes of the
    last `WINDOW` entries (and of their writes, 32 zero bytes for older formats), so the chain
    goes on from them."""

    length: int = 0
    hashes: tuple[bytes, ...] = ()
    writes: tuple[bytes, ...] = ()

    @property
    def start(self) -> int:
        """The first position whose hash is kept."""
        return self.length - len(self.hashes) + 1

    @property
    def head(self) -> bytes:
        return self.hash_at(self.length)

    def hash_at(self, seq: int) -> bytes:
        """The hash of entry `seq` (GENESIS for 0); CheckpointUnusableError before the window."""
        if seq == 0:
            return GENESIS
        if not self.start <= seq <= self.length:
            raise CheckpointUnusableError(
                f"entry {seq} is before this browser's checkpoint window")
        return self.hashes[seq - self.start]

    def write_position(self, write_hash: bytes) -> int | None:
        """Where a write of the window was placed, if `write_hash` is one."""
        for offset, known in enumerate(self.writes):
            if known == write_hash:
                return self.start + offset
        return None


EMPTY_BASE = ChainBase()


def entry_context(organization: str, workspace: str) -> Context:
    return Context(purpose="log-entry", organization=organization, workspace=workspace)


def content_context(organization: str, workspace: str, seq: int) -> Context:
    return Context(purpose="log-entry-content", organization=organization, workspace=workspace,
                   version=seq)


def write_context(organization: str, workspace: str) -> Context:
    return Context(purpose="log-write", organization=organization, workspace=workspace)


def write_content_context(organization: str, workspace: str, author: str,
                          head_seq: int) -> Context:
    return Context(purpose="log-write-content", organization=organization, workspace=workspace,
                   object_id=author, version=head_seq)


def entry_hash(stored: bytes) -> bytes:
    return hashing.blake2b(stored)


def write_entry(keyring: Keyring, author_key: SigningKey, *, author: str, head: tuple[int, bytes],
                kind: str, content: dict[str, Any] | None = None,
                public: dict[str, Any] | None = None, written_at: int | None = None,
                anchors: dict[str, Any] | None = None) -> bytes:
    """A write (format 4) made with `head` (seq, hash) verified, sealed under the key the
    history says is current, for the server to place after every entry it holds."""
    head_seq, head_hash = head
    index = keyring.current
    sealed = envelope.seal(
        keyring.key(index),
        write_content_context(keyring.organization, keyring.workspace, author, head_seq),
        canonical.encode(content or {}))
    signed = author_key.sign_object(write_context(keyring.organization, keyring.workspace), {
        "head_seq": head_seq, "head": head_hash, "author": author, "kind": kind,
        "key_index": index, "written_at": int(time.time()) if written_at is None else written_at,
        "public": public or {}, "sealed": sealed, "anchors": anchors or {},
    })
    return frame(VERSION, signed)


@dataclass(frozen=True)
class WriteClaims:
    """What a write says of itself, NOT verified: for the server to place it (its readers
    verify everything)."""

    head_seq: int
    kind: str
    public: dict[str, Any] = field(default_factory=dict)
    author: str = ""


def write_claims(written: bytes) -> WriteClaims:
    """The named head, kind, clear part and author of a format-4 write; CryptoError if it is
    not one."""
    claims = unverified_payload(unframe(written, version=VERSION, min_body=1, what="log write"))
    if not isinstance(claims, dict):
        raise CryptoError("the log write is not an object")
    head_seq, kind = claims.get("head_seq"), claims.get("kind")
    if not isinstance(head_seq, int) or isinstance(head_seq, bool) or head_seq < 0 \
            or not isinstance(kind, str):
        raise CryptoError("the log write names no head or kind")
    public, author = claims.get("public"), claims.get("author")
    return WriteClaims(head_seq, kind, public if isinstance(public, dict) else {},
                       author if isinstance(author, str) else "")


def place_entry(written: bytes, *, seq: int, prev: bytes) -> bytes:
    """The stored entry (format 4) of a write the server places at `seq`, after the stored
    entry whose hash is `prev`."""
    return frame(VERSION, canonical.encode({"seq": seq, "prev": prev, "write": written}))


def seal_entry(keyring: Keyring, author_key: SigningKey, *, author: str, seq: int, prev: bytes,
               kind: str, content: dict[str, Any] | None = None,
               public: dict[str, Any] | None = None, written_at: int | None = None,
               anchors: dict[str, Any] | None = None) -> bytes:
    """Entry `seq` of the log, following the entry whose hash is `prev`, sealed under the key
    the history says is current, carrying the writer's `anchors` (format version 3, still
    read; this client writes format 4 with `write_entry`)."""
    index = keyring.current
    sealed = envelope.seal(keyring.key(index),
                           content_context(keyring.organization, keyring.workspace, seq),
                           canonical.encode(content or {}))
    signed = author_key.sign_object(entry_context(keyring.organization, keyring.workspace), {
        "seq": seq, "prev": prev, "author": author, "kind": kind, "key_index": index,
        "written_at": int(time.time()) if written_at is None else written_at,
        "public": public or {}, "sealed": sealed, "anchors": anchors or {},
    })
    return frame(3, signed)


_FIELDS = (("seq", int), ("prev", bytes), ("kind", str), ("key_index", int),
           ("written_at", int), ("public", dict), ("sealed", bytes))


_WRITE_FIELDS = (("head_seq", int), ("head", bytes), ("kind", str), ("key_index", int),
                 ("written_at", int), ("public", dict), ("sealed", bytes), ("anchors", dict))


def _signed_by_author(signed: bytes, context: Context,
                      author_key: Callable[[str], VerifyKey]) -> dict[str, Any]:
    def signer(claims: Any) -> VerifyKey:
        if not isinstance(claims, dict) or not isinstance(claims.get("author"), str):
            raise CryptoError("it names no author")
        return author_key(claims["author"])

    value: dict[str, Any] = verify_claimed(context, signed, signer)
    return value


def _placed(stored: bytes, position: int) -> dict[str, Any]:
    """The server's placement of a format-4 entry: `{seq, prev, write}`."""
    placed = canonical.decode(unframe(stored, version=VERSION, min_body=1,
                                      what=f"log entry {position}"))
    if not isinstance(placed, dict) or set(placed) != {"seq", "prev", "write"} or not (
            isinstance(placed["seq"], int) and isinstance(placed["prev"], bytes)
            and isinstance(placed["write"], bytes)):
        raise CryptoError("its placement is not {seq, prev, write}")
    return placed


def _verified_write(written: bytes, context: Context,
                    author_key: Callable[[str], VerifyKey]) -> dict[str, Any]:
    signed = unframe(written, version=VERSION, min_body=1, what="log write")
    value = _signed_by_author(signed, context, author_key)
    for name, kind in _WRITE_FIELDS:
        if not isinstance(value.get(name), kind) or isinstance(value.get(name), bool):
            raise CryptoError(f"its field {name!r} is missing or malformed")
    return value


def _verified(stored: bytes, position: int, context: Context,
              author_key: Callable[[str], VerifyKey]) -> dict[str, Any]:
    version = stored[0] if isinstance(stored, bytes | bytearray) and stored else VERSION
    signed = unframe(stored, version=version if version in (2, 3) else 3,
                     min_body=1, what=f"log entry {position}")
    value = _signed_by_author(signed, context, author_key)
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
                 author_key: Callable[[str], VerifyKey],
                 base: ChainBase = EMPTY_BASE) -> list[LogEntry]:
    """Every entry, in order, each signed by its author and following the one before (the
    first after `base`'s head); raises BrokenChainError at the first entry that is not (naming
    it and why), CheckpointUnusableError if one names an entry before `base`'s window."""
    context = entry_context(organization, workspace)
    writes = write_context(organization, workspace)
    entries: list[LogEntry] = []
    placed_writes: dict[bytes, int] = {}
    prev = base.head
    for position, stored in enumerate(stored_entries, start=base.length + 1):
        if isinstance(stored, bytes | bytearray) and stored[:1] == bytes([VERSION]):
            entry = _verified_placed(stored, position, writes, author_key, prev,
                                     _Chain(base, entries, placed_writes))
            prev = entry.hash
            entries.append(entry)
            continue
        try:
            value = _verified(stored, position, context, author_key)
        except CryptoError as error:
            raise BrokenChainError(
                position, f"log entry {position} was altered or is not signed by a known user: "
                f"{error}") from error
        _check_place(position, value["seq"], value["prev"], prev)
        prev = entry_hash(stored)
        entries.append(LogEntry(position, value["prev"], value["author"], value["kind"],
                                value["key_index"], value["written_at"], value["sealed"], prev,
                                value["public"], value["anchors"], format=stored[0]))
    return entries


def _check_place(position: int, seq: int, named_prev: bytes, prev: bytes) -> None:
    """An entry stored at `position` says it is there, after the entry stored before it."""
    if seq != position:
        raise BrokenChainError(
            position, f"log entry {position} is missing or out of order: entry {seq} is in its "
            "place")
    if named_prev != prev:
        raise BrokenChainError(
            position, f"log entry {position} does not follow entry {position - 1}: an entry "
            "before it was replaced or changed")


@dataclass(frozen=True)
class _Chain:
    """The chain verified so far: a checkpoint's base and the entries after it."""

    base: ChainBase
    entries: list[LogEntry]
    placed_writes: dict[bytes, int]

    def hash_at(self, seq: int) -> bytes:
        if seq > self.base.length:
            return self.entries[seq - self.base.length - 1].hash
        return self.base.hash_at(seq)

    def placed(self, write_hash: bytes) -> int | None:
        """Where this write was placed before, if it was."""
        return self.placed_writes.get(write_hash) or self.base.write_position(write_hash)


def _verified_placed(stored: bytes, position: int, context: Context,
                     author_key: Callable[[str], VerifyKey], prev: bytes,
                     chain: _Chain) -> LogEntry:
    """A format-4 entry at `position`: placed there after `prev`, its write signed by its
    author, naming a head on this chain before it, and not a write placed before."""
    try:
        placed = _placed(bytes(stored), position)
        value = _verified_write(placed["write"], context, author_key)
    except CryptoError as error:
        raise BrokenChainError(
            position, f"log entry {position} was altered or is not signed by a known user: "
            f"{error}") from error
    _check_place(position, placed["seq"], placed["prev"], prev)
    head_seq = value["head_seq"]
    if not 0 <= head_seq < position:
        raise BrokenChainError(
            position, f"log entry {position} names entry {head_seq} as seen by its writer, "
            "which is not before it: the history was reordered")
    if value["head"] != chain.hash_at(head_seq):
        raise BrokenChainError(
            position, f"log entry {position} was written after an entry {head_seq} other than "
            "this history's: the history was forked or rewritten")
    write_hash = entry_hash(placed["write"])
    if head_seq < chain.base.start - 1:
        # A write placed before the window could come again: only the whole history says.
        raise CheckpointUnusableError(f"log entry {position} names entry {head_seq}, before "
                                      "this browser's checkpoint window")
    if (before := chain.placed(write_hash)) is not None:
        raise BrokenChainError(
            position, f"log entry {position} repeats entry {before}: a write was replayed")
    chain.placed_writes[write_hash] = position
    return LogEntry(position, prev, value["author"], value["kind"], value["key_index"],
                    value["written_at"], value["sealed"], entry_hash(stored), value["public"],
                    value["anchors"], head_seq=head_seq, format=VERSION, write_hash=write_hash)


def open_entry(entry: LogEntry, keyring: Keyring) -> dict[str, Any]:
    """The decrypted content of a verified entry."""
    context = (write_content_context(keyring.organization, keyring.workspace, entry.author,
                                     entry.head_seq) if entry.format >= VERSION
               else content_context(keyring.organization, keyring.workspace, entry.seq))
    content = canonical.decode(envelope.open_(keyring.key(entry.key_index), context,
                                              entry.sealed))
    if not isinstance(content, dict):
        raise CryptoError(f"{context.describe()} is not an object")
    return content
