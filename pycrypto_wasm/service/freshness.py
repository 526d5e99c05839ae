"""RPC methods for freshness: before a browser that remembers no head of a workspace seals
anything new in it, evidence the server cannot forge that it sees the latest state.

A remembered head (IndexedDB, or my passkey's heads record read at sign-in and handed back as
remembered heads) is evidence: `history.sync` checks the served log against it. Without one,
`freshness.ask` makes a question (a random nonce) that the page sends to the members online;
each member's worker signs its verified head for it (`freshness.answer`), only from a head it has
evidence of itself (so two wiped browsers never vouch for each other); `freshness.check`
verifies each answer (the question stays open for more) against the answerer's verified
certificate and compares it with the history served here: a head on this chain confirms it;
one that differs proves a fork; a longer one is kept, and the page reads the log again: if the
server still does not serve that member's head, it withholds entries (history.sync). A fork or
withheld entries mark the history untrusted: nothing more is written to it.
`freshness.proceed` is the user going on knowingly (the page said this browser cannot confirm
it). `freshness.seal_heads` and `freshness.open_heads` make and read the heads record my
passkey keeps (WebAuthn largeBlob).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.random import random_bytes
from pycrypto_wasm.service import params
from pycrypto_wasm.service.history import _remembered, held
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace.freshness import (
    NONCE_SIZE,
    Head,
    answerer_of,
    contradiction,
    kept_heads,
    open_record,
    record_key,
    seal_record,
    sign_answer,
    verify_answer,
)
from pycrypto_wasm.workspace.log import CheckpointUnusableError


class NoEvidenceError(CryptoError):
    """This browser has no head of the workspace it could vouch for."""

    code = "no_head"


class UnaskedAnswerError(CryptoError):
    """An answer to a question this worker did not ask, or by someone it cannot believe."""

    code = "bad_freshness_answer"


def status(state: WorkerState, request: Params) -> Reply:
    workspace_id = params.text(request, "workspace_id")
    return {"fresh": workspace_id in state.fresh,
            "knowingly": workspace_id in state.going_on}


def ask(state: WorkerState, request: Params) -> Reply:
    """A new question about the workspace's latest head, for the members online."""
    state.identity()
    workspace_id = params.text(request, "workspace_id")
    nonce = random_bytes(NONCE_SIZE)
    state.freshness_nonces[workspace_id] = nonce
    return {"workspace_id": workspace_id, "nonce": params.to_b64(nonce)}


def answer(state: WorkerState, request: Params) -> Reply:
    """My signed head of the workspace for `asker`'s question: the head this browser remembers
    (`remembered`, as the page keeps it) or the one it verified this session with evidence."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    nonce = params.b64(request, "nonce")
    remembered = _remembered(request)
    found = state.histories.get(workspace_id)
    if remembered is not None and remembered.confirmed:
        seq, head_hash = remembered.seq, remembered.hash
    elif (found is not None and found.problem is None and workspace_id in state.fresh
          and found.history.length):
        seq, head_hash = found.history.head
    else:
        raise NoEvidenceError(f"this browser has no head of workspace {workspace_id} it could "
                              "vouch for")
    signed = sign_answer(bundle.signing_key, organization=bundle.organization,
                         workspace=workspace_id, asker=params.text(request, "asker"),
                         answerer=bundle.user_id, nonce=nonce, seq=seq, head_hash=head_hash)
    return {"workspace_id": workspace_id, "answer": params.to_b64(signed)}


def check(state: WorkerState, request: Params) -> Reply:
    """Believe a member's answer to my question: its head on my chain confirms what the server
    serves; past my head or off my chain, it proves the server withholds or forks."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    nonce = state.freshness_nonces.get(workspace_id)
    if nonce is None:
        raise UnaskedAnswerError(f"this browser asked nothing about workspace {workspace_id}")
    signed = params.b64(request, "answer")
    answerer = answerer_of(signed)
    if state.revocation_of(answerer) is not None:
        raise UnaskedAnswerError(f"an answer by {answerer} cannot confirm this workspace")
    stated = verify_answer(signed, state.verify_key_of(answerer),
                           organization=bundle.organization, workspace=workspace_id,
                           asker=bundle.user_id, nonce=nonce)
    found = held(state, workspace_id)
    served = found.history.length
    name = state.display_name(answerer)
    reply: Reply = {"workspace_id": workspace_id, "answerer": answerer, "answerer_name": name,
                    "seq": stated.seq, "served": served, "fresh": False, "ahead": False,
                    "problem": None}
    try:
        contradicted = contradiction(served, found.history.hash_at, stated, name)
    except CheckpointUnusableError:
        # Before what this browser's checkpoint keeps: the next read verifies the whole history.
        state.witnessed[workspace_id] = (stated, name)
        return {**reply, "ahead": True}
    if contradicted is None:
        state.fresh.add(workspace_id)
        return {**reply, "fresh": True}
    state.witnessed[workspace_id] = (stated, name)
    if stated.seq > served:
        # Written since this history was read, or withheld: the next read tells (history.sync).
        return {**reply, "ahead": True}
    if found.problem is None:
        found.problem, found.broken_at = contradicted
    return {**reply, "problem": contradicted[0]}


def proceed(state: WorkerState, request: Params) -> Reply:
    """The user goes on writing knowingly, without evidence of the latest state."""
    state.identity()
    workspace_id = params.text(request, "workspace_id")
    state.going_on.add(workspace_id)
    return status(state, request)


def _head(workspace_id: str, value: Any) -> Head:
    value = dict(value)
    try:
        return Head(workspace_id, int(value["seq"]), bytes.fromhex(str(value["hash"])),
                    int(value.get("own_state") or 0), int(value.get("verified_at") or 0))
    except (KeyError, TypeError, ValueError) as error:
        raise RequestError(f"the head of {workspace_id} needs its seq and hash") from error


def _head_view(head: Head) -> Reply:
    return {"seq": head.seq, "hash": head.hash.hex(), "own_state": head.own_state,
            "verified_at": head.verified_at, "revoked": {}}


def seal_heads(state: WorkerState, request: Params) -> Reply:
    """My heads record for my passkey, from the heads the page remembers
    (`heads`: {workspace_id: head}; those remembered without evidence are not evidence, and
    stay out); which workspaces it holds and which it leaves out for its size."""
    bundle = state.identity()
    heads = [_head(str(workspace_id), head)
             for workspace_id, head in dict(request.get("heads") or {}).items()
             if dict(head).get("confirmed") is not False]
    record = seal_record(record_key(bundle.encryption_seed), bundle.signing_key, heads,
                         organization=bundle.organization, user_id=bundle.user_id,
                         written_at=int(time.time()))
    kept = {head.workspace for head in kept_heads(heads)}
    return {"record": params.to_b64(record), "kept": sorted(kept),
            "left_out": sorted({head.workspace for head in heads} - kept)}


def open_heads(state: WorkerState, request: Params) -> Reply:
    """The heads my passkey's record holds, as heads for the page to remember."""
    bundle = state.identity()
    written_at, heads = open_record(record_key(bundle.encryption_seed),
                                    bundle.signing_key.verify_key, params.b64(request, "record"),
                                    organization=bundle.organization, user_id=bundle.user_id)
    return {"written_at": written_at,
            "heads": {head.workspace: _head_view(head) for head in heads}}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "freshness.status": status,
    "freshness.ask": ask,
    "freshness.answer": answer,
    "freshness.check": check,
    "freshness.proceed": proceed,
    "freshness.seal_heads": seal_heads,
    "freshness.open_heads": open_heads,
}
