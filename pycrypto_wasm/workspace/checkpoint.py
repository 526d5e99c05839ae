"""A checkpoint of a workspace's history: what this browser proved when it verified the history up
to a head, sealed for the user alone, so that the next open verifies only the entries after it
(history.py `replay(start=...)`, log.py `verify_chain(base=...)`).

It holds the state the replay reached (members and roles, the current key and every key's check
value, the workflow in force, the settings' and every document's recorded versions, the
forgeries found, the latest date applied, each dossier's delivery: when its first version was
recorded and by whom, its receipts and the problems found with them, receipts.py, and the
delivery board's rows made of them), what the covered entries say of their people (each author's
highest own-state version, who was removed) and the chain's head: its position, and the hashes
of its last `WINDOW` entries and of their writes, each list one byte string of 32-byte hashes in
order (a later write may name one of those entries, and none of those writes may be placed
again). It is made only of a history that verified whole with no revocation concerning it (no
revoked member or author, no unconfirmed entry): a revocation changes what earlier entries mean,
and only the whole history says how.

Key: libsodium's KDF (keyed BLAKE2b) of the encryption seed of the user's key bundle, subkey 1,
context "pvchkpt1": only the bundle's holder derives it, and it is no key of any other purpose.

Format version 5: `0x05 || length of the state's envelope (4 bytes, big-endian) || the state's
envelope || the records' envelope` (envelope.py, both bound to the organization, the workspace, the
user and the head's position; the records' under a purpose of their own), each sealing a canonical
encoding compressed with zlib (RFC 1950, level 1; the content is this browser's own, authenticated
before it is inflated). The state's is the canonical state above, the board's rows (`board`:
receipts.py `board_text`, the JSON text the worker hands the page as is), the records of the
results nobody opened yet (`unopened`: the latest recorded version and the delivery of each, as the
records keep them) and the BLAKE2b hash of the records' envelope, checked on opening; the records'
holds the recorded versions and the deliveries, each one list per field (the versions' hashes one
byte string of 32-byte hashes in order). A partner space's checkpoint holds a version and a
delivery per result, thousands of them, and is opened at every visit of the delivery board, which
shows its rows and reads every unopened result: neither needs the records, which are opened and
decoded only when something else reads them (deferred.py), and a space opened with nothing new
after its checkpoint needs none of them to be verified. Compressed, a partner space's checkpoint is
about a third of its size: the page reads every space's from IndexedDB at each visit, and the
records' hash covers fewer bytes. Versions 1 (no deliveries), 2 (one envelope, records row by row),
3 (no board rows) and 4 (not compressed) are refused as any unusable checkpoint is, so the next
open verifies the whole history once and seals a version 5. A checkpoint altered, of another user,
workspace or position, or of another format is refused (CheckpointUnusableError): the browser then
verifies the whole history, as a fresh one does. It is integrity data like the remembered heads:
the first entry the server serves from it must be the checkpoint's head, so a history rolled back
or rewritten before it is caught.
"""

from __future__ import annotations

import hmac
import zlib
from collections.abc import Callable
from typing import Any

from pycrypto_wasm import canonical, envelope, hashing
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.workspace.deferred import Deferred
from pycrypto_wasm.workspace.history import Forgery, History, HistoryBase, RecordedVersion
from pycrypto_wasm.workspace.log import WINDOW, ChainBase, CheckpointUnusableError
from pycrypto_wasm.workspace.receipts import (
    Delivery,
    board_text,
    delivery_at,
    delivery_columns,
    delivery_count,
    unopened,
)

VERSION = 5
KDF_CONTEXT = "pvchkpt1"
KDF_SUBKEY_ID = 1
PURPOSE = "history-checkpoint"
RECORDS_PURPOSE = "history-checkpoint-records"
# The length of the state's envelope, before it in the body.
_LENGTH_BYTES = 4
# zlib's fastest level: a checkpoint is sealed after each verified open with new entries.
_COMPRESSION_LEVEL = 1
_RECORD = ("document_id", "kind", "version", "hash", "key_index", "author", "seq", "deleted")


