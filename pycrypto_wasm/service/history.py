"""The worker's hold on each open workspace's history: verify the log the server serves (chain,
signatures, every author's authority), compare it with the head this browser remembers, accept
only key grants the history announced, and seal the next write naming the verified head.

What the page remembers with a head (`remembered`, kept in IndexedDB): `{seq, hash}`, `revoked`
(for each revocation this browser knew then, the entry after which that user's entries are
refused), `own_state` (the version of my own state then) and `verified_at` (when this browser
first verified that head, by its own clock: every entry up to it existed then, so a revoked
author's entries up to it are confirmed if that was before the revocation) and `confirmed`
(whether this browser had evidence of the latest state then, service/freshness.py: a head
remembered without it is no evidence for the next sync). Every entry this
worker seals carries its anchors (log.py, format 3): my own state's version, and the signed
revocations of members the history does not anchor yet. Revocations a history carries are
believed everywhere in this worker (the directory, every grant) and handed to the page to
remember.

A workspace whose log is broken, rolled back or truncated stays readable up to the break, but
this worker writes nothing more to it: extending a history it cannot trust would bless it.

A page that kept this user's checkpoint of the history (workspace/checkpoint.py, in IndexedDB)
sends it (`checkpoint`: {seq, sealed}) with the log from the checkpoint's head on (`entries`,
the head's own entry first): only the entries after it are verified and replayed. A checkpoint
this worker cannot go on from answers `checkpoint_unusable`: refused, a revocation concerns its
entries, a write names a head before its window, or the served entry at its head is missing or
another one. The page then sends the whole log with the checkpoint (`whole`): the history is
verified from its start and, like a remembered head, must reach the checkpoint's head (else it
was rolled back or rewritten: named as such, nothing is written). Each verified history whose
head moved comes back with its next checkpoint, sealed for me alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pycrypto_wasm import hashing
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import HeldHistory, WorkerState
from pycrypto_wasm.workspace import receipts
from pycrypto_wasm.workspace.checkpoint import (
    checkpointable,
    open_checkpoint,
    seal_checkpoint,
)
from pycrypto_wasm.workspace.freshness import contradiction
from pycrypto_wasm.workspace.history import History, RolledBackHistoryError, replay
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import (
    EMPTY_BASE,
    BrokenChainError,
    CheckpointUnusableError,
    LogEntry,
    entry_hash,
    verify_chain,
    write_entry,
)


class UntrustedHistoryError(CryptoError):
    """The workspace's history is broken, rolled back or truncated: nothing is written to it."""

    code = "untrusted_history"


class StaleVersionError(CryptoError):
    """Someone recorded a newer version of the document: merge with it and retry."""

    code = "stale_version"


class StaleHistoryError(CryptoError):
    """The server holds entries this worker has not verified yet: read the log and retry."""

    code = "stale_log"


def stored_entries(request: Params) -> list[bytes]:
    entries = request.get("entries")
    if not isinstance(entries, list):
        raise RequestError("parameter 'entries' must list the log's entries")
    return [params.b64(dict(entry), "entry") for entry in entries]


@dataclass(frozen=True)
class Remembered:
    """What this browser remembered with the last head it verified."""

    seq: int
    hash: bytes
    cutoffs: dict[str, int] = field(default_factory=dict)
    own_state: int = 0
    verified_at: int = 0
    # Whether this browser had evidence of the latest state when it verified that head
    # (service/freshness.py); a head remembered without it is no evidence.
    confirmed: bool = True


def _remembered(request: Params) -> Remembered | None:
    remembered = request.get("remembered")
    if not remembered:
        return None
    remembered = dict(remembered)
    seq = remembered.get("seq")
    if not isinstance(seq, int) or seq < 0:
        raise RequestError("parameter 'remembered' needs the seq of the head")
    try:
        head_hash = bytes.fromhex(str(remembered.get("hash") or ""))
    except ValueError as error:
        raise RequestError("parameter 'remembered' needs the hash of the head, in hex") from error
    cutoffs = {str(user): cutoff for user, cutoff in dict(remembered.get("revoked") or {}).items()
               if isinstance(cutoff, int) and not isinstance(cutoff, bool) and 0 <= cutoff <= seq}
    own_state, verified_at = remembered.get("own_state"), remembered.get("verified_at")
    return Remembered(seq, head_hash, cutoffs,
                      own_state if isinstance(own_state, int) and own_state > 0 else 0,
                      verified_at if isinstance(verified_at, int) and verified_at > 0 else 0,
                      remembered.get("confirmed") is not False)


