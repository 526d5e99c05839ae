"""Drop boxes through the real API (SQLite and PostgreSQL): a member makes a drop link, a
depositor with no account deposits through it (their worker encrypting and signing, under
CPython), members are told live and list what was received; wrong passwords, caps, expiry,
revocation, required e-mail confirmation (mailed through the run's SMTP server), the sharing
policy and the per-link rate limit each refuse with their own code; the collector keeps a
deposit's blocks and backups carry them."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from api.config import DEFAULT_MAX_REQUEST_BYTES, Config
from api.realtime.channel import socketio_of
from api.storage.pool import get_store
from api.workspaces.collection import collect_garbage
from e2e.harness.services.smtp import Mailbox, SmtpServer
from pycrypto_wasm.random import random_bytes, random_id
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.workspace import dropbox
from pycrypto_wasm.workspace.manifest import seal_manifest
from tests.api.conftest import same_origin_client
from tests.api.workspaces.conftest import (  # noqa: F401
    Workspace,
    batch,
    organization,
    read_blocks,
    workspace,
)
from tests.api.workspaces.test_backup import _client_of, _command, _fresh
from tests.crypto.browsers import ok

LETTER = "Compte rendu du Dr Martin : admission en SSR souhaitée.".encode()


@pytest.fixture
def config(config: Config, smtp_server: SmtpServer) -> Config:
    return replace(config, max_request_bytes=DEFAULT_MAX_REQUEST_BYTES, smtp_url=smtp_server.url,
                   smtp_from="paravent@chu.example", drop_requests_per_minute=40)


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    smtp_server.mailbox.messages.clear()
    return smtp_server.mailbox


def make_link(space: Workspace, *, password: str = "", max_files: int = 3,
              email_required: bool = False, days: float = 7) -> dict[str, Any]:
    """What a member's worker makes for a new link, sent to the server; with the secret."""
    link_id = f"l-{random_id()[:24]}"
    secret = random_bytes(dropbox.SECRET_SIZE)
    keys = dropbox.link_keys(secret, password)
    drop_key = PrivateKey.generate()
    info = {"label": "Lettres Dr Martin", "drop_key": drop_key.public_key.key,
            "max_files": max_files, "max_file_bytes": 1 << 20, "password": bool(password),
            "password_version": dropbox.PASSWORD_VERSION, "email_required": email_required}
    owner = space.owner
    body = {"link_id": link_id, "verify_key": to_b64(keys.signing_key.verify_key.key),
            "link_info": to_b64(dropbox.seal_link_info(
                keys.info_key, info, organization=space.organization.organization_id,
                workspace=space.workspace_id, link_id=link_id)),
            "descriptor": to_b64(seal_manifest(
                space.keyring, owner.signing, author=owner.person.user_id,
                kind=dropbox.DESCRIPTOR_KIND, document_id=link_id, version=1,
                content={**info, "secret": secret, "drop_seed": drop_key.seed})),
            "expires_at": int(time.time() + days * 86400), "max_files": max_files,
            "max_file_bytes": 1 << 20, "password": bool(password),
            "email_required": email_required}
    return {**body, "secret": to_b64(secret)}


def create(space: Workspace, link: dict[str, Any], client: FlaskClient | None = None):
    body = {name: value for name, value in link.items() if name != "secret"}
    return (client or space.owner.person.client).post(f"{space.url}/dropboxes", json=body)


class Depositor:
    """A browser with no account: its worker, and a client without a session."""

    def __init__(self, space: Workspace, link: dict[str, Any]) -> None:
        self.worker = CryptoService()
        self.client = same_origin_client(space.organization.app)
        self.url = f"/api/drop/{link['link_id']}"
        self.link = link
        self.space = space

    def begin(self, password: str = "", files: int = 1, confirmation: str | None = None):
        public = self.client.get(self.url)
        assert public.status_code == 200, public.json
        begun = ok(self.worker.handle("dropbox.begin_deposit", {
            "link_id": self.link["link_id"], "secret": self.link["secret"],
            "password": password, "link_info": public.json["link_info"],
            "organization_id": public.json["organization_id"],
            "workspace_id": public.json["workspace_id"]}))
        self.deposit_id = begun["deposit_id"]
        return self.client.post(f"{self.url}/deposits", json={
            "deposit_id": self.deposit_id, "proof": begun["proof"], "files": files,
            "confirmation_id": confirmation})

    def send(self, *documents: bytes, email: str | None = None):
        """Encrypt and upload `documents`, then complete the deposit."""
        for document in documents:
            added = ok(self.worker.handle("dropbox.add_file", {
                "deposit_id": self.deposit_id, "name": "lettre.pdf", "size": len(document)}))
            block = ok(self.worker.handle("dropbox.encrypt_block", {
                "deposit_id": self.deposit_id, "index": added["index"], "block": 0,
                "data": document}))
            uploaded = self.client.post(
                f"{self.url}/deposits/{self.deposit_id}/blocks",
                data=batch([(block["block_id"], block["ciphertext"])]),
                content_type="application/octet-stream")
            assert uploaded.status_code == 201, uploaded.json
        finished = ok(self.worker.handle("dropbox.finish_deposit", {
            "deposit_id": self.deposit_id, "name": "Dr Martin", "email": email}))
        return self.client.post(f"{self.url}/deposits/{self.deposit_id}/complete", json={
            "sealed": finished["sealed"], "signature": finished["signature"],
            "files": finished["files"]})


