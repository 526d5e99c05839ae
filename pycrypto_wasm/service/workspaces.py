"""RPC methods for workspaces and dossiers: create, open (verify the history, accept the keys
it announced, decrypt the name), share (the entry adding a member, and the keys), unshare (the
entry removing one and announcing a new key), settings, and dossiers as signed, encrypted,
versioned manifests recorded in the history, with a field merge for concurrent edits.

Authors and granters are looked up in the directory this worker verifies as it reads it (the
users a history names, fetched by id before it is verified: `named_users.py`);
who is a member, which key is current and which versions exist is what the workspace's history
proves (`history.py`): nothing the server says about them is taken on its word.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrypto_wasm import hashing
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.random import random_id
from pycrypto_wasm.sealing import PublicKey
from pycrypto_wasm.service import history as history_service
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace import keys, results, workflow
from pycrypto_wasm.workspace.history import (
    CREATED,
    MEMBER_REMOVED,
    MEMBER_SET,
    SETTINGS,
    History,
    RolledBackHistoryError,
    UnrecordedVersionError,
)
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import GENESIS, write_entry
from pycrypto_wasm.workspace.manifest import (
    ManifestVersion,
    ReplayedVersionError,
    open_manifest,
    seal_manifest,
)
from pycrypto_wasm.workspace.merge import merge_fields
from pycrypto_wasm.workspace.roles import ROLES, may_grant, role_rank


class NotAllowedError(CryptoError):
    """My verified role, at the head of the workspace's history, does not allow this."""

    code = "forbidden"


class RevokedUserError(CryptoError):
    """The user was revoked (as any signed source this worker verified says): no key for them."""

    code = "revoked_user"


class WithheldVersionError(CryptoError):
    """The server does not serve a version the workspace's history records."""

    code = "withheld_version"

DOSSIER_FIELDS = (
    "patient_name", "birth_date", "referring_site", "requested_unit", "urgency", "status",
    "reviewers", "summary", "documents", "result",
)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{random_id()[:24]}"


def _grant(state: WorkerState, keyring: Keyring, user_id: str, index: int) -> Reply:
    member = PublicKey(state.certificate_of(user_id).public_key)
    signer, _ = state.keys()
    message = keys.grant(signer, member, organization=keyring.organization,
                         workspace=keyring.workspace, index=index, key=keyring.key(index))
    return {"user_id": user_id, "key_index": index, "grant": params.to_b64(message)}


def _settings_content(request: Params, settings: Reply) -> Reply:
    """A workspace manifest's content: its name, workflow and, for a partner space, the id of
    the partner site it serves (encrypted like the name)."""
    content = {"name": params.text(request, "name"), "workflow": settings}
    partner_site = request.get("partner_site")
    if partner_site is not None:
        content["partner_site"] = params.text(request, "partner_site")
    return content


def create(state: WorkerState, request: Params) -> Reply:
    """A new workspace: key 0, its first manifest and the log entry that creates it."""
    bundle = state.identity()
    workspace_id = _new_id("w")
    keyring = Keyring.new(bundle.organization, workspace_id)
    settings = workflow.check_workflow(workflow.DEFAULT_WORKFLOW)
    manifest = seal_manifest(keyring, bundle.signing_key, author=bundle.user_id,
                             kind="workspace", document_id=workspace_id, version=1,
                             content=_settings_content(request, settings))
    grant = keys.grant(bundle.signing_key, bundle.encryption_key.public_key,
                       organization=bundle.organization, workspace=workspace_id, index=0,
                       key=keyring.key(0))
    entry = write_entry(keyring, bundle.signing_key, author=bundle.user_id, head=(0, GENESIS),
                        kind=CREATED, public={"key_check": keyring.check(0), "version": 1,
                                              "hash": hashing.blake2b(manifest),
                                              "workflow": settings})
    state.fresh.add(workspace_id)
    return {"workspace_id": workspace_id, "manifest": params.to_b64(manifest),
            "key_grant": params.to_b64(grant), "log_entry": params.to_b64(entry)}