def _learn_revocations(state: WorkerState, history: History) -> None:
    for user_id, signed in history.signed_revocations.items():
        state.learn_revocation(user_id, history.revocations[user_id], signed)


def checkpoint_of(state: WorkerState, workspace_id: str, request: Params, *,
                  keep: bool = False) -> History | None:
    """The state my checkpoint in `request` holds, if the page sent one. `keep`: kept for the
    next call with the same checkpoint (which takes it), as `directory.wanted` does before the
    page opens the history: a partner space's checkpoint holds thousands of records."""
    checkpoint = request.get("checkpoint")
    if not checkpoint:
        return None
    checkpoint = dict(checkpoint)
    seq = checkpoint.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise RequestError("parameter 'checkpoint' needs the seq of its head")
    bundle = state.identity()
    # Bytes (a Uint8Array) as sealed since format 3; base64url text as pages kept formats 1
    # and 2, refused below as any unusable checkpoint is.
    sealed = params.b64(checkpoint, "sealed") if isinstance(checkpoint.get("sealed"), str) \
        else params.buffer(checkpoint, "sealed")
    kept = state.opened_checkpoints.pop(workspace_id, None)
    if kept is not None and kept[0] == (seq, sealed):
        opened = kept[1]
    else:
        opened = open_checkpoint(state.checkpoint_key(), sealed, length=seq,
                                 organization=bundle.organization, workspace=workspace_id,
                                 user_id=bundle.user_id)
    if keep:
        state.opened_checkpoints[workspace_id] = ((seq, sealed), opened)
    return opened


def _verified(state: WorkerState, held: HeldHistory, stored: list[bytes],
              start: History | None) -> list[LogEntry]:
    """The entries of `stored` after `start`'s head (all of them without a checkpoint) whose
    chain verifies; where it breaks, and why, goes to `held`."""
    base = start.base.chain if start else EMPTY_BASE
    if start is not None:
        if not stored or entry_hash(stored[0]) != start.head[1]:
            raise CheckpointUnusableError(
                f"the server does not serve entry {start.length}, this browser's checkpoint of "
                "the history, as it verified it: the whole history is read")
        stored = stored[1:]

    def verified(entries: list[bytes]) -> list[LogEntry]:
        return verify_chain(entries, organization=held.history.organization,
                            workspace=held.history.workspace, author_key=state.verify_key_of,
                            base=base)

    try:
        return verified(stored)
    except BrokenChainError as error:
        held.problem, held.broken_at = str(error), error.position
        return verified(stored[:error.position - 1 - base.length])


