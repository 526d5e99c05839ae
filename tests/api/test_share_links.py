"""Download links through the real API, made and opened with pycrypto_wasm as the sharer's and
the recipient's pages make and open them: a wrong password gets no bytes, the right one gets the
file's blocks, which decrypt to the shared bytes; expiry, revocation and the last download end a
link with their own 410 and alert its sharer; wrong passwords are limited per link; the policy
refuses what it forbids."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

import pytest

from api import create_app
from api.config import REPO_ROOT
from api.identity.sessions import COOKIE
from api.storage.pool import get_store
from pycrypto_wasm.random import random_id
from pycrypto_wasm.service.params import from_b64, to_b64
from pycrypto_wasm.workspace import share_links
from pycrypto_wasm.workspace.blocks import decrypt_block, encrypt_block
from tests.api.conftest import same_origin_client
from tests.api.workspaces.conftest import (  # noqa: F401
    Member,
    Workspace,
    config,
    frames,
    organization,
    upload_blocks,
    workspace,
)

PLAINTEXT = b"Compte rendu d'hospitalisation, page 1. " * 100
PASSWORD = "Crème brûlée 2026"


@dataclass
class Shared:
    workspace: Workspace
    link_id: str
    fragment: bytes
    header: bytes | None
    body: dict[str, Any]

    @property
    def url(self) -> str:
        return f"/api/share-links/{self.link_id}"


def _share(workspace: Workspace, member: Member, *, password: str | None = PASSWORD,  # noqa: F811
           max_downloads: int = 3, days: float = 2, **changes: Any):
    """`member` shares a one-block file of the workspace; (what was shared, the reply)."""
    organization_id = workspace.organization.organization_id
    file_id = f"f-{random_id()[:24]}"
    ref, ciphertext = encrypt_block(PLAINTEXT, organization=organization_id,
                                    workspace=workspace.workspace_id, file_id=file_id, index=0)
    assert upload_blocks(workspace.owner, workspace.workspace_id,
                         [(ref.block_id, ciphertext)]).status_code == 201
    link_id = f"l-{random_id()[:24]}"
    payload = share_links.LinkPayload("Pour le Dr Martin", "none", organization_id,
                                      workspace.workspace_id, [share_links.SharedFile(
                                          file_id, 1, "cr.pdf", "application/pdf",
                                          len(PLAINTEXT), [ref])])
    made = share_links.new_link(link_id, payload, password)
    copy = share_links.seal_sharer_copy(
        workspace.keyring.key(workspace.keyring.current), organization=organization_id,
        workspace=workspace.workspace_id, link_id=link_id,
        copy=share_links.SharerCopy(made.fragment, made.link_key, payload.label, ["cr.pdf"]))
    body = {"link_id": link_id, "expires_at": int(time.time() + days * 86400),
            "max_downloads": max_downloads,
            "password_header": to_b64(made.password_header) if made.password_header else None,
            "verifier": to_b64(made.verifier), "key_box": to_b64(made.key_box),
            "payload": to_b64(made.payload), "sharer_copy": to_b64(copy),
            "key_index": workspace.keyring.current, "block_ids": [ref.block_id], **changes}
    reply = member.person.client.post(f"{workspace.url}/share-links", json=body)
    return Shared(workspace, link_id, made.fragment, made.password_header, body), reply


@pytest.fixture
def shared(workspace) -> Shared:  # noqa: F811
    made, reply = _share(workspace, workspace.owner)
    assert reply.status_code == 201, reply.json
    return made


@pytest.fixture
def recipient(workspace):  # noqa: F811
    """A browser with no account."""
    return workspace.organization.person().client


def _proof(shared: Shared, password: str | None = PASSWORD) -> str:
    keys = share_links.recipient_keys(shared.link_id, shared.fragment, shared.header, password)
    return to_b64(keys.proof)


def _download(shared: Shared, recipient, password: str | None = PASSWORD) -> bytes:
    """As the recipient's page does: open the link, take a download ticket, read the blocks."""
    opened = recipient.post(f"{shared.url}/open", json={"proof": _proof(shared, password)})
    assert opened.status_code == 200, opened.json
    ticket = recipient.post(f"{shared.url}/downloads", json={"proof": _proof(shared, password)})
    assert ticket.status_code == 201, ticket.json
    stream = recipient.post(f"{shared.url}/blocks/stream", json={
        "ticket": ticket.json["ticket"], "block_ids": shared.body["block_ids"]})
    assert stream.status_code == 200, stream.json
    return _plaintext(shared, opened.json, frames(stream.data)[0], password)


