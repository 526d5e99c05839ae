"""The exported log file, and its verification against the organization's root verify key.

File (JSON), format "paravent-audit-log" version 1: the organization and workspace ids, the root
verify key, every member's signed certificate (and revocation), and the log's entries as stored,
in order, each base64url. Verifying needs no secret and no server: the certificates are checked
against the root key, each entry's signature against its author's certificate, the hash
chain from the first entry to the last, and each author's authority at their entry's place in
the workspace's history (membership, roles, keys, revocations: `workspace/history.py`).
Entries stay encrypted: the verifier proves who wrote what and in which order, not what it
says.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pycrypto_wasm.exceptions import CryptoError, MalformedError
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.signing import VerifyKey
from pycrypto_wasm.workspace.history import replay
from pycrypto_wasm.workspace.log import BrokenChainError, verify_chain

FORMAT = "paravent-audit-log"
VERSION = 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise MalformedError(f"{what} is not base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as error:
        raise MalformedError(f"{what} is not base64url text") from error


def export_document(*, organization: str, workspace: str, root_verify_key: VerifyKey,
                    certificates: Mapping[str, bytes], revocations: Mapping[str, bytes],
                    entries: list[bytes]) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": VERSION,
        "organization": organization, "workspace": workspace,
        "root_verify_key": _b64(root_verify_key.key),
        "certificates": {user: _b64(signed) for user, signed in certificates.items()},
        "revocations": {user: _b64(signed) for user, signed in revocations.items()},
        "entries": [_b64(entry) for entry in entries],
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


@dataclass(frozen=True)
class Verification:
    organization: str
    workspace: str
    root_fingerprint: str
    entries: int
    verified_entries: int
    head: str | None
    authors: dict[str, str]
    problem: str | None
    broken_at: int | None
    forgeries: tuple[str, ...] = ()
    # Entries by users revoked since whose order before the revocation nothing confirms.
    unconfirmed: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return self.problem is None and not self.forgeries


def _mapping(document: dict[str, Any], name: str) -> dict[str, bytes]:
    value = document.get(name) or {}
    if not isinstance(value, dict):
        raise MalformedError(f"'{name}' must map user ids to signed certificates")
    return {str(user): _unb64(signed, f"{name}[{user}]") for user, signed in value.items()}


def verify_export(document: Any, pinned_root: str | None = None) -> Verification:
    """Checks an exported log; `pinned_root` (a fingerprint) must match its root key if given."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise MalformedError(f"this is not a {FORMAT} file")
    if document.get("version") != VERSION:
        raise MalformedError(f"{FORMAT} version {document.get('version')} is not supported")
    organization, workspace = document.get("organization"), document.get("workspace")
    if not isinstance(organization, str) or not isinstance(workspace, str):
        raise MalformedError("the file names no organization or workspace")
    root = VerifyKey(_unb64(document.get("root_verify_key"), "root_verify_key"))
    if pinned_root is not None and pinned_root.replace(" ", "") != root.fingerprint().replace(
            " ", ""):
        raise CryptoError(f"the file's root key {root.fingerprint()} is not the one expected")
    directory = verify_directory(root, organization, _mapping(document, "certificates"),
                                 _mapping(document, "revocations"))
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        raise MalformedError("'entries' must list the log's entries")
    entries = [_unb64(entry, f"entry {n}") for n, entry in enumerate(raw_entries, start=1)]

    def author_key(user_id: str) -> VerifyKey:
        entry = directory.get(user_id)
        if entry is None or entry.certificate is None:
            raise CryptoError(f"its author {user_id} has no certificate valid under the root key")
        return VerifyKey(entry.certificate.verify_key)

    problem, broken_at = None, None
    try:
        verified = verify_chain(entries, organization=organization, workspace=workspace,
                                author_key=author_key)
    except BrokenChainError as error:
        problem, broken_at = str(error), error.position
        verified = verify_chain(entries[:error.position - 1], organization=organization,
                                workspace=workspace, author_key=author_key)
    history = replay(verified, organization=organization, workspace=workspace,
                     directory=directory)
    authors = {entry.author: directory[entry.author].certificate.display_name
               for entry in verified if directory[entry.author].certificate is not None}
    return Verification(organization, workspace, root.fingerprint(), len(entries), len(verified),
                        verified[-1].hash.hex() if verified else None, authors, problem,
                        broken_at,
                        tuple(forgery.describe() for forgery in history.forgeries.values()),
                        tuple(unconfirmed.describe(authors.get(unconfirmed.author,
                                                               unconfirmed.author))
                              for unconfirmed in history.unconfirmed.values()))