def sync(state: WorkerState, workspace_id: str, request: Params) -> HeldHistory:
    """Verify and replay the log in `request['entries']` (from my checkpoint's head on, if the
    request carries one); keep it as this workspace's history."""
    bundle = state.identity()
    organization = bundle.organization
    stored = stored_entries(request)
    whole = request.get("whole") is True
    try:
        checkpoint = checkpoint_of(state, workspace_id, request)
    except CheckpointUnusableError:
        if not whole:
            raise
        checkpoint = None  # refused: the whole history says everything
    start = None if whole else checkpoint
    held = HeldHistory(History(organization, workspace_id),
                       length=len(stored) + (start.length - 1 if start else 0))
    entries = _verified(state, held, stored, start)
    remembered = _remembered(request)
    seen = (remembered.seq, remembered.verified_at) if remembered and remembered.verified_at \
        else None
    held.history = replay(entries, organization=organization, workspace=workspace_id,
                          directory=state.directory,
                          remembered_cutoffs=remembered.cutoffs if remembered else None,
                          seen=seen, start=start)
    receipts.fold(held.history)
    _learn_revocations(state, held.history)
    held.own_state_floor = max(remembered.own_state if remembered else 0,
                               held.history.own_state_of(bundle.user_id))
    # What this browser verified before: its remembered head, and its checkpoint's (whole).
    verified_heads = ([(remembered.seq, remembered.hash)] if remembered else []) + (
        [checkpoint.head] if whole and checkpoint is not None else [])
    for seq, head_hash in verified_heads:
        if held.problem is None:
            try:
                held.history.check_remembered(seq, head_hash)
            except RolledBackHistoryError as error:
                held.problem, held.broken_at = str(error), held.history.length + 1
    same_head = remembered is not None and remembered.verified_at and (
        remembered.seq, remembered.hash) == held.history.head
    held.verified_at = remembered.verified_at if remembered and same_head else int(time.time())
    if remembered is not None and remembered.confirmed:
        state.fresh.add(workspace_id)
    witnessed = state.witnessed.get(workspace_id)
    contradicted = witnessed and contradiction(held.history.length, held.history.hash_at,
                                               *witnessed)
    if contradicted and held.problem is None:
        held.problem, held.broken_at = contradicted
    elif witnessed and not contradicted:
        state.fresh.add(workspace_id)  # a member's signed head is on the chain served now
    keyring = state.keyrings.get(workspace_id)
    if keyring is not None:
        keyring.current = held.history.key_index
    if held.problem is None and checkpointable(held.history) and (
            start is None or entries):
        held.checkpoint = seal_checkpoint(state.checkpoint_key(), held.history,
                                          user_id=bundle.user_id)
    state.histories[workspace_id] = held
    return held


def held(state: WorkerState, workspace_id: str) -> HeldHistory:
    found = state.histories.get(workspace_id)
    if found is None:
        raise RequestError(f"workspace {workspace_id} is not open in this browser")
    return found


def whole(state: WorkerState, workspace_id: str) -> History:
    """The history with every entry (not one opened from a checkpoint, which holds only the
    entries after it): what reads each entry needs; `stale_log` (read the log) otherwise."""
    history = held(state, workspace_id).history
    if history.base.chain.length:
        raise StaleHistoryError("only the entries after this browser's checkpoint were read: "
                                "read the whole log and retry")
    return history


def writable(state: WorkerState, workspace_id: str) -> History:
    """The history a new entry may extend: whole, and neither rolled back nor broken."""
    found = held(state, workspace_id)
    if found.problem is not None:
        raise UntrustedHistoryError(
            f"this workspace's history cannot be trusted ({found.problem}); nothing more is "
            "written to it from this browser")
    state.require_fresh(workspace_id)
    return found.history


def my_role(state: WorkerState, history: History) -> str | None:
    return history.active_members().get(state.identity().user_id)


def own_state_version(state: WorkerState, workspace_id: str) -> int:
    """The version of my own state in the workspace as far as this worker knows it."""
    own = state.own_states.get(workspace_id)
    found = state.histories.get(workspace_id)
    return max(own.version if own else 0, found.own_state_floor if found else 0)


def _anchors(state: WorkerState, workspace_id: str, history: History) -> dict[str, Any]:
    """What my next entry anchors: my own state's version, and the revocation of every member
    the history does not anchor yet (from the last entry I verified while knowing it)."""
    cutoffs = history.known_cutoffs()
    head = history.length
    revocations = []
    for user_id in sorted(history.members):
        signed = state.signed_revocations.get(user_id) or history.signed_revocations.get(user_id)
        if user_id in history.anchored or signed is None:
            continue
        revocations.append({"revocation": signed, "known_at": cutoffs.get(user_id, head)})
    anchors: dict[str, Any] = {"own_state": own_state_version(state, workspace_id)}
    if revocations:
        anchors["revocations"] = revocations
    return anchors


def accept_grants(state: WorkerState, keyring: Keyring, history: History,
                  grants: list[Any]) -> list[str]:
    """Add each grant of a key the history announced; say why any other is refused."""
    bundle = state.identity()
    problems = []
    for grant in grants:
        grant = dict(grant)
        index = grant.get("key_index")
        check = history.key_checks.get(index) if isinstance(index, int) else None
        if check is None:
            problems.append(f"a grant of key {index}, which the workspace's history never "
                            "announced, was refused")
            continue
        try:
            keyring.accept(params.b64(grant, "grant"), index=index,
                           granter=state.verify_key_of(params.text(grant, "granted_by")),
                           recipient=bundle.encryption_key, check=check)
        except CryptoError as error:
            problems.append(str(error))
    return problems


