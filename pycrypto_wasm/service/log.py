"""RPC methods for the workspace log: append an entry (checked against the workflow and my
verified role), read the log (verify the chain, decrypt, replay each dossier's state), and
export it for the offline verifier.

The worker appends only after the head it verified itself, so it never extends a chain it has
not checked, nor one that is broken.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from pycrypto_wasm.audit.export import FORMAT, export_document
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace import workflow
from pycrypto_wasm.workspace.log import BrokenChainError, open_entry, seal_entry, verify_chain


class NotAllowedError(CryptoError):
    """My verified role does not allow this entry."""

    code = "forbidden"


def _stored_entries(request: Params) -> list[bytes]:
    entries = request.get("entries")
    if not isinstance(entries, list):
        raise RequestError("parameter 'entries' must list the log's entries")
    return [params.b64(dict(entry), "entry") for entry in entries]


def _today(request: Params) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(request.get("today")))
    except ValueError as error:
        raise RequestError("parameter 'today' must be a date (YYYY-MM-DD)") from error


def _person(state: WorkerState, user_id: str) -> dict[str, Any]:
    entry = state.directory.get(user_id)
    certificate = entry.certificate if entry else None
    return {"user_id": user_id, "name": certificate.display_name if certificate else user_id,
            "site": certificate.site if certificate else None}


def _workflow(state: WorkerState, workspace_id: str) -> dict[str, Any]:
    return state.workflows.get(workspace_id, workflow.DEFAULT_WORKFLOW)


def read_log(state: WorkerState, request: Params) -> Reply:
    """The verified log: every entry up to the first break (if any), decrypted, and each
    dossier's state replayed from them; the chain's state says loudly where it breaks."""
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    stored = _stored_entries(request)
    problem, broken_at = None, None
    try:
        verified = verify_chain(stored, organization=keyring.organization,
                                workspace=workspace_id, author_key=state.verify_key_of)
    except BrokenChainError as error:
        problem, broken_at = str(error), error.position
        verified = verify_chain(stored[:error.position - 1], organization=keyring.organization,
                                workspace=workspace_id, author_key=state.verify_key_of)
    if broken_at is None:
        state.log_heads[workspace_id] = (len(verified), verified[-1].hash if verified else b"")
    else:
        state.log_heads.pop(workspace_id, None)
    roles = state.roles.get(workspace_id, {})
    settings = _workflow(state, workspace_id)
    entries = []
    for entry in verified:
        content = open_entry(entry, keyring)
        role = roles.get(entry.author)
        entries.append({"seq": entry.seq, "kind": entry.kind, "author": entry.author,
                        "person": _person(state, entry.author), "content": content,
                        "role_problem": role is not None
                        and not workflow.may_append(role, entry.kind, settings["policy"])})
    states = workflow.dossier_states(entries, _today(request), settings["quorum"])
    my_role = roles.get(state.identity().user_id)
    return {
        "permissions": {kind: my_role is not None
                        and workflow.may_append(my_role, kind, settings["policy"])
                        for kind in workflow.KINDS},
        "new_dossier": asdict(workflow.DossierState()),
        "chain": {"verified": broken_at is None, "length": len(stored), "problem": problem,
                  "broken_at": broken_at,
                  "head": verified[-1].hash.hex() if verified else None},
        "entries": entries,
        "dossiers": {dossier_id: asdict(dossier) for dossier_id, dossier in states.items()},
    }


def append(state: WorkerState, request: Params) -> Reply:
    """The next entry of the log, after the head this worker verified."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    kind = params.text(request, "kind")
    role = state.roles.get(workspace_id, {}).get(bundle.user_id)
    policy = _workflow(state, workspace_id)["policy"]
    if role is None or not workflow.may_append(role, kind, policy):
        raise NotAllowedError(f"your role ({role or 'none'}) may not record this ({kind})")
    head = state.log_heads.get(workspace_id)
    if head is None:
        raise RequestError("read the workspace's log (and check its chain) before writing to it")
    content = workflow.check_content(kind, dict(request.get("content") or {}))
    seq = head[0] + 1
    entry = seal_entry(keyring, bundle.signing_key, author=bundle.user_id, seq=seq,
                       prev=head[1] if head[0] else bytes(32), kind=kind, content=content)
    return {"seq": seq, "kind": kind, "entry": params.to_b64(entry)}


def export_log(state: WorkerState, request: Params) -> Reply:
    """The log as a file the command-line verifier checks offline against the root key."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    document = export_document(
        organization=bundle.organization, workspace=workspace_id, root_verify_key=bundle.root,
        certificates=state.signed_certificates, revocations=state.signed_revocations,
        entries=_stored_entries(request))
    return {"name": f"paravent-log-{workspace_id}.json", "mime": "application/json",
            "format": FORMAT, "text": json.dumps(document, indent=1, sort_keys=True)}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "log.read": read_log,
    "log.append": append,
    "log.export": export_log,
}
