"""A workspace created by the organization's admin, with members of several roles.

Each write carries the log entry that records it, sealed and signed with the writer's own keys
as their crypto worker would (`seal_entry`), following the log the server serves: the log these
tests build is a history every member's browser verifies. Tests of the server's authorization
still send writes a worker would refuse to make: the server decides on roles alone.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.test import TestResponse

from pycrypto_wasm import hashing
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.random import random_id
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.signing import SigningKey, VerifyKey
from pycrypto_wasm.workspace import keys
from pycrypto_wasm.workspace.history import History, replay
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import GENESIS, entry_hash, seal_entry, verify_chain
from pycrypto_wasm.workspace.manifest import seal_manifest
from pycrypto_wasm.workspace.workflow import DEFAULT_WORKFLOW
from tests.api.identity.conftest import Organization, Person, config, organization  # noqa: F401

WORKSPACE_NAME = "Commission SSR — Nord-Sud"


@dataclass
class Member:
    """A member as their browser's worker holds them: their certified keys."""

    person: Person

    @property
    def signing(self) -> SigningKey:
        return self.person.signing_key

    @property
    def box(self) -> PrivateKey:
        assert self.person.bundle is not None
        return self.person.bundle.encryption_key


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _entry(keyring: Keyring, member: Member, seq: int, prev: bytes, kind: str,
           **fields: dict[str, Any] | None) -> dict[str, Any]:
    """Log entry `seq` as a write carries it (`{seq, kind, entry}`)."""
    sealed = seal_entry(keyring, member.signing, author=member.person.user_id, seq=seq,
                        prev=prev, kind=kind, **fields)
    return {"seq": seq, "kind": kind, "entry": to_b64(sealed)}


@dataclass
class Workspace:
    organization: Organization
    workspace_id: str
    owner: Member
    keyring: Keyring
    known: list[Member] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"/api/workspaces/{self.workspace_id}"

    def log(self) -> list[bytes]:
        """The log's entries as the server serves them."""
        listing = self.owner.person.client.get(f"{self.url}/log").json
        return [_unb64(entry["entry"]) for entry in listing["entries"]]

    def entry(self, member: Member, kind: str, *, seq: int | None = None,
              public: dict[str, Any] | None = None,
              content: dict[str, Any] | None = None) -> dict[str, Any]:
        """The entry `member` writes after the log's last one (or as entry `seq`)."""
        stored = self.log()
        return _entry(self.keyring, member, len(stored) + 1 if seq is None else seq,
                      entry_hash(stored[-1]) if stored else GENESIS, kind, public=public,
                      content=content)

    def history(self, member: Member) -> History:
        """The workspace's history as `member`'s browser verifies it from what is served."""
        client = member.person.client
        users = client.get("/api/directory").json["users"]
        directory = verify_directory(
            VerifyKey(self.organization.root_verify_key), self.organization.organization_id,
            {user["user_id"]: _unb64(user["certificate"]) for user in users},
            {user["user_id"]: _unb64(user["revocation"]) for user in users
             if user["revocation"]})
        stored = [_unb64(entry["entry"]) for entry in client.get(f"{self.url}/log").json[
            "entries"]]

        def author_key(user_id: str) -> VerifyKey:
            certificate = directory[user_id].certificate
            assert certificate is not None
            return VerifyKey(certificate.verify_key)

        entries = verify_chain(stored, organization=self.organization.organization_id,
                               workspace=self.workspace_id, author_key=author_key)
        return replay(entries, organization=self.organization.organization_id,
                      workspace=self.workspace_id, directory=directory)

    def grant(self, member: Member, index: int) -> dict[str, Any]:
        """Key `index` granted by the owner to `member`, as a write carries it."""
        return {"user_id": member.person.user_id, "key_index": index,
                "grant": to_b64(keys.grant(self.owner.signing, member.box.public_key,
                                           organization=self.organization.organization_id,
                                           workspace=self.workspace_id, index=index,
                                           key=self.keyring.key(index)))}

    def add(self, role: str, person: Person | None = None) -> Member:
        member = Member(person or self.organization.member())
        grants = [self.grant(member, index) for index in self.keyring.keys]
        response = self.owner.person.client.post(f"{self.url}/members", json={
            "user_id": member.person.user_id, "role": role, "grants": grants,
            "log_entry": self.entry(self.owner, "member_set",
                                    public={"user_id": member.person.user_id, "role": role})})
        assert response.status_code == 200, response.json
        self.known.append(member)
        return member

    def remove(self, member: Member) -> None:
        """The owner removes `member`, moving every other active member to the next key."""
        index, check = self.keyring.next_key()
        listed = {row["user_id"] for row in self.owner.person.client.get(self.url).json[
            "members"]} - {member.person.user_id}
        remaining = [other for other in self.known if other.person.user_id in listed]
        removal = self.entry(self.owner, "member_removed", public={
            "user_id": member.person.user_id, "key_index": index, "key_check": check})
        response = self.owner.person.client.delete(
            f"{self.url}/members/{member.person.user_id}",
            json={"grants": [self.grant(other, index) for other in remaining],
                  "log_entry": removal})
        assert response.status_code == 200, response.json
        self.keyring.current = index

    def keyring_of(self, member: Member) -> Keyring:
        """What `member` can read with: the keys granted to them, as served, each checked
        against the key check the history announced for it."""
        listing = member.person.client.get(self.url).json
        checks = self.history(member).key_checks
        ring = Keyring(self.organization.organization_id, self.workspace_id)
        for grant in listing["grants"]:
            ring.accept(_unb64(grant["grant"]), index=grant["key_index"],
                        granter=self.owner.signing.verify_key, recipient=member.box,
                        check=checks[grant["key_index"]])
        return ring

    def put(self, member: Member, document_id: str, version: int, content: dict[str, Any],
            kind: str = "dossier", keyring: Keyring | None = None,
            **body: Any) -> TestResponse:
        """Version `version` of a document, with the entry recording it; `body` adds to the
        request (a file's `block_ids`, `deleted`, a workspace manifest's `workflow`)."""
        sealed = seal_manifest(keyring or self.keyring, member.signing,
                               author=member.person.user_id, kind=kind, document_id=document_id,
                               version=version, content=content)
        recorded = {"version": version, "hash": hashing.blake2b(sealed)}
        if kind == "workspace":
            entry = self.entry(member, "settings", public={
                **recorded, "workflow": body.get("workflow", DEFAULT_WORKFLOW)})
        else:
            entry = self.entry(member, "document", public={
                **recorded, "document_id": document_id, "kind": kind,
                **({"deleted": True} if body.get("deleted") else {})})
        return member.person.client.put(f"{self.url}/documents/{document_id}", json={
            "kind": kind, "expected_version": version - 1, "manifest": to_b64(sealed),
            "log_entry": entry, **body})


