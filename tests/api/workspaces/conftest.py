"""A workspace created by the organization's admin, with members of several roles."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field

import pytest

from pycrypto_wasm.random import random_id
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace import keys
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.manifest import seal_manifest
from tests.api.identity.conftest import Organization, Person, config, organization  # noqa: F401

WORKSPACE_NAME = "Commission SSR — Nord-Sud"


@dataclass
class Member:
    person: Person
    signing: SigningKey = field(default_factory=SigningKey.generate)
    box: PrivateKey = field(default_factory=PrivateKey.generate)


@dataclass
class Workspace:
    organization: Organization
    workspace_id: str
    owner: Member
    keyring: Keyring

    def add(self, role: str, person: Person | None = None) -> Member:
        member = Member(person or self.organization.member())
        grants = [{"user_id": member.person.user_id, "key_index": index,
                   "grant": to_b64(keys.grant(self.owner.signing, member.box.public_key,
                                              organization=self.organization.organization_id,
                                              workspace=self.workspace_id, index=index,
                                              key=key))}
                  for index, key in self.keyring.keys.items()]
        response = self.owner.person.client.post(
            f"/api/workspaces/{self.workspace_id}/members",
            json={"user_id": member.person.user_id, "role": role,
                  "role_certificate": to_b64(b"role:" + role.encode()), "grants": grants})
        assert response.status_code == 200, response.json
        return member

    def keyring_of(self, member: Member) -> Keyring:
        """What `member` can read with: the keys granted to them, as served."""
        listing = member.person.client.get(f"/api/workspaces/{self.workspace_id}").json
        ring = Keyring(self.organization.organization_id, self.workspace_id)
        for grant in listing["grants"]:
            ring.accept(_unb64(grant["grant"]), index=grant["key_index"],
                        granter=self.owner.signing.verify_key, recipient=member.box)
        return ring

    def put(self, member: Member, document_id: str, version: int, content: dict,
            kind: str = "dossier", keyring: Keyring | None = None):
        sealed = seal_manifest(keyring or self.keyring, member.signing,
                               author=member.person.user_id, kind=kind, document_id=document_id,
                               version=version, content=content)
        return member.person.client.put(
            f"/api/workspaces/{self.workspace_id}/documents/{document_id}",
            json={"kind": kind, "expected_version": version - 1, "manifest": to_b64(sealed)})


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


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
    response = org.admin.client.post("/api/workspaces", json={
        "workspace_id": workspace_id, "role_certificate": to_b64(b"role:owner"),
        "key_grant": to_b64(grant), "manifest": to_b64(manifest)})
    assert response.status_code == 201, response.json
    return Workspace(org, workspace_id, owner, keyring)


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
