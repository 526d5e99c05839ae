"""A workspace's verified state, replayed from its log: members and roles, the current key and
each key's check value, the settings in force, every recorded document version, and every entry
whose author lacked the authority for it.

Only the log decides: the server's tables about members, keys or versions are never believed.
Each entry is checked against the state *before* it (Parsec's certificate sequence is the
model):
- `workspace_created` opens the log: its author is the owner, key 0 and the first settings
  are announced;
- `member_set` adds a member or changes a role: its author must be allowed to grant the role
  and to change the member's present role (an owner grants any role, a manager any role below
  owner), the member must be an active user of the organization, and an external user is never
  owner or manager;
- `member_removed` removes a member and announces the next key with its check value; a manager
  removes up to a manager, an owner anyone; a revoked member may be removed by any manager and
  the entry carries the admin-signed revocation, so every member learns of it;
- `settings` records the next version of the workspace manifest (name, workflow): a manager
  renames, only an owner changes the workflow;
- `document` records a dossier or file version by the hash of its sealed manifest, one version
  after the other, written by a contributor or above under the current key;
- the committee's kinds need the role the workflow in force at that point gives them.
Every entry is checked at its position, also a write (log.py, format 4) whose writer had
verified only an earlier head: its author's role there, and it must be sealed under the key
current there (a removal or rotation placed between its named head and its position makes it
forged). An author revoked before writing it is refused: by the revocation's date, after any
entry dated past it, or, whatever the dates, after the place where a revocation was anchored.
A revocation is anchored at entry K when an entry carries it (a removal, or any writer's
`anchors`, formats 3 and 4 of log.py) with `known_at` K, or when this browser remembered head K
while it knew the revocation already (`remembered_cutoffs`). A revoked author's entry before any
such place whose order nothing confirms (no later entry by a user never revoked dated before the
revocation whose named head covers it, nor a head this browser verified before the revocation,
`seen`) is applied but listed as unconfirmed: written by
X, revoked on D, its order cannot be confirmed. Refused entries are kept as forgeries, named
with author, kind and reason, and never applied.
A replay may start from a checkpoint of a history this browser verified before (`HistoryBase`
and the state it reached, checkpoint.py), applying only the entries after it, unless a
revocation now concerns someone of the part it covers (CheckpointUnusableError: their entries
there may be refused or unconfirmed now, which only the whole history says).
"""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from pycrypto_wasm import hashing
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity.certificates import RevocationCertificate
from pycrypto_wasm.identity.trust import DirectoryEntry, revoked_entries, verify_revocation
from pycrypto_wasm.workspace import workflow
from pycrypto_wasm.workspace.log import EMPTY_BASE, ChainBase, CheckpointUnusableError, LogEntry
from pycrypto_wasm.workspace.roles import ROLES, may_grant, role_rank

if TYPE_CHECKING:
    from pycrypto_wasm.workspace.receipts import Delivery

CREATED = "workspace_created"
MEMBER_SET = "member_set"
MEMBER_REMOVED = "member_removed"
SETTINGS = "settings"
DOCUMENT = "document"
STRUCTURAL_KINDS = (CREATED, MEMBER_SET, MEMBER_REMOVED, SETTINGS, DOCUMENT)
DOCUMENT_KINDS = ("dossier", "file")


class UnrecordedVersionError(CryptoError, ValueError):
    """A document version the workspace's history does not record as served."""

    code = "unrecorded_version"


class RolledBackHistoryError(CryptoError, ValueError):
    """The server serves less history than this browser has verified before, or another one."""

    code = "rolled_back_history"


@dataclass(frozen=True)
class Forgery:
    """An entry whose author lacked, at its place in the log, the authority for it."""

    seq: int
    author: str
    kind: str
    reason: str

    def describe(self) -> str:
        return (f"entry {self.seq} ({self.kind}) by {self.author} is forged: {self.reason}; "
                "it is not applied")


@dataclass(frozen=True)
class Unconfirmed:
    """An applied entry by a user revoked since, whose place before the revocation nothing
    proves (the author and the server may have backdated it)."""

    seq: int
    author: str
    kind: str
    revoked_at: int

    def describe(self, author_name: str) -> str:
        return (f"entry {self.seq} ({self.kind}) was written by {author_name}, revoked on "
                f"{_date(self.revoked_at)}; its order cannot be confirmed")


