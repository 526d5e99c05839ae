"""A checkpoint of a workspace's history: what this browser proved when it verified the history
up to a head, sealed for the user alone, so that the next open verifies only the entries after
it (history.py `replay(start=...)`, log.py `verify_chain(base=...)`).

It holds the state the replay reached (members and roles, the current key and every key's check
value, the workflow in force, the settings' and every document's recorded versions, the
forgeries found, the latest date applied, each dossier's delivery: when its first version was
recorded and by whom, its receipts and the problems found with them, receipts.py), what the
covered entries say of their people (each author's highest own-state version, who was
removed) and the chain's head: its position, and the hashes of its last `WINDOW` entries and of
their writes, each list one byte string of 32-byte hashes in order (a later write may name one
of those entries, and none of those writes may be placed again). It is made only of a history
that verified whole with no revocation concerning it (no revoked member or author, no
unconfirmed entry): a revocation changes what earlier entries mean, and only the whole history
says how.

Key: libsodium's KDF (keyed BLAKE2b) of the encryption seed of the user's key bundle, subkey 1,
context "pvchkpt1": only the bundle's holder derives it, and it is no key of any other purpose.

Format version 3: `0x03 || length of the state's envelope (4 bytes, big-endian) || the state's
envelope || the records' envelope` (envelope.py, both bound to the organization, the workspace,
the user and the head's position; the records' under a purpose of their own). The state's is
the canonical state above and the BLAKE2b hash of the records' envelope, checked on opening; the
records' holds the recorded versions and the deliveries, each one list per field (the versions'
hashes one byte string of 32-byte hashes in order). A partner space's checkpoint holds a
version and a delivery per result, thousands of them, and is opened at every visit of the
delivery board: the records are opened and decoded only when something reads them
(deferred.py), and a space opened with nothing new after its checkpoint needs none of them to
be verified. Versions 1 (no deliveries) and 2 (one envelope, records row by row) are refused as
any unusable checkpoint is, so the next open verifies the whole history once and seals a
version 3. A checkpoint altered, of another
user, workspace or position, or of another format is refused (CheckpointUnusableError): the
browser then verifies the whole history, as a fresh one does. It is integrity data like the
remembered heads: the first entry the server serves from it must be the checkpoint's head, so a
history rolled back or rewritten before it is caught.
"""

from __future__ import annotations

import hmac
from typing import Any

from pycrypto_wasm import canonical, envelope, hashing
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.workspace.deferred import Deferred
from pycrypto_wasm.workspace.history import Forgery, History, HistoryBase, RecordedVersion
from pycrypto_wasm.workspace.log import WINDOW, ChainBase, CheckpointUnusableError
from pycrypto_wasm.workspace.receipts import deliveries_of_columns, delivery_columns

VERSION = 3
KDF_CONTEXT = "pvchkpt1"
KDF_SUBKEY_ID = 1
PURPOSE = "history-checkpoint"
RECORDS_PURPOSE = "history-checkpoint-records"
# The length of the state's envelope, before it in the body.
_LENGTH_BYTES = 4
_RECORD = ("document_id", "kind", "version", "hash", "key_index", "author", "seq", "deleted")


def checkpoint_key(encryption_seed: bytes) -> bytes:
    """The key of a user's checkpoints, from the encryption seed of their key bundle."""
    return hashing.derive_subkey(encryption_seed, subkey_id=KDF_SUBKEY_ID, context=KDF_CONTEXT)


def _context(organization: str, workspace: str, user_id: str, length: int,
             purpose: str = PURPOSE) -> Context:
    return Context(purpose=purpose, organization=organization, workspace=workspace,
                   object_id=user_id, version=length)


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
    records = envelope.seal(key, _context(*place, RECORDS_PURPOSE), canonical.encode({
        "versions": _record_columns(list(history.versions.values())),
        "deliveries": delivery_columns(history)}), nonce=nonces[1] if nonces else None)
    state = envelope.seal(key, _context(*place), canonical.encode(
        {**_state(history), "records_hash": hashing.blake2b(records)}),
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
        state = canonical.decode_sealed(envelope.open_(
            key, _context(*place), body[_LENGTH_BYTES:_LENGTH_BYTES + size]))
        records = body[_LENGTH_BYTES + size:]
        if not hmac.compare_digest(hashing.blake2b(records), state["records_hash"]):
            raise ValueError("its records are not the ones its state names")
        history = _history(state, organization, workspace, length)
        _defer_records(history, key, _context(*place, RECORDS_PURPOSE), records)
        return history
    except CheckpointUnusableError:
        raise
    except (CryptoError, KeyError, TypeError, ValueError) as error:
        raise _refused(error) from error


def _refused(error: Exception) -> CheckpointUnusableError:
    return CheckpointUnusableError(
        f"this browser's checkpoint of the workspace's history was refused ({error}); the whole "
        "history is verified instead")


def _records(columns: dict[str, Any]) -> list[RecordedVersion]:
    """The recorded versions `_record_columns` kept; ValueError when its columns differ in
    length."""
    if len(columns["hash"]) % 32:
        raise ValueError("the recorded versions' hashes are not 32 bytes each")
    columns = dict(columns, hash=_hashes(columns["hash"]))
    return [RecordedVersion(*row) for row in zip(*(columns[name] for name in _RECORD),
                                                 strict=True)]


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
    return history


def _defer_records(history: History, key: bytes, context: Context, records: bytes) -> None:
    """The history's recorded versions and deliveries, opened from `records` (their envelope,
    whose hash the state's envelope holds, checked on opening the checkpoint) when first
    read: as columns (`history.record_columns`) until something reads them as objects."""
    opened: dict[str, Any] = {}
    decoded: dict[str, Any] = {}

    def columns() -> dict[str, Any]:
        if not opened:
            try:
                opened.update(canonical.decode_sealed(envelope.open_(key, context, records)))
            except (CryptoError, KeyError, TypeError, ValueError) as error:
                raise _refused(error) from error
        return opened

    def part(name: str) -> Any:
        if not decoded:
            try:
                versions = _records(columns()["versions"])
                decoded["deliveries"] = deliveries_of_columns(columns()["deliveries"])
            except (KeyError, TypeError, ValueError) as error:
                raise _refused(error) from error
            decoded["versions"] = {(record.document_id, record.version): record
                                   for record in versions}
            latest: dict[str, RecordedVersion] = {}
            for record in versions:
                known = latest.get(record.document_id)
                if known is None or known.version < record.version:
                    latest[record.document_id] = record
            decoded["latest"] = latest
            history.record_columns = None
        return decoded[name]

    history.versions = Deferred(lambda: part("versions"))
    history.latest = Deferred(lambda: part("latest"))
    history.deliveries = Deferred(lambda: part("deliveries"))
    history.record_columns = columns