def open_workspace(state: WorkerState, request: Params) -> Reply:
    """Verify the workspace's history, accept the keys it announced to me, and read its name
    and settings from the manifest version the history records."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    keyring = Keyring(bundle.organization, workspace_id)
    state.keyrings[workspace_id] = keyring
    found = history_service.sync(state, workspace_id, request)
    history = found.history
    problems = history_service.accept_grants(state, keyring, history,
                                             list(request.get("grants") or []))
    reply: Reply = {"workspace_id": workspace_id, "key_index": history.key_index,
                    "chain": history_service.chain_view(state, found), "problems": problems,
                    "role": history_service.my_role(state, history),
                    "members": _members(state, history),
                    "revoked_members": _revoked_members(state, history),
                    "pending_removals": sorted(user for user in history.members
                                               if _revoked(state, history, user)),
                    "workflow": history.workflow}
    if history.settings is None:
        raise UnrecordedVersionError("this workspace's history records no manifest")
    version = history.settings.version
    if request.get("manifest_version") != version:
        return {**reply, "wants_manifest": version}
    if request.get("manifest") is None:
        raise WithheldVersionError(
            f"the workspace's manifest (its name and settings), version {version}, recorded at "
            f"entry {history.settings.seq} of its history, is withheld by the server")
    sealed = params.b64(request, "manifest")
    history.recorded("workspace", workspace_id, version, sealed)
    try:
        opened = open_manifest(sealed, keyring, kind="workspace", document_id=workspace_id,
                               version=version, author_key=state.verify_key_of)
    except CryptoError as error:
        if not problems:
            raise
        raise type(error)(f"{error}: {'; '.join(problems)}") from error
    return {**reply, "name": opened.content.get("name", ""), "version": version,
            "partner_site": opened.content.get("partner_site")}


def _revoked(state: WorkerState, history: History, user_id: str) -> bool:
    """Whether the user's revocation is known: to the history, or to this worker from any
    history or directory it verified since."""
    return user_id in history.revocations or state.revocation_of(user_id) is not None


def _revoked_at(state: WorkerState, history: History, user_id: str) -> int | None:
    """When the user was revoked, if the history or this worker knows their revocation."""
    known = history.revoked_at(user_id)
    if known is None and (revocation := state.revocation_of(user_id)) is not None:
        known = revocation.revoked_at
    return known


def _members(state: WorkerState, history: History) -> list[Reply]:
    """The members the history proves, with their verified names, roles, and revocation."""
    return [{"user_id": user_id, "display_name": state.display_name(user_id), "role": role,
             "revoked": _revoked(state, history, user_id),
             "revoked_at": _revoked_at(state, history, user_id)}
            for user_id, role in sorted(history.members.items(),
                                        key=lambda item: (
                                            state.display_name(item[0]).lower(), item[0]))]


def _revoked_members(state: WorkerState, history: History) -> list[Reply]:
    """Former members removed from the workspace because they were revoked, with the date of
    their revocation: shown as revoked rather than simply gone."""
    gone = sorted(user_id for user_id in history.removed_members()
                  if user_id not in history.members
                  and _revoked_at(state, history, user_id) is not None)
    return [{"user_id": user_id, "display_name": state.display_name(user_id),
             "revoked_at": _revoked_at(state, history, user_id)} for user_id in gone]


def _authority(state: WorkerState, workspace_id: str, minimum: str) -> tuple[History, str]:
    history = history_service.writable(state, workspace_id)
    role = history_service.my_role(state, history)
    if role is None or role_rank(role) < role_rank(minimum):
        raise NotAllowedError(f"your role ({role or 'none'}) does not allow this")
    return history, role


def save_settings(state: WorkerState, request: Params) -> Reply:
    """The next version of the workspace manifest (its encrypted name and workflow settings)
    and the entry that records it; the settings also go to the server in clear so that it can
    enforce them."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    history, role = _authority(state, workspace_id, "manager")
    settings = workflow.check_workflow(request.get("workflow"))
    if settings != history.workflow and role != "owner":
        raise NotAllowedError("only an owner may change the workflow settings")
    version = (history.settings.version if history.settings else 0) + 1
    manifest = seal_manifest(state.keyring(workspace_id), bundle.signing_key,
                             author=bundle.user_id, kind="workspace", document_id=workspace_id,
                             version=version, content=_settings_content(request, settings))
    entry = history_service.next_entry(state, workspace_id, SETTINGS, public={
        "version": version, "hash": hashing.blake2b(manifest), "workflow": settings})
    return {"version": version, "manifest": params.to_b64(manifest), "workflow": settings,
            "log_entry": entry}