def _date(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime(
        "%Y-%m-%d %H:%M:%S UTC")


class RecordedVersion(NamedTuple):
    """A document version as the log records it (a named tuple: a partner space's checkpoint
    holds thousands, made at every open)."""

    document_id: str
    kind: str
    version: int
    hash: bytes
    key_index: int
    author: str
    seq: int
    deleted: bool = False


@dataclass(frozen=True)
class HistoryBase:
    """What a checkpoint keeps of the entries it covers beside the state they reached: their
    chain's last hashes, who wrote them (with the highest own-state version each carried) and
    who was removed by them."""

    chain: ChainBase = EMPTY_BASE
    own_states: Mapping[str, int] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()

    @property
    def people(self) -> frozenset[str]:
        """Everyone the covered entries concern as authors or removed members."""
        return frozenset(self.own_states) | self.removed


@dataclass
class History:
    organization: str
    workspace: str
    # The entries before `entries`, when replayed from a checkpoint.
    base: HistoryBase = field(default_factory=HistoryBase)
    entries: list[LogEntry] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)
    key_index: int = 0
    key_checks: dict[int, bytes] = field(default_factory=dict)
    workflow: dict[str, Any] = field(default_factory=lambda: workflow.check_workflow(
        workflow.DEFAULT_WORKFLOW))
    settings: RecordedVersion | None = None
    # Built on first use when opened from a checkpoint (checkpoint.py).
    versions: MutableMapping[tuple[str, int], RecordedVersion] = field(default_factory=dict)
    latest: MutableMapping[str, RecordedVersion] = field(default_factory=dict)
    forgeries: dict[int, Forgery] = field(default_factory=dict)
    revocations: dict[str, RevocationCertificate] = field(default_factory=dict)
    # The signed revocations the history's entries carry (verified), to pass on.
    signed_revocations: dict[str, bytes] = field(default_factory=dict)
    # The latest date an applied entry carries: a revoked author's entries after it are refused.
    clock: int = 0
    # Per revoked user, the entry after which theirs are refused whatever their date: where the
    # history anchors the revocation, and where this browser remembered knowing it.
    anchored: dict[str, int] = field(default_factory=dict)
    cutoffs: dict[str, int] = field(default_factory=dict)
    unconfirmed: dict[int, Unconfirmed] = field(default_factory=dict)
    # Each dossier's delivery (sent, receipts), folded by receipts.fold after each replay.
    deliveries: MutableMapping[str, Delivery] = field(default_factory=dict)
    # Opened from a checkpoint: the board's rows its state holds (JSON text, receipts.py
    # `board_text`), while `versions`, `latest` and `deliveries` are not built from its records
    # (None once they are, as they may then change, and without a checkpoint) and no entry was
    # replayed after it.
    board_text: str | None = None

    @property
    def length(self) -> int:
        return self.base.chain.length + len(self.entries)

    @property
    def head(self) -> tuple[int, bytes]:
        return (self.length, self.entries[-1].hash if self.entries else self.base.chain.head)

    def hash_at(self, seq: int) -> bytes:
        """Entry `seq`'s hash (CheckpointUnusableError before a checkpoint's window)."""
        if seq > self.base.chain.length:
            return self.entries[seq - self.base.chain.length - 1].hash
        return self.base.chain.hash_at(seq)

    def removed_members(self) -> set[str]:
        """Everyone an applied entry removed (some may have been added again since)."""
        return set(self.base.removed) | {
            str(entry.public.get("user_id")) for entry in self.entries
            if entry.kind == MEMBER_REMOVED and entry.seq not in self.forgeries}

    def revoked_at(self, user_id: str) -> int | None:
        revocation = self.revocations.get(user_id)
        return revocation.revoked_at if revocation else None

    def revoked_before(self, user_id: str, entry: LogEntry) -> bool:
        """Whether `user_id` was revoked before `entry`: after the place the revocation is
        anchored at (whatever the dates), by the entry's own date, or by the latest date of the
        entries before it (so a backdated entry does not help). Dates are whole seconds: an
        entry of the revocation's own second still counts."""
        revoked_at = self.revoked_at(user_id)
        if revoked_at is None:
            return False
        cutoff = self.cutoffs.get(user_id)
        return (cutoff is not None and entry.seq > cutoff) or (
            max(entry.written_at, self.clock) > revoked_at)

    def known_cutoffs(self) -> dict[str, int]:
        """For each revocation this history knows of someone it concerns (a member, an
        author), the entry after which the revoked user's entries are refused: where it is
        anchored or remembered, else the head (a browser remembers this with the head it
        verified)."""
        head = self.length
        concerned = set(self.members) | set(self.cutoffs) | set(self.base.own_states) | {
            entry.author for entry in self.entries}
        return {user: min(self.cutoffs.get(user, head), head) for user in self.revocations
                if user in concerned}

    def own_state_of(self, user_id: str) -> int:
        """The highest version of `user_id`'s own state that their signed entries carry."""
        versions = [entry.anchors.get("own_state") for entry in self.entries
                    if entry.author == user_id]
        return max([version for version in versions
                    if isinstance(version, int) and not isinstance(version, bool)]
                   + [self.base.own_states.get(user_id, 0)])

    def active_members(self) -> dict[str, str]:
        """Members who are not revoked: those new keys are sealed to."""
        return {user: role for user, role in self.members.items() if user not in self.revocations}

    def recorded(self, kind: str, document_id: str, version: int,
                 sealed: bytes) -> RecordedVersion:
        """The log's record of this version, if `sealed` is exactly what it recorded (the
        workspace's settings in force are at hand: opening a workspace reads no other record)."""
        settings = self.settings
        record = settings if settings is not None and (
            settings.document_id, settings.version) == (document_id, version) \
            else self.versions.get((document_id, version))
        if record is None or record.kind != kind:
            raise UnrecordedVersionError(
                f"{kind} {document_id} version {version} is not in the workspace's history: "
                "it was forged or injected by the server, and is not shown")
        if not hmac.compare_digest(hashing.blake2b(sealed), record.hash):
            raise UnrecordedVersionError(
                f"{kind} {document_id} version {version} is not the version the workspace's "
                f"history recorded at entry {record.seq}: it was substituted")
        return record

    def check_remembered(self, seq: int, head_hash: bytes) -> None:
        """Refuse a history shorter than, or different from, one this browser verified."""
        if seq > self.length:
            raise RolledBackHistoryError(
                f"the server's history of this workspace ends at entry {self.length}, "
                f"but this browser verified it up to entry {seq}: entries "
                f"{self.length + 1} to {seq} were removed (rollback or truncation)")
        if seq and not hmac.compare_digest(self.hash_at(seq), head_hash):
            raise RolledBackHistoryError(
                f"the server's history of this workspace differs, at or before entry {seq}, "
                "from the one this browser verified: it was rewritten")