def new_document_id() -> str:
    return f"d-{random_id()}"


def create_workspace(org: Organization) -> Workspace:
    """A new workspace whose owner is the organization's admin."""
    owner = Member(org.admin)
    workspace_id = f"w-{secrets.token_hex(12)}"
    keyring = Keyring.new(org.organization_id, workspace_id)
    grant = keys.grant(owner.signing, owner.box.public_key,
                       organization=org.organization_id, workspace=workspace_id,
                       index=0, key=keyring.key(0))
    manifest = seal_manifest(keyring, owner.signing, author=org.admin.user_id,
                             kind="workspace", document_id=workspace_id, version=1,
                             content={"name": WORKSPACE_NAME})
    created = _entry(keyring, owner, 1, GENESIS, "workspace_created", public={
        "key_check": keyring.check(0), "version": 1, "hash": hashing.blake2b(manifest),
        "workflow": DEFAULT_WORKFLOW})
    response = org.admin.client.post("/api/workspaces", json={
        "workspace_id": workspace_id, "key_grant": to_b64(grant), "manifest": to_b64(manifest),
        "log_entry": created})
    assert response.status_code == 201, response.json
    return Workspace(org, workspace_id, owner, keyring, [owner])


@pytest.fixture
def workspace(organization) -> Workspace:  # noqa: F811
    return create_workspace(organization)


def batch(blocks: list[tuple[str, bytes]]) -> bytes:
    """(block id, ciphertext) pairs framed as the browser uploads them: each block's raw id, its
    length (4 bytes, big-endian), its ciphertext."""
    return b"".join(bytes.fromhex(block_id) + len(data).to_bytes(4, "big") + data
                    for block_id, data in blocks)


def send_batch(member: Member, workspace_id: str, body: bytes):
    """A batch upload of `body` as it is, well-formed or not."""
    return member.person.client.post(f"/api/workspaces/{workspace_id}/blocks",
                                     data=body, content_type="application/octet-stream")


def upload_blocks(member: Member, workspace_id: str, blocks: list[tuple[str, bytes]]):
    return send_batch(member, workspace_id, batch(blocks))


def read_blocks(member: Member, workspace_id: str, block_ids: list[str]):
    return member.person.client.post(f"/api/workspaces/{workspace_id}/blocks/stream",
                                     json={"block_ids": block_ids})


def frames(body: bytes) -> list[bytes]:
    """The blocks of a streamed read, each framed by its length (4 bytes, big-endian)."""
    blocks = []
    while body:
        length = int.from_bytes(body[:4], "big")
        blocks.append(body[4:4 + length])
        body = body[4 + length:]
    return blocks