def share(state: WorkerState, request: Params) -> Reply:
    """The entry that adds a member (or changes a role), and every key I hold for them."""
    workspace_id = params.text(request, "workspace_id")
    history, role = _authority(state, workspace_id, "manager")
    user_id = params.text(request, "user_id")
    new_role = params.text(request, "role")
    if new_role not in ROLES:
        raise RequestError(f"role must be one of {ROLES}")
    present = history.members.get(user_id)
    if not may_grant(role, new_role) or (present is not None and not may_grant(role, present)):
        raise NotAllowedError(f"a {role} may not make a {present or 'user'} a {new_role}")
    if _revoked(state, history, user_id):
        raise RevokedUserError(f"{state.display_name(user_id)} was revoked: no key is sealed to "
                               "them")
    keyring = state.keyring(workspace_id)
    entry = history_service.next_entry(state, workspace_id, MEMBER_SET,
                                       public={"user_id": user_id, "role": new_role})
    return {"log_entry": entry,
            "grants": [_grant(state, keyring, user_id, index) for index in sorted(keyring.keys)
                       if index <= history.key_index]}


def unshare(state: WorkerState, request: Params) -> Reply:
    """The entry that removes a member and announces a new key, granted to every active member
    who stays (never to a revoked user): what the removed member cannot read from now on."""
    workspace_id = params.text(request, "workspace_id")
    history, _ = _authority(state, workspace_id, "manager")
    user_id = params.text(request, "user_id")
    if user_id not in history.members:
        raise RequestError(f"{user_id} is not a member of this workspace")
    keyring = state.keyring(workspace_id)
    index, check = keyring.next_key()
    public: dict[str, Any] = {"user_id": user_id, "key_index": index, "key_check": check}
    revocation = state.signed_revocations.get(user_id)
    if revocation is not None:
        public["revocation"] = revocation
    entry = history_service.next_entry(state, workspace_id, MEMBER_REMOVED, public=public)
    remaining = sorted(member for member in history.active_members()
                       if member != user_id and not _revoked(state, history, member))
    return {"key_index": index, "log_entry": entry, "remaining": remaining,
            "grants": [_grant(state, keyring, member, index) for member in remaining]}


def _fields(request: Params) -> dict[str, Any]:
    fields = request.get("fields")
    if not isinstance(fields, dict):
        raise RequestError("parameter 'fields' must be an object")
    unknown = set(fields) - set(DOSSIER_FIELDS)
    if unknown:
        raise RequestError(f"unknown dossier fields: {sorted(unknown)}")
    checked = {name: value for name, value in dict(fields).items() if value is not None}
    if "result" in checked:
        checked["result"] = results.check_result(checked["result"])
    return checked


def save_dossier(state: WorkerState, request: Params) -> Reply:
    """The next version of a dossier, and the entry that records it in the history."""
    bundle = state.identity()
    workspace_id = params.text(request, "workspace_id")
    _authority(state, workspace_id, "contributor")
    document_id = request.get("document_id") or _new_id("d")
    version = int(request.get("expected_version") or 0) + 1
    manifest = seal_manifest(state.keyring(workspace_id), bundle.signing_key,
                             author=bundle.user_id, kind="dossier", document_id=document_id,
                             version=version, content=_fields(request))
    entry = history_service.document_entry(state, workspace_id, "dossier", document_id, version,
                                           manifest)
    return {"document_id": document_id, "version": version, "manifest": params.to_b64(manifest),
            "log_entry": entry}


def open_document(state: WorkerState, workspace_id: str, kind: str, document_id: str,
                  document: Params) -> ManifestVersion:
    """A document version the history records, decrypted and verified: the same bytes, by
    the author the history names, under the key current where it was recorded."""
    history = history_service.held(state, workspace_id).history
    version = document.get("version")
    if not isinstance(version, int):
        raise RequestError("each document needs its version")
    sealed = params.b64(document, "manifest")
    keyring = state.keyring(workspace_id)
    try:
        record = history.recorded(kind, document_id, version, sealed)
    except UnrecordedVersionError:
        _refuse_replay(sealed, keyring, state, kind, document_id, version)
        raise
    opened = open_manifest(sealed, keyring, kind=kind, document_id=document_id,
                           version=version, author_key=state.verify_key_of)
    if opened.author != record.author or opened.key_index != record.key_index:
        raise UnrecordedVersionError(
            f"{kind} {document_id} version {version} is not the one its history entry "
            f"{record.seq} recorded")
    return opened