def next_entry(state: WorkerState, workspace_id: str, kind: str, *,
               content: dict[str, Any] | None = None,
               public: dict[str, Any] | None = None) -> Reply:
    """My write naming the verified head (log.py, format 4), sealed under the current key and
    signed by me; the server places it after whatever others wrote meanwhile."""
    history = writable(state, workspace_id)
    bundle = state.identity()
    entry = write_entry(state.keyring(workspace_id), bundle.signing_key, author=bundle.user_id,
                        head=history.head, kind=kind, content=content, public=public,
                        anchors=_anchors(state, workspace_id, history))
    return {"head": history.head[0], "kind": kind, "entry": params.to_b64(entry)}


def document_entry(state: WorkerState, workspace_id: str, kind: str, document_id: str,
                   version: int, manifest: bytes, *, deleted: bool = False) -> Reply:
    """The entry that records version `version` of a document by its sealed manifest's hash."""
    history = writable(state, workspace_id)
    latest = history.latest.get(document_id)
    recorded = latest.version if latest else 0
    if version <= recorded:
        raise StaleVersionError(
            f"version {recorded} of this document was written meanwhile; merge with it and "
            "retry")
    if version != recorded + 1:
        raise StaleHistoryError(
            f"the workspace's history records version {recorded} of this document: read it "
            "again and retry")
    public = {"document_id": document_id, "kind": kind, "version": version,
              "hash": hashing.blake2b(manifest)}
    if deleted:
        public["deleted"] = True
    return next_entry(state, workspace_id, "document", public=public)


def chain_view(state: WorkerState, found: HeldHistory) -> Reply:
    """What the UI shows of the history's state: verified or where it breaks, forgeries,
    entries whose order before their author's revocation nothing confirms; the head to remember
    (with the revocations known at it and my own state's version), and the signed revocations
    the history carries, for the page to remember too."""
    history = found.history
    workspace_id = history.workspace
    return {
        "verified": found.problem is None, "length": found.length, "problem": found.problem,
        "broken_at": found.broken_at,
        "head": {"seq": history.head[0], "hash": history.head[1].hex(),
                 "revoked": history.known_cutoffs(),
                 "own_state": own_state_version(state, workspace_id),
                 "verified_at": found.verified_at,
                 "confirmed": workspace_id in state.fresh},
        "checkpoint": {"seq": history.length, "sealed": found.checkpoint}
        if found.checkpoint else None,
        "forgeries": [{"seq": forgery.seq, "kind": forgery.kind, "author": forgery.author,
                       "author_name": state.display_name(forgery.author),
                       "reason": forgery.reason, "message": forgery.describe()}
                      for forgery in history.forgeries.values()],
        "unconfirmed": [unconfirmed_view(state, history, seq) for seq in history.unconfirmed],
        "revocations": {user_id: params.to_b64(signed)
                        for user_id, signed in history.signed_revocations.items()},
    }


def unconfirmed_version(state: WorkerState, workspace_id: str, document_id: str,
                        version: int) -> str | None:
    """Why a document version's order cannot be confirmed (its recording entry is by a user
    revoked since, with nothing confirming it came first), or None."""
    history = held(state, workspace_id).history
    record = history.versions.get((document_id, version))
    view = unconfirmed_view(state, history, record.seq) if record else None
    return view["message"] if view else None


def unconfirmed_view(state: WorkerState, history: History, seq: int) -> Reply | None:
    """An entry by a user revoked since whose order nothing confirms (None for any other)."""
    unconfirmed = history.unconfirmed.get(seq)
    if unconfirmed is None:
        return None
    name = state.display_name(unconfirmed.author)
    return {"seq": seq, "kind": unconfirmed.kind, "author": unconfirmed.author,
            "author_name": name, "revoked_at": unconfirmed.revoked_at,
            "message": unconfirmed.describe(name)}