def test_a_depositor_without_account_deposits_and_members_list_it_sealed(workspace):  # noqa: F811
    link = make_link(workspace, password="tilleul")
    created = create(workspace, link)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "open" and created.json["password"] is True
    member = workspace.add("reader")
    app = workspace.organization.app
    socket = socketio_of(app).test_client(app, flask_test_client=member.person.client)
    depositor = Depositor(workspace, link)
    assert depositor.begin("tilleul", files=2).status_code == 201
    completed = depositor.send(LETTER, b"second document")
    assert completed.status_code == 201, completed.json
    told = [event["args"][0] for event in socket.get_received()
            if event["name"] == "dropbox:deposit"]
    assert told == [{"workspace_id": workspace.workspace_id, "link_id": link["link_id"],
                     "deposit_id": depositor.deposit_id}]
    socket.disconnect()
    deposits = member.person.client.get(f"{workspace.url}/deposits").json["deposits"]
    [deposit] = deposits
    assert deposit["link_id"] == link["link_id"] and len(deposit["files"]) == 2
    assert LETTER not in deposit["sealed"].encode()
    streamed = read_blocks(member, workspace.workspace_id, deposit["files"][0])
    assert streamed.status_code == 200 and LETTER not in streamed.data
    [listed] = member.person.client.get(f"{workspace.url}/dropboxes").json["links"]
    assert listed["files_received"] == 2


def test_a_wrong_password_or_a_forged_signature_is_refused_and_nothing_counts(
        workspace):  # noqa: F811
    link = make_link(workspace, password="tilleul")
    create(workspace, link)
    refused = Depositor(workspace, link).begin("chêne")
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "wrong_password")
    depositor = Depositor(workspace, link)
    depositor.begin("tilleul")
    forged = depositor.client.post(f"{depositor.url}/deposits/{depositor.deposit_id}/complete",
                                   json={"sealed": "AQID", "signature": "AQID",
                                         "files": [["ab" * 32]]})
    assert (forged.status_code, forged.json["error"]["code"]) == (400, "missing_blocks")
    assert workspace.owner.person.client.get(
        f"{workspace.url}/deposits").json["deposits"] == []


def test_caps_expiry_and_revocation_close_the_link_each_with_its_code(workspace):  # noqa: F811
    link = make_link(workspace, max_files=1)
    create(workspace, link)
    too_many = Depositor(workspace, link).begin(files=2)
    assert (too_many.status_code, too_many.json["error"]["code"]) == (413, "too_many_files")
    depositor = Depositor(workspace, link)
    depositor.begin()
    oversized = depositor.client.post(
        f"{depositor.url}/deposits/{depositor.deposit_id}/blocks",
        data=batch([("00" * 32, b"\x01" + bytes(2 << 20))]),
        content_type="application/octet-stream")
    assert oversized.status_code == 413
    assert depositor.send(LETTER).status_code == 201
    exhausted = depositor.client.get(depositor.url)
    assert (exhausted.status_code, exhausted.json["error"]["code"]) == (410, "link_exhausted")

    expired = make_link(workspace)
    create(workspace, expired)
    with workspace.organization.app.app_context():
        get_store().dropboxes.update_link(expired["link_id"], expires_at=time.time() - 1)
    answer = depositor.client.get(f"/api/drop/{expired['link_id']}")
    assert (answer.status_code, answer.json["error"]["code"]) == (410, "link_expired")

    revoked = make_link(workspace)
    create(workspace, revoked)
    reader = workspace.add("reader")
    url = f"{workspace.url}/dropboxes/{revoked['link_id']}"
    assert reader.person.client.delete(url).status_code == 403
    assert workspace.owner.person.client.delete(url).json["status"] == "revoked"
    answer = depositor.client.get(f"/api/drop/{revoked['link_id']}")
    assert (answer.status_code, answer.json["error"]["code"]) == (410, "link_revoked")


