"""RPC methods for my own state in a workspace (read markers), sealed so only I can read it.

`own_state.open` reads the state the server holds (version and blob, as
`GET /api/workspaces/<w>/my-state` serves them) into what this worker holds: markers only move
forward (the furthest of both, per dossier), and a version older than one this worker already
saw this session is refused as a rollback, and so is one older than this browser remembered with
the workspace's head or than my own signed entries in its history carry (their anchors): a
rollback across sign-ins is caught by a browser that remembers, and by any browser once I wrote
since. The page opens my state after the history, so that both are known.
`own_state.mark_read` moves a marker and seals the next version for `PUT .../my-state`; the
page opens what it stored, so the worker knows the server's version. On 409 (another tab or
device wrote meanwhile) the page opens the newer state and marks again: nothing either wrote is
lost.
"""

from __future__ import annotations

from collections.abc import Callable

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.service import params
from pycrypto_wasm.service.history import own_state_version
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace.own_state import OwnState, open_state, seal_state, state_key


class RolledBackStateError(CryptoError):
    """The server served my own state at a version older than one it showed me before."""

    code = "state_rolled_back"


def _held(state: WorkerState, workspace_id: str) -> OwnState:
    return state.own_states.setdefault(workspace_id, OwnState())


def _reply(held: OwnState) -> Reply:
    return {"version": held.version, "read_markers": dict(held.read_markers)}


def open_own_state(state: WorkerState, request: Params) -> Reply:
    """My state as the server holds it, merged into what this worker holds."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    version = params.whole_number(request, "version")
    held = _held(state, workspace_id)
    known = own_state_version(state, workspace_id)
    if version < known:
        raise RolledBackStateError(
            f"the server served your own state of workspace {workspace_id} at version "
            f"{version}, older than version {known}, which it showed before or your signed "
            "writes record: it was rolled back")
    if version == 0:
        if request.get("state") is not None:
            raise RequestError("version 0 of an own state has no content")
        return _reply(held)
    stored = open_state(state_key(bundle.encryption_seed), params.b64(request, "state"),
                        version=version, organization=bundle.organization,
                        workspace=workspace_id, user_id=bundle.user_id)
    held.merge(stored)
    return _reply(held)


def mark_read(state: WorkerState, request: Params) -> Reply:
    """Move a dossier's read marker forward; the next version of my state, sealed, to store."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    held = _held(state, workspace_id)
    held.mark_read(params.text(request, "dossier_id"), params.whole_number(request, "seq"))
    following = OwnState(held.version + 1, dict(held.read_markers))
    sealed = seal_state(state_key(bundle.encryption_seed), following,
                        organization=bundle.organization, workspace=workspace_id,
                        user_id=bundle.user_id)
    return {"version": following.version, "state": params.to_b64(sealed)}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "own_state.open": open_own_state,
    "own_state.mark_read": mark_read,
}
