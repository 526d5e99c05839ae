"""A member's browser in CPython: their session with the real server (a Flask test client) and
their crypto worker (the same `pycrypto_wasm` service the page runs under Pyodide), driven the
way web/workspaces.js, web/log.js and web/files.js drive them. It remembers the heads it
verified and its checkpoints of each history, as the page does in IndexedDB, unless told to
forget (a wiped workstation profile).
"""

from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient

from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.webcrypto_blocks import associated_data
from tests.api.identity.conftest import Person
from tests.crossruntime.vectors import seal_webcrypto_block


class WorkerError(Exception):
    def __init__(self, error: dict[str, str]) -> None:
        super().__init__(f"{error['code']}: {error['message']}")
        self.code = error["code"]
        self.message = error["message"]


class ServerError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None


@dataclass
class MemberBrowser:
    person: Person
    worker: CryptoService = field(default_factory=CryptoService)
    remembered: dict[str, dict[str, Any]] = field(default_factory=dict)
    remembered_revocations: dict[str, str] = field(default_factory=dict)
    # My checkpoint of each workspace's history ({seq, sealed}), as web/history-memory.js keeps.
    checkpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    # How many log entries the server served this browser (to tell what an open fetched).
    entries_fetched: int = 0
    # With no remembered head, the page asks before the first write; these browsers answer it
    # as a user who goes on knowingly, unless a test says otherwise (hole 5's tests).
    goes_on_knowingly: bool = True

    def __post_init__(self) -> None:
        """Unlock the worker as a passkey sign-in does, then verify the directory."""
        self.call("identity.unlock_with_passkey", wrapped_bundle=self.person.wrapped_for(),
                  prf_output=self.person.authenticator.prf_output(None),
                  organization_id=self.person.organization_id, user_id=self.user_id)
        self.verify_directory()

    @property
    def client(self) -> FlaskClient:
        return self.person.client

    @property
    def user_id(self) -> str:
        return self.person.user_id

    def call(self, method: str, **request: Any) -> dict[str, Any]:
        reply = self.worker.handle(method, request)
        if not reply["ok"]:
            raise WorkerError(reply["error"])
        return reply["result"]

    def api(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.open(path, method=method, json=body)
        if response.status_code >= 400:
            raise ServerError(response.status_code, response.json)
        return response.json

    def all_pages(self, path: str, field: str) -> list[Any]:
        """Every row (`field`) of a list the server pages, following `next` as web/api.js
        `allPages` does."""
        first = self.api("GET", path)
        rows = list(first[field])
        separator = "&" if "?" in path else "?"
        next_cursor = first["next"]
        while next_cursor:
            page = self.api("GET", f"{path}{separator}{urlencode({'cursor': next_cursor})}")
            rows += page[field]
            next_cursor = page["next"]
        return rows

    def forget(self) -> None:
        """A fresh profile: no remembered heads nor revocations."""
        self.remembered.clear()
        self.remembered_revocations.clear()
        self.checkpoints.clear()

    # identity ---------------------------------------------------------------------------------
    def verify_directory(self) -> list[dict[str, Any]]:
        users = self.all_pages("/api/directory", "users")
        verified = self.call("directory.verify", users=users,
                             remembered_revocations=self.remembered_revocations)
        self.remembered_revocations.update(verified["revocations"])
        return verified["users"]

    # workspaces -------------------------------------------------------------------------------
    def create_workspace(self, name: str) -> str:
        created = self.call("workspace.create", name=name)
        self.api("POST", "/api/workspaces", {
            "workspace_id": created["workspace_id"], "manifest": created["manifest"],
            "key_grant": created["key_grant"],
            "log_entry": {"seq": 1, "kind": "workspace_created", "entry": created["log_entry"]}})
        return created["workspace_id"]

    def log_entries(self, workspace_id: str, after: int = 0) -> list[dict[str, Any]]:
        """The log after entry `after`, page after page from the last entry read, as
        web/log.js `readLog` reads it."""
        entries: list[dict[str, Any]] = []
        while True:
            page = self.api("GET", f"/api/workspaces/{workspace_id}/log?after="
                            f"{entries[-1]['seq'] if entries else after}")
            entries += page["entries"]
            if page["next"] is None or not page["entries"]:
                break
        self.entries_fetched += len(entries)
        return entries

    def _opened(self, request: dict[str, Any]) -> dict[str, Any]:
        """`workspace.open` from my checkpoint of the history (the log from its head on), or,
        without one, of the whole log; when the worker cannot go on from it, of the whole log
        with the checkpoint (the history must still reach its head), which is dropped if the
        history verifies and none comes in its place."""
        workspace_id = request["workspace_id"]
        checkpoint = self.checkpoints.get(workspace_id)
        if checkpoint is None:
            return self.call("workspace.open", **request, entries=self.log_entries(workspace_id))
        try:
            return self.call("workspace.open", **request, checkpoint=checkpoint,
                             entries=self.log_entries(workspace_id, checkpoint["seq"] - 1))
        except WorkerError as error:
            if error.code != "checkpoint_unusable":
                raise
        opened = self.call("workspace.open", **request, checkpoint=checkpoint, whole=True,
                           entries=self.log_entries(workspace_id))
        if opened["chain"]["verified"] and not opened["chain"]["checkpoint"]:
            del self.checkpoints[workspace_id]
        return opened

    def open(self, workspace_id: str) -> dict[str, Any]:
        """Open the workspace as the page does: the directory, the workspace's listing, its
        log (from my checkpoint on, if I keep one), the manifest version the log records."""
        self.verify_directory()
        listing = self.api("GET", f"/api/workspaces/{workspace_id}")
        request = {"workspace_id": workspace_id, "grants": listing["grants"],
                   "manifest": listing["manifest"],
                   "manifest_version": listing["manifest_version"],
                   "remembered": self.remembered.get(workspace_id)}
        opened = self._opened(request)
        if "wants_manifest" in opened:
            wanted = opened["wants_manifest"]
            try:
                version = self.api("GET", f"/api/workspaces/{workspace_id}/documents/"
                                   f"{workspace_id}/versions/{wanted}")
            except ServerError as error:
                if error.status != 404:
                    raise
                version = {"manifest": None, "version": wanted}
            opened = self._opened({**request, "manifest": version["manifest"],
                                   "manifest_version": version["version"]})
        if self.goes_on_knowingly and not self.call("freshness.status",
                                                     workspace_id=workspace_id)["fresh"]:
            self.call("freshness.proceed", workspace_id=workspace_id)
        self._remember(workspace_id, opened["chain"])
        return opened

    def _remember(self, workspace_id: str, chain: dict[str, Any]) -> None:
        """As web/log.js does: the verified head (with the revocations known at it and my own
        state's version), and the revocations the history carries."""
        self.remembered_revocations.update(chain["revocations"])
        if chain["verified"]:
            self.remembered[workspace_id] = chain["head"]
        if chain["checkpoint"]:
            self.checkpoints[workspace_id] = chain["checkpoint"]

    def own_state(self, workspace_id: str) -> dict[str, Any]:
        """My own state (read markers) as the server serves it, opened by the worker after the
        history, as web/log.js does."""
        stored = self.api("GET", f"/api/workspaces/{workspace_id}/my-state")
        return self.call("own_state.open", workspace_id=workspace_id, **stored)

    def mark_read(self, workspace_id: str, dossier_id: str, seq: int) -> dict[str, Any]:
        sealed = self.call("own_state.mark_read", workspace_id=workspace_id,
                           dossier_id=dossier_id, seq=seq)
        self.api("PUT", f"/api/workspaces/{workspace_id}/my-state", sealed)
        if workspace_id in self.remembered:
            head = self.remembered[workspace_id]
            head["own_state"] = max(head.get("own_state", 0), sealed["version"])
        return self.call("own_state.open", workspace_id=workspace_id, **sealed)

    def read_log(self, workspace_id: str) -> dict[str, Any]:
        self.verify_directory()
        read = self.call("log.read", workspace_id=workspace_id,
                         entries=self.log_entries(workspace_id),
                         remembered=self.remembered.get(workspace_id),
                         today=datetime.date.today().isoformat())
        self._remember(workspace_id, read["chain"])
        return read

    def _write(self, workspace_id: str, make: Any) -> Any:
        """Seal and send a write; if the log moved meanwhile, read it again and retry."""
        for _ in range(4):
            try:
                return make()
            except (ServerError, WorkerError) as error:
                if error.code != "stale_log":
                    raise
                self.read_log(workspace_id)
        raise AssertionError("the log kept moving")

    def share(self, workspace_id: str, user_id: str, role: str) -> None:
        def send() -> None:
            shared = self.call("workspace.share", workspace_id=workspace_id, user_id=user_id,
                               role=role)
            self.api("POST", f"/api/workspaces/{workspace_id}/members", {
                "user_id": user_id, "role": role, "grants": shared["grants"],
                "log_entry": shared["log_entry"]})
        self._write(workspace_id, send)
        self.open(workspace_id)

    def unshare(self, workspace_id: str, user_id: str) -> None:
        def send() -> None:
            rotated = self.call("workspace.unshare", workspace_id=workspace_id, user_id=user_id)
            self.api("DELETE", f"/api/workspaces/{workspace_id}/members/{user_id}", {
                "grants": rotated["grants"], "log_entry": rotated["log_entry"]})
        self._write(workspace_id, send)
        self.open(workspace_id)

    def save_settings(self, workspace_id: str, name: str, workflow: dict[str, Any]) -> None:
        def send() -> None:
            sealed = self.call("workspace.save_settings", workspace_id=workspace_id, name=name,
                               workflow=workflow)
            self.api("PUT", f"/api/workspaces/{workspace_id}/documents/{workspace_id}", {
                "kind": "workspace", "expected_version": sealed["version"] - 1,
                "manifest": sealed["manifest"], "workflow": sealed["workflow"],
                "log_entry": sealed["log_entry"]})
        self._write(workspace_id, send)
        self.read_log(workspace_id)

    # dossiers ---------------------------------------------------------------------------------
    def save_dossier(self, workspace_id: str, fields: dict[str, Any],
                     document_id: str | None = None, expected: int = 0) -> dict[str, Any]:
        def send() -> dict[str, Any]:
            sealed = self.call("dossier.save", workspace_id=workspace_id,
                               document_id=document_id, expected_version=expected,
                               fields=fields)
            self.api("PUT", f"/api/workspaces/{workspace_id}/documents/{sealed['document_id']}",
                     {"kind": "dossier", "expected_version": expected,
                      "manifest": sealed["manifest"], "log_entry": sealed["log_entry"]})
            return sealed
        saved = self._write(workspace_id, send)
        self.read_log(workspace_id)
        return saved

    def dossiers(self, workspace_id: str) -> dict[str, dict[str, Any]]:
        """The dossier list as the page shows it, by id (fields, or the problem instead)."""
        documents = self.all_pages(f"/api/workspaces/{workspace_id}/documents?kind=dossier",
                                   "documents")
        read = self.call("dossier.read", workspace_id=workspace_id, documents=documents,
                         latest=True)
        if read["stale"]:
            self.read_log(workspace_id)
            read = self.call("dossier.read", workspace_id=workspace_id, documents=documents,
                             latest=True)
        return {dossier["document_id"]: dossier for dossier in read["dossiers"]}

    def append(self, workspace_id: str, kind: str, content: dict[str, Any]) -> int:
        def send() -> int:
            entry = self.call("log.append", workspace_id=workspace_id, kind=kind,
                              content=content)
            return int(self.api("POST", f"/api/workspaces/{workspace_id}/log", entry)["seq"])
        seq = self._write(workspace_id, send)
        self.read_log(workspace_id)
        return seq

    # files ------------------------------------------------------------------------------------
    def upload(self, workspace_id: str, name: str, data: bytes,
               dossier_id: str | None = None, *, block_format: int = 1) -> str:
        """Upload a file in block format 1 (libsodium, sealed by the worker's Python) or 2
        (AES-GCM, sealed as the worker's WebCrypto does, here by CPython's `cryptography`)."""
        begun = self.call("file.begin_upload", workspace_id=workspace_id, name=name,
                          mime="application/pdf", size=len(data), dossier_id=dossier_id)
        file_id = begun["file_id"]
        seal = self._seal_format_2(file_id, begun["block_count"]) if block_format == 2 \
            else self._seal_format_1(file_id)
        frames = b""
        for index in range(begun["block_count"]):
            block_id, ciphertext = seal(index, data[index * BLOCK_SIZE:(index + 1) * BLOCK_SIZE])
            frames += block_id + len(ciphertext).to_bytes(4, "big") + ciphertext
        response = self.client.post(f"/api/workspaces/{workspace_id}/blocks", data=frames,
                                    content_type="application/octet-stream")
        assert response.status_code < 300, response.json

        def send() -> None:
            finished = self.call("file.finish_upload", file_id=file_id)
            self.api("PUT", f"/api/workspaces/{workspace_id}/documents/{file_id}", {
                "kind": "file", "expected_version": 0, "manifest": finished["manifest"],
                "block_ids": finished["block_ids"], "log_entry": finished["log_entry"]})
        self._write(workspace_id, send)
        self.call("file.end_transfer", file_id=file_id)
        self.read_log(workspace_id)
        return file_id

    def _seal_format_1(self, file_id: str) -> Any:
        def seal(index: int, plaintext: bytes) -> tuple[bytes, bytes]:
            block = self.call("file.encrypt_block", file_id=file_id, index=index,
                              data=plaintext)
            return bytes.fromhex(block["block_id"]), bytes(block["ciphertext"])
        return seal

    def _seal_format_2(self, file_id: str, count: int) -> Any:
        layout = self.call("file.upload_layout", file_id=file_id)

        def seal(index: int, plaintext: bytes) -> tuple[bytes, bytes]:
            key = os.urandom(32)
            ciphertext = seal_webcrypto_block(
                plaintext, key=key, nonce=os.urandom(12), prefix=layout["prefix"], index=index,
                padded_size=layout["last_padded_size"] if index == count - 1
                else len(plaintext))
            digest = hashlib.sha256(ciphertext).digest()
            self.call("file.record_block", file_id=file_id, index=index, key=key,
                      digest=digest)
            return digest, ciphertext
        return seal

    def download(self, workspace_id: str, file_id: str) -> bytes:
        """The file's bytes as the page saves them: its latest verified version's blocks read
        from the server in one streamed request, each checked and decrypted (format 1 by the
        worker's Python, format 2 as its WebCrypto does)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # CPython only

        document = next(row for row in self.all_pages(
            f"/api/workspaces/{workspace_id}/documents?kind=file", "documents")
            if row["document_id"] == file_id)
        begun = self.call("file.begin_download", **{**document, "workspace_id": workspace_id})
        keys = self.call("file.download_keys", file_id=begun["file_id"])
        streamed = self.client.post(f"/api/workspaces/{workspace_id}/blocks/stream",
                                    json={"block_ids": begun["block_ids"]})
        assert streamed.status_code == 200, streamed.json
        body, parts = streamed.data, []
        for index, block in enumerate(keys["blocks"]):
            length = int.from_bytes(body[:4], "big")
            ciphertext, body = body[4:4 + length], body[4 + length:]
            if block["format"] == 1:
                parts.append(bytes(self.call("file.decrypt_block", file_id=begun["file_id"],
                                             index=index, ciphertext=ciphertext)["data"]))
                continue
            assert hashlib.sha256(ciphertext).digest() == bytes(block["digest"])
            padded = AESGCM(bytes(block["key"])).decrypt(
                ciphertext[1:13], ciphertext[13:],
                associated_data(bytes(keys["prefix"]), index))
            parts.append(padded[:block["size"]])
        self.call("file.end_transfer", file_id=begun["file_id"])
        return b"".join(parts)

    def files(self, workspace_id: str) -> dict[str, dict[str, Any]]:
        documents = self.all_pages(f"/api/workspaces/{workspace_id}/documents?kind=file",
                                   "documents")
        described = self.call("file.describe", workspace_id=workspace_id, documents=documents,
                              latest=True)
        return {file["document_id"]: file for file in described["files"]}

    # what an insider colluding with the server holds ------------------------------------------
    def stolen_keys(self, workspace_id: str) -> tuple[SigningKey, Keyring]:
        """This member's signing key and workspace keys, as a removed or malicious member keeps
        them to forge writes through a server that helps."""
        state = self.worker._state
        assert self.person.bundle is not None
        return self.person.bundle.signing_key, state.keyrings[workspace_id]