def test_a_required_email_is_confirmed_by_a_mailed_code(workspace, mailbox):  # noqa: F811
    link = make_link(workspace, email_required=True)
    create(workspace, link)
    depositor = Depositor(workspace, link)
    unconfirmed = depositor.begin()
    assert (unconfirmed.status_code, unconfirmed.json["error"]["code"]) == (
        403, "email_unconfirmed")
    asked = depositor.client.post(f"{depositor.url}/email",
                                  json={"email": "martin@cabinet.example", "language": "fr"})
    assert asked.status_code == 201, asked.json
    [mail] = mailbox.wait_for("martin@cabinet.example", 1)
    assert mail["Subject"] == "Votre code de dépôt Paravent"
    code = next(word for word in mail.get_content().split() if word.isdigit())
    confirmation = asked.json["confirmation_id"]
    wrong = depositor.client.post(f"{depositor.url}/email/confirm",
                                  json={"confirmation_id": confirmation,
                                        "code": "000000" if code != "000000" else "111111"})
    assert (wrong.status_code, wrong.json["error"]["code"]) == (400, "wrong_code")
    assert depositor.client.post(f"{depositor.url}/email/confirm", json={
        "confirmation_id": confirmation, "code": code}).status_code == 200
    assert depositor.begin(confirmation=confirmation).status_code == 201
    assert depositor.send(LETTER, email="martin@cabinet.example").status_code == 201
    [deposit] = workspace.owner.person.client.get(f"{workspace.url}/deposits").json["deposits"]
    assert deposit["confirmed_email"] == "martin@cabinet.example"


def test_the_policy_readers_and_outsiders_limit_who_makes_links(workspace):  # noqa: F811
    reader = workspace.add("reader")
    assert create(workspace, make_link(workspace), reader.person.client).status_code == 403
    assert create(workspace, make_link(workspace, days=400)).json["error"]["code"] == (
        "policy_forbids")
    admin = workspace.organization.admin.client
    assert admin.put("/api/policy", json={
        "links": True, "dropboxes": False, "max_days": 30, "password_required": False,
        "watermark_required": False}).status_code == 200
    refused = create(workspace, make_link(workspace))
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "policy_forbids")


def test_a_link_is_resealed_on_top_of_its_version_only(workspace):  # noqa: F811
    link = make_link(workspace)
    create(workspace, link)
    url = f"{workspace.url}/dropboxes/{link['link_id']}"
    client = workspace.owner.person.client
    body = {"expected_version": 1, "descriptor": link["descriptor"]}
    assert client.put(url, json=body).json["version"] == 2
    assert client.put(url, json=body).status_code == 409


def test_each_link_and_each_client_are_rate_limited(workspace):  # noqa: F811
    link = make_link(workspace)
    create(workspace, link)
    depositor = Depositor(workspace, link)
    answers = [depositor.client.get(depositor.url).status_code for _ in range(41)]
    assert answers[:40] == [200] * 40 and answers[40] == 429


def test_the_collector_keeps_the_blocks_of_a_deposit(workspace):  # noqa: F811
    link = make_link(workspace)
    create(workspace, link)
    depositor = Depositor(workspace, link)
    depositor.begin()
    assert depositor.send(LETTER).status_code == 201
    app = workspace.organization.app
    collect_garbage(app.config["PARAVENT"], now=time.time() + 7 * 86400)
    [deposit] = workspace.owner.person.client.get(f"{workspace.url}/deposits").json["deposits"]
    assert read_blocks(workspace.owner, workspace.workspace_id,
                       deposit["files"][0]).status_code == 200


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_backup_and_restore_carry_links_deposits_and_their_blocks(
        workspace, config, tmp_path):  # noqa: F811
    link = make_link(workspace, email_required=False)
    create(workspace, link)
    depositor = Depositor(workspace, link)
    depositor.begin()
    assert depositor.send(LETTER).status_code == 201

    def everything(client: FlaskClient) -> dict[str, Any]:
        deposits = client.get(f"{workspace.url}/deposits").json["deposits"]
        streamed = client.post(f"{workspace.url}/blocks/stream",
                               json={"block_ids": deposits[0]["files"][0]})
        return {"links": client.get(f"{workspace.url}/dropboxes").json, "deposits": deposits,
                "blocks": streamed.data}

    before = everything(workspace.owner.person.client)
    _command("--data", str(config.data_dir), "backup", str(tmp_path / "backup"))
    target = _fresh(config, tmp_path)
    _command("--data", str(target.data_dir), "restore", str(tmp_path / "backup"))
    restored = _client_of(create_app(target), workspace)
    assert everything(restored) == before