def checkpoint_key(encryption_seed: bytes) -> bytes:
    """The key of a user's checkpoints, from the encryption seed of their key bundle."""
    return hashing.derive_subkey(encryption_seed, subkey_id=KDF_SUBKEY_ID, context=KDF_CONTEXT)


def _context(organization: str, workspace: str, user_id: str, length: int,
             purpose: str = PURPOSE) -> Context:
    return Context(purpose=purpose, organization=organization, workspace=workspace,
                   object_id=user_id, version=length)


def _packed(value: Any) -> bytes:
    """What an envelope of the checkpoint seals: `value`'s canonical encoding, compressed."""
    return zlib.compress(canonical.encode(value), _COMPRESSION_LEVEL)


def _unpacked(plaintext: bytes) -> Any:
    """The value of `_packed` bytes an envelope just authenticated (ValueError if they do not
    inflate)."""
    try:
        return canonical.decode_sealed(zlib.decompress(plaintext))
    except zlib.error as error:
        raise ValueError(f"its content does not inflate ({error})") from error


def checkpointable(history: History) -> bool:
    """Whether a checkpoint may stand for `history` (verified whole by the caller): no
    revocation concerns it (a member, an author, a removed member), so what its entries mean
    cannot change; the replay from it refuses to go on when one does."""
    concerned = set(history.members) | history.removed_members() | set(
        history.base.people) | {entry.author for entry in history.entries}
    return not (history.unconfirmed or history.anchored or concerned & set(history.revocations))


def _record(record: RecordedVersion) -> list[Any]:
    return [getattr(record, name) for name in _RECORD]


def _record_columns(records: list[RecordedVersion]) -> dict[str, Any]:
    """Recorded versions as one list per field, their hashes one byte string."""
    columns: dict[str, Any] = {name: [getattr(record, name) for record in records]
                               for name in _RECORD if name != "hash"}
    columns["hash"] = b"".join(record.hash for record in records)
    return columns


def _records(versions: list[RecordedVersion], deliveries: list[Delivery]) -> dict[str, Any]:
    """Recorded versions and deliveries as a checkpoint keeps them, each one list per field."""
    return {"versions": _record_columns(versions), "deliveries": delivery_columns(deliveries)}


def _state(history: History) -> dict[str, Any]:
    chain = history.base.chain
    window = [history.hash_at(seq) for seq in range(
        max(chain.start, history.length - WINDOW + 1), history.length + 1)]
    writes = list(chain.writes) + [entry.write_hash or bytes(32) for entry in history.entries]
    own_states = dict(history.base.own_states)
    for entry in history.entries:
        version = entry.anchors.get("own_state")
        carried = version if isinstance(version, int) and not isinstance(version, bool) else 0
        own_states[entry.author] = max(carried, own_states.get(entry.author, 0))
    return {
        "length": history.length, "hashes": b"".join(window),
        "writes": b"".join(writes[-len(window):]), "own_states": own_states,
        "removed": sorted(history.removed_members()),
        "members": history.members, "key_index": history.key_index,
        "key_checks": {str(index): check for index, check in history.key_checks.items()},
        "workflow": history.workflow,
        "settings": _record(history.settings) if history.settings else None,
        "forgeries": [[forgery.seq, forgery.author, forgery.kind, forgery.reason]
                      for forgery in history.forgeries.values()],
        "clock": history.clock,
    }


