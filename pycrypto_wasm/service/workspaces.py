"""RPC methods for workspaces and dossiers: create, open (accept key grants, decrypt the name),
share (role certificate and keys for a new member), unshare (rotate the key), and dossiers as
signed, encrypted, versioned manifests, with a field merge for concurrent edits.

Authors and granters are looked up in the directory this worker verified (`directory.verify`);
nothing the server says about keys is taken on its word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pycrypto_wasm.exceptions import CryptoError, MalformedError
from pycrypto_wasm.random import random_id
from pycrypto_wasm.sealing import PublicKey
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace import keys, workflow
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.manifest import ManifestVersion, open_manifest, seal_manifest
from pycrypto_wasm.workspace.merge import merge_fields
from pycrypto_wasm.workspace.roles import ROLES, RoleCertificate, verify_roles

DOSSIER_FIELDS = (
    "patient_name", "birth_date", "referring_site", "requested_unit", "urgency", "status",
    "reviewers", "summary", "documents",
)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{random_id()[:24]}"


def _grant(state: WorkerState, keyring: Keyring, user_id: str, index: int) -> Reply:
    member = PublicKey(state.certificate_of(user_id).public_key)
    signer, _ = state.keys()
    message = keys.grant(signer, member, organization=keyring.organization,
                         workspace=keyring.workspace, index=index, key=keyring.key(index))
    return {"user_id": user_id, "key_index": index, "grant": params.to_b64(message)}


def create(state: WorkerState, request: Params) -> Reply:
    bundle = state.identity()
    workspace_id = _new_id("w")
    keyring = Keyring.new(bundle.organization, workspace_id)
    state.keyrings[workspace_id] = keyring
    manifest = seal_manifest(keyring, bundle.signing_key, author=bundle.user_id,
                             kind="workspace", document_id=workspace_id, version=1,
                             content={"name": params.text(request, "name")})
    grant = keys.grant(bundle.signing_key, bundle.encryption_key.public_key,
                       organization=bundle.organization, workspace=workspace_id, index=0,
                       key=keyring.key(0))
    return {
        "workspace_id": workspace_id,
        "manifest": params.to_b64(manifest),
        "key_grant": params.to_b64(grant),
        "role_certificate": params.to_b64(RoleCertificate.issue(
            bundle.signing_key, organization=bundle.organization, workspace=workspace_id,
            user_id=bundle.user_id, role="owner", granted_by=bundle.user_id)),
    }


def open_workspace(state: WorkerState, request: Params) -> Reply:
    """Accept the keys granted to me and read the workspace's name."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    keyring = Keyring(bundle.organization, workspace_id)
    for grant in request.get("grants") or []:
        grant = dict(grant)
        keyring.accept(params.b64(grant, "grant"), index=int(grant["key_index"]),
                       granter=state.verify_key_of(params.text(grant, "granted_by")),
                       recipient=bundle.encryption_key)
    state.keyrings[workspace_id] = keyring
    version = int(request.get("manifest_version") or 0)
    opened = open_manifest(params.b64(request, "manifest"), keyring, kind="workspace",
                           document_id=workspace_id, version=version,
                           author_key=state.verify_key_of)
    workflow = _workflow_of(opened.content)
    state.workflows[workspace_id] = workflow
    return {"workspace_id": workspace_id, "name": opened.content.get("name", ""),
            "workflow": workflow, "version": version, "key_index": keyring.newest}


def _workflow_of(content: dict[str, Any]) -> dict[str, Any]:
    """The workflow settings a workspace manifest carries (the defaults before any were set)."""
    if "workflow" not in content:
        return workflow.check_workflow(workflow.DEFAULT_WORKFLOW)
    try:
        return workflow.check_workflow(content["workflow"])
    except CryptoError as error:
        raise MalformedError(f"the workspace's workflow settings are not valid: {error}") from error