def replay(entries: list[LogEntry], *, organization: str, workspace: str,
           directory: Mapping[str, DirectoryEntry],
           remembered_cutoffs: Mapping[str, int] | None = None,
           seen: tuple[int, int] | None = None, start: History | None = None) -> History:
    """The workspace's state after `entries` (a verified chain), each checked in order, from
    the start or from `start` (a checkpoint's state, `entries` the chain after it). The
    revocations that removals and anchors carry count from their own date and from their
    anchor, wherever the entry carrying them is; `remembered_cutoffs` are the places where this
    browser knew a revocation when it remembered a head; `seen` is (head, when this browser
    verified it), so every entry up to that head existed then."""
    history = start or History(organization, workspace)
    for entry in revoked_entries(directory):
        history.revocations[entry.user_id] = entry.revocation
    for entry in entries:
        _learn_anchors(history, entry, directory)
    concerned = sorted(set(history.revocations) & (history.base.people | set(history.members)))
    if history.base.chain.length and concerned:
        raise CheckpointUnusableError(
            f"{concerned[0]}'s revocation concerns entries this browser's checkpoint covers")
    history.cutoffs = dict(history.anchored)
    for user, seq in (remembered_cutoffs or {}).items():
        if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
            history.cutoffs[user] = min(seq, history.cutoffs.get(user, seq))
    for entry in entries:
        history.entries.append(entry)
        try:
            _apply(history, entry, directory)
        except _Refused as refused:
            history.forgeries[entry.seq] = Forgery(entry.seq, entry.author, entry.kind,
                                                   str(refused))
    _find_unconfirmed(history, seen or (0, 0))
    return history


class _Refused(Exception):
    """Why an entry is not applied."""


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise _Refused(reason)


def _public(entry: LogEntry, name: str, kind: type) -> Any:
    value = entry.public.get(name)
    _require(isinstance(value, kind) and not isinstance(value, bool),
             f"its field {name!r} is missing or malformed")
    return value