def seal_checkpoint(key: bytes, history: History, *, user_id: str,
                    nonces: tuple[bytes, bytes] | None = None) -> bytes:
    """A checkpoint of `history` sealed for `user_id`. `nonces` (of the state's envelope and
    of the records') are for test vectors only."""
    place = (history.organization, history.workspace, user_id, history.length)
    records = envelope.seal(key, _context(*place, RECORDS_PURPOSE), _packed(_records(
        list(history.versions.values()), list(history.deliveries.values()))),
        nonce=nonces[1] if nonces else None)
    waiting = unopened(history)
    state = envelope.seal(key, _context(*place), _packed(
        {**_state(history), "board": board_text(history),
         "unopened": _records([history.latest[d.dossier_id] for d in waiting], waiting),
         "records_hash": hashing.blake2b(records)}),
        nonce=nonces[0] if nonces else None)
    return frame(VERSION, len(state).to_bytes(_LENGTH_BYTES, "big"), state, records)


def open_checkpoint(key: bytes, sealed: bytes, *, length: int, organization: str,
                    workspace: str, user_id: str) -> History:
    """The history state a checkpoint holds (no entries, its base the chain it covers), if it
    is exactly the user's checkpoint of this workspace at `length`."""
    place = (organization, workspace, user_id, length)
    try:
        body = unframe(sealed, version=VERSION, min_body=_LENGTH_BYTES + 2 * envelope.OVERHEAD,
                       what="history checkpoint")
        size = int.from_bytes(body[:_LENGTH_BYTES], "big")
        if not envelope.OVERHEAD <= size <= len(body) - _LENGTH_BYTES - envelope.OVERHEAD:
            raise ValueError("its parts are malformed")
        state = _unpacked(envelope.open_(
            key, _context(*place), body[_LENGTH_BYTES:_LENGTH_BYTES + size]))
        records = body[_LENGTH_BYTES + size:]
        if not hmac.compare_digest(hashing.blake2b(records), state["records_hash"]):
            raise ValueError("its records are not the ones its state names")
        history = _history(state, organization, workspace, length)
        sealed_records = _SealedRecords(key, _context(*place, RECORDS_PURPOSE), records)
        _defer_records(history, _Records(sealed_records, state["unopened"]))
        return history
    except CheckpointUnusableError:
        raise
    except (CryptoError, KeyError, TypeError, ValueError) as error:
        raise _refused(error) from error


def _refused(error: Exception) -> CheckpointUnusableError:
    return CheckpointUnusableError(
        f"this browser's checkpoint of the workspace's history was refused ({error}); the whole "
        "history is verified instead")


def _record_count(columns: dict[str, Any]) -> int:
    """How many recorded versions `_record_columns` kept; ValueError when its columns differ
    in length."""
    counts = {len(columns[name]) for name in _RECORD if name != "hash"}
    if len(counts) != 1 or len(columns["hash"]) != 32 * next(iter(counts)):
        raise ValueError("the recorded versions' columns differ in length")
    return counts.pop()


def _record_at(columns: dict[str, Any], at: int) -> RecordedVersion:
    """Recorded version `at` of those `_record_columns` kept."""
    return RecordedVersion(*(columns[name][32 * at:32 * at + 32] if name == "hash"
                             else columns[name][at] for name in _RECORD))


def _hashes(joined: bytes) -> tuple[bytes, ...]:
    return tuple(joined[start:start + 32] for start in range(0, len(joined), 32))


def _history(state: dict[str, Any], organization: str, workspace: str,
             length: int) -> History:
    hashes, writes = state["hashes"], state["writes"]
    if state["length"] != length or not 0 < len(hashes) <= 32 * min(WINDOW, length) \
            or len(hashes) % 32 or len(writes) != len(hashes):
        raise CheckpointUnusableError("the checkpoint's chain is malformed")
    base = HistoryBase(ChainBase(length, _hashes(hashes), _hashes(writes)),
                       dict(state["own_states"]), frozenset(state["removed"]))
    history = History(organization, workspace, base=base, members=dict(state["members"]),
                      key_index=state["key_index"],
                      key_checks={int(index): check
                                  for index, check in state["key_checks"].items()},
                      workflow=state["workflow"], clock=state["clock"])
    history.settings = RecordedVersion(*state["settings"]) if state["settings"] else None
    history.forgeries = {row[0]: Forgery(*row) for row in state["forgeries"]}
    if not isinstance(state["board"], str):
        raise CheckpointUnusableError("the checkpoint's board rows are malformed")
    history.board_text = state["board"]
    return history