def _plaintext(shared: Shared, opened: dict[str, Any], ciphertext: bytes,
               password: str | None) -> bytes:
    keys = share_links.recipient_keys(shared.link_id, shared.fragment, shared.header, password)
    link_key = share_links.open_key_box(keys.wrapping_key, shared.link_id,
                                        share_links_b64(opened["key_box"]))
    payload = share_links.open_payload(link_key, shared.link_id,
                                       share_links_b64(opened["payload"]))
    shared_file = payload.files[0]
    return decrypt_block(shared_file.blocks[0], ciphertext, organization=payload.organization,
                         workspace=payload.workspace, file_id=shared_file.file_id, index=0)


def share_links_b64(text: str) -> bytes:
    return from_b64(text, "test value")


def _notified(workspace: Workspace, member: Member) -> list[dict[str, Any]]:  # noqa: F811
    listed = member.person.client.get("/api/notifications").json["notifications"]
    return [n for n in listed if n["kind"] == "link_ended"]


def test_a_wrong_password_gets_no_bytes_and_the_right_one_the_shared_bytes(shared, recipient):
    state = recipient.get(shared.url)
    assert state.status_code == 200 and state.json["password_header"]
    for path in ("open", "downloads"):
        wrong = recipient.post(f"{shared.url}/{path}",
                               json={"proof": _proof(shared, "crème brûlée 2026")})
        assert wrong.status_code == 403 and wrong.json["error"]["code"] == "wrong_password"
        assert set(wrong.json) == {"error"}
    assert recipient.post(f"{shared.url}/blocks/stream", json={
        "ticket": "1.99999999999.forged", "block_ids": shared.body["block_ids"]}).status_code == 403
    assert _download(shared, recipient) == PLAINTEXT
    listed = shared.workspace.owner.person.client.get(f"{shared.workspace.url}/share-links")
    link = next(item for item in listed.json["links"] if item["link_id"] == shared.link_id)
    assert [access["event"] for access in link["accesses"]] == [
        "wrong_password", "wrong_password", "opened", "download"]
    assert link["downloads"] == 1 and link["password"] is True and link["mine"] is True


def test_a_link_without_password_still_needs_its_fragment(workspace, recipient):  # noqa: F811
    made, reply = _share(workspace, workspace.owner, password=None)
    assert reply.status_code == 201, reply.json
    assert recipient.get(made.url).json["password_header"] is None
    guessed = to_b64(bytes(32))
    assert recipient.post(f"{made.url}/open", json={"proof": guessed}).status_code == 403
    assert _download(made, recipient, password=None) == PLAINTEXT


def test_the_last_download_exhausts_the_link_and_alerts_its_sharer(workspace, recipient):  # noqa: F811
    sharer = workspace.add("contributor")
    made, reply = _share(workspace, sharer, max_downloads=1)
    assert reply.status_code == 201, reply.json
    assert _download(made, recipient) == PLAINTEXT
    for path, method in (("", "get"), ("/open", "post"), ("/downloads", "post")):
        ended = getattr(recipient, method)(f"{made.url}{path}", json={"proof": _proof(made)})
        assert ended.status_code == 410 and ended.json["error"]["code"] == "link_exhausted"
    [alert] = _notified(workspace, sharer)
    assert alert["item_id"] == made.link_id and alert["workspace_id"] == workspace.workspace_id


def test_an_expired_link_gives_its_page_and_alerts_its_sharer(shared, recipient):
    app = shared.workspace.organization.app
    with app.app_context():
        get_store().db.execute("update share_links set expires_at = ? where id = ?",
                               [time.time() - 1, shared.link_id])
    ended = recipient.get(shared.url)
    assert ended.status_code == 410 and ended.json["error"]["code"] == "link_expired"
    assert _notified(shared.workspace, shared.workspace.owner)


def test_a_revoked_link_gives_no_more_bytes_even_to_a_ticket(shared, recipient):
    ticket = recipient.post(f"{shared.url}/downloads", json={"proof": _proof(shared)}).json
    owner = shared.workspace.owner.person.client
    revoked = owner.delete(f"{shared.workspace.url}/share-links/{shared.link_id}")
    assert revoked.status_code == 200 and revoked.json["ended_reason"] == "revoked"
    for path in ("/open", "/blocks/stream"):
        ended = recipient.post(f"{shared.url}{path}", json={
            "proof": _proof(shared), "ticket": ticket["ticket"],
            "block_ids": shared.body["block_ids"]})
        assert ended.status_code == 410 and ended.json["error"]["code"] == "link_revoked"
    assert not _notified(shared.workspace, shared.workspace.owner)  # they revoked it themselves