def _apply(history: History, entry: LogEntry, directory: Mapping[str, DirectoryEntry]) -> None:
    _require(not history.revoked_before(entry.author, entry),
             f"{entry.author} was revoked before writing it")
    if entry.seq == 1:
        _require(entry.kind == CREATED, "the history does not begin with the workspace's "
                 "creation")
        _created(history, entry)
    else:
        _require(entry.kind != CREATED, "the workspace was created already")
        role = history.members.get(entry.author)
        _require(role is not None, f"{entry.author} is not a member at this point")
        _require(entry.key_index == history.key_index,
                 f"it is sealed under key {entry.key_index}, not under the current key "
                 f"{history.key_index}")
        assert role is not None
        APPLY.get(entry.kind, _committee)(history, entry, role, directory)
    history.clock = max(history.clock, entry.written_at)


def _learn_revocation(history: History, signed: Any, known_at: Any,
                      directory: Mapping[str, DirectoryEntry], entry: LogEntry) -> None:
    """Learn a signed revocation an entry carries, anchored after entry `known_at` (never
    later than the entry before the one carrying it)."""
    if not isinstance(signed, bytes) or not isinstance(known_at, int) or isinstance(
            known_at, bool) or known_at < 0:
        return
    try:
        user_id = RevocationCertificate.peek(signed).user_id
    except CryptoError:
        return
    revocation = verify_revocation(signed, history.organization, user_id, directory)
    if revocation is None or user_id == entry.author:
        return
    history.revocations.setdefault(user_id, revocation)
    history.signed_revocations.setdefault(user_id, signed)
    anchor = min(known_at, entry.seq - 1)
    history.anchored[user_id] = min(anchor, history.anchored.get(user_id, anchor))


def _learn_anchors(history: History, entry: LogEntry,
                   directory: Mapping[str, DirectoryEntry]) -> None:
    """The revocations an entry carries: a removal's, and those of its writer's anchors."""
    if entry.kind == MEMBER_REMOVED and isinstance(entry.public.get("revocation"), bytes):
        user_id = entry.public.get("user_id")
        signed = entry.public["revocation"]
        try:
            names_removed = RevocationCertificate.peek(signed).user_id == user_id
        except CryptoError:
            names_removed = False
        if names_removed:
            _learn_revocation(history, signed, entry.seq - 1, directory, entry)
    anchored = entry.anchors.get("revocations")
    for anchor in anchored if isinstance(anchored, list) else []:
        if isinstance(anchor, dict):
            _learn_revocation(history, anchor.get("revocation"), anchor.get("known_at"),
                              directory, entry)


def _find_unconfirmed(history: History, seen: tuple[int, int]) -> None:
    """Applied entries by revoked users that no later entry by a user never revoked, dated
    before the revocation, places before it (that entry's named head covers them: its writer
    had seen them, so they existed), nor a head this browser verified before the revocation."""
    seen_head, seen_at = seen
    authors = {entry.author for entry in history.entries}
    for user, revocation in history.revocations.items():
        if user not in authors:
            continue
        confirmed_up_to = 0
        for entry in reversed(history.entries):
            if entry.seq in history.forgeries or (
                    entry.seq <= seen_head and seen_at < revocation.revoked_at):
                continue
            if entry.author not in history.revocations:
                if entry.written_at < revocation.revoked_at:
                    confirmed_up_to = max(confirmed_up_to, entry.named_head)
            elif entry.author == user and entry.seq > confirmed_up_to:
                history.unconfirmed[entry.seq] = Unconfirmed(entry.seq, user, entry.kind,
                                                             revocation.revoked_at)


def _key_check(entry: LogEntry) -> bytes:
    check = _public(entry, "key_check", bytes)
    _require(len(check) == 32, "its key check is not 32 bytes")
    return check


def _record(history: History, entry: LogEntry, kind: str, document_id: str,
            version: int, *, deleted: bool = False) -> RecordedVersion:
    digest = _public(entry, "hash", bytes)
    _require(len(digest) == 32, "its document hash is not 32 bytes")
    record = RecordedVersion(document_id, kind, version, digest, entry.key_index, entry.author,
                             entry.seq, deleted)
    history.versions[(document_id, version)] = record
    history.latest[document_id] = record
    return record


