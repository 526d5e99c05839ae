"""RPC methods for the workspace log: append a committee entry (checked against the workflow
and my role as the history proves it), read the log (verify the history, decrypt, replay each
dossier's state from the entries whose authors had the authority, and describe the workspace's
own events: membership, settings and document versions), and export it for the offline
verifier.

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
from pycrypto_wasm.workspace.history import (
    CREATED,
    DOCUMENT,
    MEMBER_REMOVED,
    MEMBER_SET,
    SETTINGS,
    History,
)
from pycrypto_wasm.workspace.log import LogEntry, open_entry


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


def _document_event(public: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    kind, document_id = public.get("kind"), public.get("document_id")
    first = public.get("version") == 1
    if kind == "dossier":
        event = "dossier_deleted" if public.get("deleted") is True else (
            "dossier_created" if first else "dossier_edited")
        return event, {"dossier_id": document_id, "version": public.get("version")}
    event = "file_deleted" if public.get("deleted") is True else (
        "file_added" if first else "file_updated")
    return event, {"file_id": document_id, "version": public.get("version")}


def workspace_events(state: WorkerState, history: History) -> list[dict[str, Any]]:
    """The workspace's own events, from its verified history: created, members added, roles
    changed, members removed (or removed as revoked, with the revocation's date), settings and
    workflow changes, dossier and file versions; each with its author and, when refused, why."""
    roles: dict[str, str] = {}
    workflow_in_force: Any = None
    events = []
    for entry in history.entries:
        if entry.kind not in (CREATED, MEMBER_SET, MEMBER_REMOVED, SETTINGS, DOCUMENT):
            continue
        forgery = history.forgeries.get(entry.seq)
        event, content = _workspace_event(state, history, entry, roles, workflow_in_force)
        if forgery is None:
            _follow(entry, roles)
            if entry.kind in (CREATED, SETTINGS):
                workflow_in_force = entry.public.get("workflow")
        events.append({"seq": entry.seq, "kind": event, "author": entry.author,
                       "person": _person(state, entry.author),
                       "content": {**content, "written_at": entry.written_at},
                       "forged": forgery.reason if forgery else None,
                       "unconfirmed": (history_service.unconfirmed_view(state, history, entry.seq)
                                       or {}).get("message")})
    return events


def _follow(entry: LogEntry, roles: dict[str, str]) -> None:
    """Each member's role after the applied `entry`."""
    if entry.kind == CREATED:
        roles[entry.author] = "owner"
    elif entry.kind == MEMBER_SET:
        roles[str(entry.public.get("user_id"))] = str(entry.public.get("role"))
    elif entry.kind == MEMBER_REMOVED:
        roles.pop(str(entry.public.get("user_id")), None)


def _workspace_event(state: WorkerState, history: History, entry: LogEntry,
                     roles: dict[str, str], workflow_in_force: Any) -> tuple[str, dict[str, Any]]:
    public = entry.public
    if entry.kind == CREATED:
        return "workspace_created", {}
    if entry.kind == DOCUMENT:
        return _document_event(public)
    if entry.kind == SETTINGS:
        changed = public.get("workflow") != workflow_in_force
        return ("workflow_changed" if changed else "settings_changed"), {
            "version": public.get("version")}
    user_id = str(public.get("user_id"))
    member = {"member": _person(state, user_id)}
    if entry.kind == MEMBER_SET:
        previous = roles.get(user_id)
        return ("role_changed" if previous else "member_added"), {
            **member, "role": public.get("role"), "previous_role": previous}
    revoked_at = history.revoked_at(user_id)
    if revoked_at is None and (revocation := state.revocation_of(user_id)) is not None:
        revoked_at = revocation.revoked_at
    if revoked_at is not None:
        return "member_revoked", {**member, "revoked_at": revoked_at}
    return "member_removed", member


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
        "workspace_events": workspace_events(state, history),
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