def _index(records: dict[str, Any]) -> dict[str, dict[Any, int]]:
    """Where each recorded version, each document's latest version and each delivery is in
    `_records` columns (KeyError, TypeError, ValueError when they are malformed)."""
    versions, deliveries = records["versions"], records["deliveries"]
    count = _record_count(versions)
    delivery_count(deliveries)
    ids, numbers = versions["document_id"], versions["version"]
    latest: dict[str, int] = {}
    for at in range(count):
        known = latest.get(ids[at])
        if known is None or numbers[known] < numbers[at]:
            latest[ids[at]] = at
    return {"versions": {(ids[at], numbers[at]): at for at in range(count)}, "latest": latest,
            "deliveries": {dossier_id: at
                           for at, dossier_id in enumerate(deliveries["dossier_id"])}}


def _found(records: dict[str, Any], part: str, at: int) -> Any:
    """The object at `at` of `part` of `_records` columns."""
    try:
        if part == "deliveries":
            return delivery_at(records["deliveries"], at)
        return _record_at(records["versions"], at)
    except (TypeError, ValueError) as error:
        raise _refused(error) from error


class _SealedRecords:
    """A checkpoint's records' envelope (its hash checked on opening the checkpoint), opened
    and decoded into columns when first read."""

    def __init__(self, key: bytes, context: Context, sealed: bytes) -> None:
        self._key, self._context, self._sealed = key, context, sealed
        self._columns: dict[str, Any] | None = None
        self._index: dict[str, dict[Any, int]] | None = None

    def columns(self) -> dict[str, Any]:
        if self._columns is None:
            try:
                self._columns = _unpacked(envelope.open_(self._key, self._context, self._sealed))
            except (CryptoError, ValueError) as error:
                raise _refused(error) from error
        return self._columns

    def positions(self) -> dict[str, dict[Any, int]]:
        if self._index is None:
            try:
                self._index = _index(self.columns())
            except (KeyError, TypeError, ValueError) as error:
                raise _refused(error) from error
        return self._index


class _Records:
    """A checkpoint's records: those of the results nobody opened yet, from its state (what the
    board reads at every visit), found without the others; any other found by key from the
    records' columns (`_SealedRecords`); all built into objects when something needs all."""

    def __init__(self, sealed: _SealedRecords, unopened: dict[str, Any]) -> None:
        self._sealed, self._unopened = sealed, unopened
        self._unopened_index = _index(unopened)

    def find(self, part: str, key: Any) -> Any:
        at = self._unopened_index[part].get(key)
        if at is not None:
            return _found(self._unopened, part, at)
        at = self._sealed.positions()[part].get(key)
        return None if at is None else _found(self._sealed.columns(), part, at)

    def build(self, part: str) -> dict[Any, Any]:
        return {key: self.find(part, key) for key in self._sealed.positions()[part]}


def _defer_records(history: History, records: _Records) -> None:
    """The history's recorded versions and deliveries, from the checkpoint's records: a few
    found by key, until something needs all of them as objects (then `history.board_text` is
    None: the objects may change)."""

    def built(part: str) -> Callable[[], dict[Any, Any]]:
        def build() -> dict[Any, Any]:
            history.board_text = None
            return records.build(part)
        return build

    def finder(part: str) -> Callable[[Any], Any]:
        return lambda key: records.find(part, key)

    history.versions = Deferred(built("versions"), finder("versions"))
    history.latest = Deferred(built("latest"), finder("latest"))
    history.deliveries = Deferred(built("deliveries"), finder("deliveries"))