def _settings_version(history: History, entry: LogEntry) -> tuple[int, dict[str, Any]]:
    version = _public(entry, "version", int)
    expected = history.settings.version + 1 if history.settings else 1
    _require(version == expected, f"it records settings version {version}, not {expected}")
    try:
        return version, workflow.check_workflow(entry.public.get("workflow"))
    except CryptoError as error:
        raise _Refused(f"its workflow settings are not valid: {error}") from error


def _created(history: History, entry: LogEntry) -> None:
    _require(entry.key_index == 0, "the workspace's first entry is sealed under key 0")
    history.key_checks[0] = _key_check(entry)
    history.members[entry.author] = "owner"
    version, settings = _settings_version(history, entry)
    history.workflow = settings
    history.settings = _record(history, entry, "workspace", history.workspace, version)


def _member_set(history: History, entry: LogEntry, role: str,
                directory: Mapping[str, DirectoryEntry]) -> None:
    user_id = _public(entry, "user_id", str)
    new_role = _public(entry, "role", str)
    _require(new_role in ROLES, f"{new_role!r} is not a role")
    _require(user_id != entry.author, "a member cannot change their own role")
    _require(may_grant(role, new_role), f"a {role} may not grant the role {new_role}")
    present = history.members.get(user_id)
    _require(present is None or may_grant(role, present),
             f"a {role} may not change the role of a {present}")
    member = directory.get(user_id)
    _require(member is not None and member.certificate is not None and member.valid,
             f"{user_id} has no verified certificate")
    assert member is not None and member.certificate is not None
    _require(not history.revoked_before(user_id, entry), f"{user_id} was revoked before it")
    _require(member.certificate.profile != "external"
             or role_rank(new_role) < role_rank("manager"),
             "an external user cannot be owner or manager")
    history.members[user_id] = new_role


def _member_removed(history: History, entry: LogEntry, role: str,
                    _directory: Mapping[str, DirectoryEntry]) -> None:
    user_id = _public(entry, "user_id", str)
    present = history.members.get(user_id)
    _require(present is not None, f"{user_id} is not a member")
    assert present is not None
    _require(role_rank(role) >= role_rank("manager"), f"a {role} may not remove members")
    _require(user_id in history.revocations or role_rank(present) <= role_rank(role),
             f"a {role} may not remove a {present}")
    index = _public(entry, "key_index", int)
    _require(index == history.key_index + 1,
             f"it announces key {index}, not the next key {history.key_index + 1}")
    del history.members[user_id]
    history.key_checks[index] = _key_check(entry)
    history.key_index = index


def _settings(history: History, entry: LogEntry, role: str,
              _directory: Mapping[str, DirectoryEntry]) -> None:
    _require(role_rank(role) >= role_rank("manager"), f"a {role} may not change the settings")
    version, settings = _settings_version(history, entry)
    _require(settings == history.workflow or role == "owner",
             "only an owner may change the workflow settings")
    history.workflow = settings
    history.settings = _record(history, entry, "workspace", history.workspace, version)


def _document(history: History, entry: LogEntry, role: str,
              _directory: Mapping[str, DirectoryEntry]) -> None:
    _require(role_rank(role) >= role_rank("contributor"), f"a {role} may not write documents")
    document_id = _public(entry, "document_id", str)
    kind = _public(entry, "kind", str)
    _require(kind in DOCUMENT_KINDS and document_id != history.workspace,
             f"{kind!r} is not a kind of document")
    previous = history.latest.get(document_id)
    _require(previous is None or previous.kind == kind, "it changes the document's kind")
    version = _public(entry, "version", int)
    expected = previous.version + 1 if previous else 1
    _require(version == expected, f"it records version {version} of {document_id}, not "
             f"{expected}")
    _record(history, entry, kind, document_id, version,
            deleted=entry.public.get("deleted") is True)


def _committee(history: History, entry: LogEntry, role: str,
               _directory: Mapping[str, DirectoryEntry]) -> None:
    _require(entry.kind in workflow.KINDS, f"{entry.kind!r} is not a kind of entry")
    _require(workflow.may_append(role, entry.kind, history.workflow["policy"]),
             f"a {role} may not record this ({entry.kind}); it needs "
             f"{history.workflow['policy'][entry.kind]}")


APPLY = {MEMBER_SET: _member_set, MEMBER_REMOVED: _member_removed, SETTINGS: _settings,
         DOCUMENT: _document}