def save_settings(state: WorkerState, request: Params) -> Reply:
    """The next version of the workspace manifest: its (encrypted) name and its workflow
    settings, which also go to the server in clear so that it can enforce them."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    version = int(request.get("expected_version") or 0) + 1
    settings = workflow.check_workflow(request.get("workflow"))
    manifest = seal_manifest(state.keyring(workspace_id), bundle.signing_key,
                             author=bundle.user_id, kind="workspace", document_id=workspace_id,
                             version=version,
                             content={"name": params.text(request, "name"), "workflow": settings})
    return {"version": version, "manifest": params.to_b64(manifest), "workflow": settings}


def share(state: WorkerState, request: Params) -> Reply:
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    user_id = params.text(request, "user_id")
    role = params.text(request, "role")
    if role not in ROLES:
        raise RequestError(f"role must be one of {ROLES}")
    return {
        "role_certificate": params.to_b64(RoleCertificate.issue(
            bundle.signing_key, organization=bundle.organization, workspace=workspace_id,
            user_id=user_id, role=role, granted_by=bundle.user_id)),
        "grants": [_grant(state, keyring, user_id, index) for index in sorted(keyring.keys)],
    }


def unshare(state: WorkerState, request: Params) -> Reply:
    """A new key for everyone but the removed member: what they cannot read from now on."""
    keyring = state.keyring(params.text(request, "workspace_id"))
    remaining = request.get("remaining")
    if not isinstance(remaining, list) or not remaining:
        raise RequestError("parameter 'remaining' must list the members who stay")
    index = keyring.rotate()
    return {"key_index": index,
            "grants": [_grant(state, keyring, str(user_id), index) for user_id in remaining]}


def verify_members(state: WorkerState, request: Params) -> Reply:
    """Each member's role as its certificate proves it. The creator is the verified author of
    the workspace manifest's first version."""
    workspace_id = params.text(request, "workspace_id")
    keyring = state.keyring(workspace_id)
    first = open_manifest(params.b64(request, "first_manifest"), keyring, kind="workspace",
                          document_id=workspace_id, version=1, author_key=state.verify_key_of)
    members = [dict(member) for member in request.get("members") or []]
    roles = verify_roles(
        organization=keyring.organization, workspace=workspace_id, creator=first.author,
        certificates={params.text(m, "user_id"): params.b64(m, "role_certificate")
                      for m in members},
        directory=state.directory,
    )
    state.roles[workspace_id] = {user_id: verified.role for user_id, verified in roles.items()
                                 if verified.role is not None}
    views = []
    for member in members:
        verified = roles[member["user_id"]]
        entry = state.directory.get(member["user_id"])
        name = entry.certificate.display_name if entry and entry.certificate else None
        views.append({"user_id": member["user_id"], "display_name": name,
                      "role": verified.role, "problem": verified.problem,
                      "server_role": member.get("role")})
    return {"members": views}


def _fields(request: Params) -> dict[str, Any]:
    fields = request.get("fields")
    if not isinstance(fields, dict):
        raise RequestError("parameter 'fields' must be an object")
    unknown = set(fields) - set(DOSSIER_FIELDS)
    if unknown:
        raise RequestError(f"unknown dossier fields: {sorted(unknown)}")
    return {name: value for name, value in dict(fields).items() if value is not None}


def save_dossier(state: WorkerState, request: Params) -> Reply:
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    document_id = request.get("document_id") or _new_id("d")
    version = int(request.get("expected_version") or 0) + 1
    manifest = seal_manifest(state.keyring(workspace_id), bundle.signing_key,
                             author=bundle.user_id, kind="dossier", document_id=document_id,
                             version=version, content=_fields(request))
    return {"document_id": document_id, "version": version, "manifest": params.to_b64(manifest)}


def open_documents(state: WorkerState, request: Params, kind: str) -> Iterator[
    tuple[str, ManifestVersion | None, str | None]
]:
    """(document id, opened version or None, problem or None) for each listed document."""
    keyring = state.keyring(params.text(request, "workspace_id"))
    for document in request.get("documents") or []:
        document = dict(document)
        document_id = params.text(document, "document_id")
        try:
            yield document_id, open_manifest(
                params.b64(document, "manifest"), keyring, kind=kind, document_id=document_id,
                version=int(document["version"]), author_key=state.verify_key_of), None
        except CryptoError as error:
            yield document_id, None, str(error)


def read_dossiers(state: WorkerState, request: Params) -> Reply:
    """Each dossier decrypted and verified; one that fails says why instead of showing data."""
    dossiers = []
    for document_id, opened, problem in open_documents(state, request, "dossier"):
        if opened is None:
            dossiers.append({"document_id": document_id, "problem": problem})
            continue
        author = state.certificate_of(opened.author)
        dossiers.append({"document_id": document_id, "version": opened.version,
                         "author": opened.author, "author_name": author.display_name,
                         "written_at": opened.written_at, "fields": opened.content})
    return {"dossiers": dossiers}


def merge_dossier(_state: WorkerState, request: Params) -> Reply:
    merged = merge_fields(*(dict(request.get(name) or {}) for name in ("base", "ours", "theirs")))
    return {"fields": merged.fields,
            "conflicts": [{"name": c.name, "ours": c.ours, "theirs": c.theirs}
                          for c in merged.conflicts]}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "workspace.create": create,
    "workspace.open": open_workspace,
    "workspace.save_settings": save_settings,
    "workspace.share": share,
    "workspace.unshare": unshare,
    "workspace.verify_members": verify_members,
    "dossier.save": save_dossier,
    "dossier.read": read_dossiers,
    "dossier.merge": merge_dossier,
}