def _refuse_replay(sealed: bytes, keyring: Keyring, state: WorkerState, kind: str,
                   document_id: str, version: int) -> None:
    """Name the substitution precisely when the bytes are an older version of the document
    served as this one (a replay); any other substitution keeps the history's reason."""
    try:
        open_manifest(sealed, keyring, kind=kind, document_id=document_id, version=version,
                      author_key=state.verify_key_of)
    except ReplayedVersionError:
        raise
    except CryptoError:
        return


def open_documents(state: WorkerState, request: Params, kind: str) -> tuple[
    list[tuple[str, ManifestVersion | None, str | None]], bool
]:
    """(document id, opened version or None, problem or None) for each listed document, and
    whether the server holds versions newer than the verified history (read it again).

    With `latest`, the listing claims to be each document's latest version: a version older
    than the history's is a rollback, and a recorded document missing from it is withheld
    (unless its latest version deletes it: the server forgets deleted files after a while);
    with `wanted` too (document ids: the listing asked for those only), a wanted one missing.
    With `versions_of` (a document id), it claims to be every version of that document: a
    recorded version missing from it is withheld."""
    workspace_id = params.text(request, "workspace_id")
    history = history_service.held(state, workspace_id).history
    latest = bool(request.get("latest"))
    results: list[tuple[str, ManifestVersion | None, str | None]] = []
    stale = False
    listed = set()
    listed_versions = set()
    for document in request.get("documents") or []:
        document = dict(document)
        document_id = params.text(document, "document_id")
        listed.add(document_id)
        listed_versions.add((document_id, document.get("version")))
        record = history.latest.get(document_id)
        version = document.get("version")
        if latest and isinstance(version, int) and (record is None or version > record.version):
            stale = True
        try:
            if latest and record is not None and isinstance(version, int) and (
                    version < record.version):
                raise RolledBackHistoryError(
                    f"{kind} {document_id} was rolled back: the server serves version "
                    f"{version}, but the workspace's history records version {record.version}")
            results.append((document_id, open_document(state, workspace_id, kind, document_id,
                                                       document), None))
        except CryptoError as error:
            results.append((document_id, None, str(error)))
    if latest:
        wanted = request.get("wanted")
        asked = history.latest if wanted is None else {
            str(document_id): history.latest.get(str(document_id)) for document_id in wanted}
        results.extend(
            (document_id, None, f"{kind} {document_id} (version {record.version}, recorded at "
             f"entry {record.seq}) is withheld by the server")
            for document_id, record in asked.items()
            if record is not None and record.kind == kind and not record.deleted
            and document_id not in listed)
    if request.get("versions_of") is not None:
        every = params.text(request, "versions_of")
        results.extend(
            (every, None, f"{kind} {every} version {version} (recorded at entry {record.seq}) "
             "is withheld by the server")
            for (document_id, version), record in sorted(history.versions.items())
            if document_id == every and record.kind == kind
            and (document_id, version) not in listed_versions)
    return results, stale


def read_dossiers(state: WorkerState, request: Params) -> Reply:
    """Each dossier decrypted and verified; one that fails says why instead of showing data."""
    dossiers = []
    results, stale = open_documents(state, request, "dossier")
    for document_id, opened, problem in results:
        if opened is None:
            dossiers.append({"document_id": document_id, "problem": problem})
            continue
        dossiers.append({"document_id": document_id, "version": opened.version,
                         "author": opened.author,
                         "author_name": state.display_name(opened.author),
                         "written_at": opened.written_at, "fields": opened.content,
                         "unconfirmed": history_service.unconfirmed_version(
                             state, params.text(request, "workspace_id"), document_id,
                             opened.version)})
    return {"dossiers": dossiers, "stale": stale}


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
    "dossier.save": save_dossier,
    "dossier.read": read_dossiers,
    "dossier.merge": merge_dossier,
}
