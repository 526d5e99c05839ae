"""RPC methods for the workspace log: append a committee entry (checked against the workflow
and my role as the history proves it), read the log (verify the history, decrypt, replay each
dossier's state from the entries whose authors had the authority), and export it for the
offline verifier.

The worker appends only after the head it verified itself, so it never extends a chain it has
not checked, nor one that is broken, rolled back or truncated.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from pycrypto_wasm.audit.export import FORMAT, export_document
from pycrypto_wasm.service import history as history_service
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.service.workspaces import NotAllowedError
from pycrypto_wasm.workspace import workflow
from pycrypto_wasm.workspace.log import open_entry


def _today(request: Params) -> datetime.date:
    if request.get("today") is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(str(request.get("today")))
    except ValueError as error:
        raise RequestError("parameter 'today' must be a date (YYYY-MM-DD)") from error


def _person(state: WorkerState, user_id: str) -> dict[str, Any]:
    entry = state.directory.get(user_id)
    certificate = entry.certificate if entry else None
    return {"user_id": user_id, "name": state.display_name(user_id),
            "site": certificate.site if certificate else None}


def read_log(state: WorkerState, request: Params) -> Reply:
    """The verified log: its history checked entry by entry (chain, signatures, authority,
    the head this browser remembers), the committee's entries decrypted, and each dossier's
    state replayed from those whose authors had the authority for them. Forged entries are
    listed loudly and never applied; nothing past a break is shown."""
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    found = history_service.sync(state, workspace_id, request)
    history = found.history
    entries = []
    for entry in history.entries:
        if entry.kind not in workflow.KINDS:
            continue
        forgery = history.forgeries.get(entry.seq)
        entries.append({"seq": entry.seq, "kind": entry.kind, "author": entry.author,
                        "person": _person(state, entry.author),
                        "content": {**open_entry(entry, keyring),
                                    "written_at": entry.written_at},
                        "forged": forgery.reason if forgery else None,
                        "unconfirmed": (history_service.unconfirmed_view(state, history, entry.seq)
                                        or {}).get("message")})
    states = workflow.dossier_states([entry for entry in entries if entry["forged"] is None],
                                     _today(request), history.workflow["quorum"])
    my_role = history_service.my_role(state, history)
    writable = found.problem is None
    return {
        "permissions": {kind: writable and my_role is not None
                        and workflow.may_append(my_role, kind, history.workflow["policy"])
                        for kind in workflow.KINDS},
        "new_dossier": asdict(workflow.DossierState()),
        "chain": history_service.chain_view(state, found),
        "entries": entries,
        "dossiers": {dossier_id: asdict(dossier) for dossier_id, dossier in states.items()},
    }


def append(state: WorkerState, request: Params) -> Reply:
    """The next entry of the log, after the head this worker verified."""
    workspace_id = params.text(request, "workspace_id")
    history = history_service.writable(state, workspace_id)
    kind = params.text(request, "kind")
    role = history_service.my_role(state, history)
    if kind not in workflow.KINDS or role is None or not workflow.may_append(
            role, kind, history.workflow["policy"]):
        raise NotAllowedError(f"your role ({role or 'none'}) may not record this ({kind})")
    content = workflow.check_content(kind, dict(request.get("content") or {}))
    return history_service.next_entry(state, workspace_id, kind, content=content)


def export_log(state: WorkerState, request: Params) -> Reply:
    """The log as a file the command-line verifier checks offline against the root key."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    document = export_document(
        organization=bundle.organization, workspace=workspace_id, root_verify_key=bundle.root,
        certificates=state.signed_certificates, revocations=state.signed_revocations,
        entries=history_service.stored_entries(request))
    return {"name": f"paravent-log-{workspace_id}.json", "mime": "application/json",
            "format": FORMAT, "text": json.dumps(document, indent=1, sort_keys=True)}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "log.read": read_log,
    "log.append": append,
    "log.export": export_log,
}