def test_only_its_sharer_or_a_manager_revokes_a_link(shared):
    other = shared.workspace.add("contributor")
    url = f"{shared.workspace.url}/share-links/{shared.link_id}"
    assert other.person.client.delete(url).status_code == 403
    manager = shared.workspace.add("manager")
    assert manager.person.client.delete(url).status_code == 200
    assert _notified(shared.workspace, shared.workspace.owner)


def test_wrong_passwords_are_limited_per_link(shared, recipient):
    codes = [recipient.post(f"{shared.url}/open", json={"proof": to_b64(bytes(32))}).status_code
             for _ in range(7)]
    assert codes[:5] == [403] * 5 and codes[5:] == [429, 429]


def test_a_link_reads_only_its_own_blocks(shared, recipient):
    other, reply = _share(shared.workspace, shared.workspace.owner)
    assert reply.status_code == 201
    ticket = recipient.post(f"{shared.url}/downloads", json={"proof": _proof(shared)}).json
    stolen = recipient.post(f"{shared.url}/blocks/stream", json={
        "ticket": ticket["ticket"], "block_ids": other.body["block_ids"]})
    assert stolen.status_code == 404


def test_the_policy_refuses_what_it_forbids(workspace):  # noqa: F811
    admin = workspace.organization.admin.client
    policy = {"links": True, "dropboxes": True, "max_days": 7, "password_required": True,
              "watermark_required": False}
    assert admin.put("/api/policy", json=policy).status_code == 200
    for options, words in [({"password": None}, "requires a password"),
                           ({"days": 8}, "at most 7 days")]:
        _, refused = _share(workspace, workspace.owner, **options)
        assert refused.status_code == 403, refused.json
        assert words in refused.json["error"]["message"]
    assert admin.put("/api/policy", json={**policy, "links": False}).status_code == 200
    _, refused = _share(workspace, workspace.owner)
    assert refused.json["error"]["code"] == "policy_forbids"


@pytest.mark.parametrize("change", [{"max_downloads": 0}, {"link_id": "l-1"},
                                    {"block_ids": ["zz"]}, {"verifier": "AAAA"},
                                    {"expires_at": 5}])
def test_bad_links_are_refused(workspace, change):  # noqa: F811
    _, reply = _share(workspace, workspace.owner, **change)
    assert reply.status_code == 400, reply.json


def test_readers_cannot_share_and_strangers_see_nothing(shared, recipient):
    reader = shared.workspace.add("reader")
    _, refused = _share(shared.workspace, reader)
    assert refused.status_code == 403
    assert recipient.get(f"/api/share-links/l-{'0' * 24}").status_code == 404


def test_backup_and_restore_carry_links_their_accesses_and_policies(shared, recipient,
                                                                    config, tmp_path):  # noqa: F811
    """A restored deployment still serves the link (to the same proof, the same bytes), its
    access list, and the sharing policies."""
    admin = shared.workspace.organization.admin.client
    policy = {"links": True, "dropboxes": False, "max_days": 30, "password_required": True,
              "watermark_required": False, "external_files": "preview_only"}
    assert admin.put("/api/policy", json=policy).status_code == 200
    assert _download(shared, recipient) == PLAINTEXT
    flags = ["--database", config.database] if config.database else []
    _command("--data", str(config.data_dir), *flags, "backup", str(tmp_path / "backup"))
    target = replace(config, data_dir=tmp_path / "restored", database=None, blocks=None)
    _command("--data", str(target.data_dir), "restore", str(tmp_path / "backup"))
    restored = create_app(target)
    client = same_origin_client(restored)
    moved = Shared(shared.workspace, shared.link_id, shared.fragment, shared.header, shared.body)
    assert _download(moved, client) == PLAINTEXT
    owner = same_origin_client(restored)
    owner.set_cookie(COOKIE, shared.workspace.owner.person.client.get_cookie(COOKIE).value)
    assert owner.get("/api/policy").json == policy
    [link] = owner.get(f"{shared.workspace.url}/share-links").json["links"]
    assert [access["event"] for access in link["accesses"]] == ["opened", "download"] * 2


def _command(*arguments: str) -> None:
    done = subprocess.run([sys.executable, "app.py", *arguments], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
