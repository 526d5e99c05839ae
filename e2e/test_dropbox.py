"""Drop boxes in the browser: a member makes a drop link for a dossier; a depositor in a fresh
browser context, with no account and no passkey, deposits two files through it and gets a
receipt; the member, whose open dossier shows them as they arrive, reads them marked as coming
from outside and files them into the dossier; a
deposit the server forges (written to its own tables and block store, without the link's
secret) is refused by name; nothing the server stores holds the plaintext; a wrong password
sends nothing; revoked, expired and used-up links give their pages, in the depositor's
language; a required e-mail address is confirmed by a code mailed through the deployment's
SMTP server, and members see it confirmed."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

from playwright.sync_api import Browser, Page

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.server import ServerProcess
from e2e.harness.services.smtp import SmtpServer
from pycrypto_wasm.random import random_bytes, random_id
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace import dropbox
from pycrypto_wasm.workspace.blocks import encrypt_block

TIMEOUT_MS = 60_000
# A fresh browser context boots the page and its crypto worker: slower while the machine is busy.
FRESH_CONTEXT_MS = 120_000
PATIENT = "M. Paul Dépôt"
SCAN = b"IRM-DEPOT-7f3a " + os.urandom(700 * 1024)  # two blocks
LETTER = "Lettre-du-Dr-Martin : admission en SSR souhaitée pour M. Paul Dépôt.".encode()


def _create_link(admin, label: str, password: str = "") -> str:
    details = admin.page.locator("#dropbox-panel #drop-new")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    admin.page.fill("#field-label", label)
    admin.page.fill("#field-password", password)
    before = admin.page.locator("#drop-new-url").all()
    shown = before[0].input_value() if before else None
    admin.page.click("#drop-create")
    url = admin.page.locator("#drop-new-url")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not url.count() or url.input_value() == shown:
        assert time.monotonic() < deadline, "the new drop link was not shown"
        admin.page.wait_for_timeout(100)
    return url.input_value()


def _depositor(browser: Browser, locale: str = "en-GB") -> Page:
    """A fresh browser context: no account, no passkey, no virtual authenticator."""
    return browser.new_context(locale=locale).new_page()


def _forge_deposit(server: ServerProcess, workspace_id: str, link_id: str) -> str:
    """What a malicious server can write without the link's secret: a deposit sealed to a key
    of its own and signed with a key of its own, with a block in its block store."""
    deposit_id = f"d-{random_id()[:24]}"
    with sqlite3.connect(server.database_path) as db:
        organization = db.execute("select organization_id from drop_links where id = ?",
                                  [link_id]).fetchone()[0]
        ref, block = encrypt_block(b"forged scan", organization=organization,
                                   workspace=workspace_id,
                                   file_id=dropbox.deposit_file_id(deposit_id, 0), index=0)
        content = {"link": link_id, "sent_at": int(time.time()),
                   "depositor": {"name": "Dr Faussaire", "email": None},
                   "files": [{"name": "faux.pdf", "mime": "application/pdf", "size": 11,
                              "sha256": hashlib.sha256(b"forged scan").digest(),
                              "blocks": [ref.to_value()]}]}
        place = {"organization": organization, "workspace": workspace_id}
        sealed = dropbox.seal_deposit(PrivateKey.generate().public_key, content,
                                      deposit_id=deposit_id, **place)
        claims = dropbox.signed_claims(link_id=link_id, deposit_id=deposit_id, sealed=sealed,
                                       files=[[ref.block_id]])
        signature = dropbox.sign_deposit(SigningKey(random_bytes(32)), claims, **place)
        folder = server.data_dir / "blocks" / workspace_id / ref.block_id[:2]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ref.block_id).write_bytes(block)
        now = time.time()
        db.execute("insert into blocks values (?, ?, ?, ?, ?)",
                   [workspace_id, ref.block_id, organization, 4096, now])
        db.execute("insert into drop_deposits (id, link_id, workspace_id, created_at, files, "
                   "bytes, completed_at, sealed, signature, block_ids) values "
                   "(?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                   [deposit_id, link_id, workspace_id, now, len(block), now, sealed, signature,
                    json.dumps([[ref.block_id]])])
        db.execute("insert into drop_deposit_blocks values (?, ?, ?)",
                   [deposit_id, workspace_id, ref.block_id])
    return deposit_id


def _stored_bytes(server: ServerProcess) -> bytes:
    """Everything the server keeps: its database (and write-ahead log) and its block store."""
    return b"".join(path.read_bytes() for path in sorted(server.data_dir.rglob("*"))
                    if path.is_file())


def _reopen_dossier(admin) -> None:
    flows.open_dossier(admin, PATIENT)
    admin.page.locator("#dropbox-panel").wait_for(timeout=TIMEOUT_MS)


def test_a_depositor_without_account_deposits_members_file_it_marked_forgeries_refused(
        organization, server: ServerProcess, browser: Browser, tmp_path: Path):
    admin, _, _ = organization
    workspace_id = flows.create_workspace(admin, "Commission dépôts")
    flows.new_dossier(admin, PATIENT)
    _reopen_dossier(admin)
    url = _create_link(admin, "Examens du Dr Martin", password="tilleul")
    link_id = url.split("#/drop/", 1)[1].split("/")[0]
    assert "#/drop/" in url and url.split("/")[-1] not in _stored_bytes(server).decode(
        "latin-1")

    depositor = _depositor(browser)
    depositor.goto(url)
    depositor.locator("#drop-page h1", has_text="Examens du Dr Martin").wait_for(
        timeout=FRESH_CONTEXT_MS)
    assert_accessible(depositor, "the depositor's page")
    depositor.fill("#field-name", "Dr Martin")
    depositor.fill("#field-password", "chêne")
    depositor.set_input_files("#drop-files", files=[
        {"name": "irm-depot.pdf", "mimeType": "application/pdf", "buffer": SCAN},
        {"name": "lettre-depot.pdf", "mimeType": "application/pdf", "buffer": LETTER}])
    depositor.click("#drop-send")
    depositor.locator("#drop-form p.error", has_text="The password is wrong").wait_for(
        timeout=TIMEOUT_MS)
    depositor.fill("#field-password", "tilleul")
    depositor.click("#drop-send")
    depositor.locator("#drop-receipt").wait_for(timeout=TIMEOUT_MS)
    receipt = {row.get_attribute("data-name"): row.get_attribute("data-sha256")
               for row in depositor.locator("#drop-receipt tr.receipt-row").all()}
    assert_accessible(depositor, "the depositor's receipt")
    assert receipt == {"irm-depot.pdf": hashlib.sha256(SCAN).hexdigest(),
                       "lettre-depot.pdf": hashlib.sha256(LETTER).hexdigest()}

    # The member's open dossier shows the deposit as it arrives (told live, by ids only).
    deposit = admin.page.locator("#drop-deposits li.deposit:not(.forged)")
    deposit.wait_for(timeout=TIMEOUT_MS)
    assert ("Received through drop link «Examens du Dr Martin», from Dr Martin, no e-mail"
            in deposit.inner_text())
    assert_accessible(admin.page, "a dossier's drop box")
    deposit.locator("button.file-deposit").click()
    for name in ("irm-depot.pdf", "lettre-depot.pdf"):
        row = admin.page.locator(f"#file-list li[data-name='{name}']")
        row.locator(".outside-mark", has_text="Examens du Dr Martin").wait_for(
            timeout=TIMEOUT_MS)
    admin.page.locator("#drop-deposits .deposit-filed").wait_for(timeout=TIMEOUT_MS)
    row = admin.page.locator("#file-list li[data-name='lettre-depot.pdf']")
    with admin.page.expect_download(timeout=TIMEOUT_MS) as download:
        row.locator("button.download").click()
    assert Path(download.value.path()).read_bytes() == LETTER

    forged = _forge_deposit(server, workspace_id, link_id)
    _reopen_dossier(admin)
    refused = admin.page.locator(f"#drop-deposits li.forged[data-deposit-id='{forged}']")
    refused.wait_for(timeout=TIMEOUT_MS)
    assert "forged" in refused.inner_text().lower()
    assert "«Examens du Dr Martin»" in refused.inner_text()
    assert "Dr Faussaire" not in admin.page.inner_text("#dropbox-panel")

    stored = _stored_bytes(server)
    for plaintext in (SCAN[:15], SCAN[-64:], LETTER, b"Lettre-du-Dr-Martin", b"irm-depot.pdf",
                      b"Examens du Dr Martin"):
        assert plaintext not in stored

    admin.page.locator(f"#drop-links li[data-link-id='{link_id}'] button.revoke").click()
    admin.page.locator(f"#drop-links li[data-link-id='{link_id}'][data-status='revoked']"
                       ).wait_for(timeout=TIMEOUT_MS)
    depositor.goto("about:blank")
    depositor.goto(url)
    depositor.locator("#drop-closed[data-status='revoked'] h1",
                      has_text="This drop link was revoked").wait_for(timeout=TIMEOUT_MS)

    expiring = _create_link(admin, "Bilan sanguin")
    with sqlite3.connect(server.database_path) as db:
        db.execute("update drop_links set expires_at = ? where id = ?",
                   [time.time() - 1, expiring.split("#/drop/", 1)[1].split("/")[0]])
    french = _depositor(browser, locale="fr-FR")
    french.goto(expiring)
    french.locator("#drop-closed[data-status='expired'] h1",
                   has_text="Ce lien de dépôt a expiré").wait_for(timeout=FRESH_CONTEXT_MS)
    assert_accessible(french, "an expired drop link, in French")

    used_up = _create_link(admin, "Radio du genou")
    with sqlite3.connect(server.database_path) as db:
        db.execute("update drop_links set files_received = max_files where id = ?",
                   [used_up.split("#/drop/", 1)[1].split("/")[0]])
    french.goto(used_up)
    french.locator("#drop-closed[data-status='exhausted'] h1",
                   has_text="Ce lien de dépôt a reçu tout ce qu").wait_for(
        timeout=TIMEOUT_MS)


def test_a_required_email_is_confirmed_by_a_mailed_code_and_members_see_it_confirmed(
        organization, browser: Browser, smtp_server: SmtpServer):
    admin, _, _ = organization
    flows.create_workspace(admin, "Commission e-mails")
    flows.new_dossier(admin, PATIENT)
    _reopen_dossier(admin)
    admin.page.locator("#dropbox-panel #drop-new summary").click()
    admin.page.check("#drop-email-required")
    url = _create_link(admin, "Compte rendu opératoire")

    depositor = _depositor(browser, locale="fr-FR")
    depositor.goto(url)
    depositor.locator("#drop-page h1", has_text="Compte rendu opératoire").wait_for(
        timeout=FRESH_CONTEXT_MS)
    depositor.fill("#field-name", "Dr Lefèvre")
    depositor.fill("#field-email", "lefevre@clinique.example")
    depositor.click("#drop-send-code")
    [mail] = smtp_server.mailbox.wait_for("lefevre@clinique.example", 1, timeout=30)
    assert mail["Subject"] == "Votre code de dépôt Paravent"
    code = next(word for word in mail.get_content().split() if word.isdigit())
    depositor.fill("#field-code", code)
    depositor.click("#drop-confirm-code")
    depositor.locator("#drop-email-status", has_text="Adresse e-mail confirmée").wait_for(
        timeout=TIMEOUT_MS)
    depositor.set_input_files("#drop-files", files=[
        {"name": "cr-operatoire.pdf", "mimeType": "application/pdf", "buffer": LETTER}])
    depositor.click("#drop-send")
    depositor.locator("#drop-receipt", has_text="Accusé de réception").wait_for(
        timeout=TIMEOUT_MS)

    deposit = admin.page.locator("#drop-deposits li.deposit")
    deposit.wait_for(timeout=TIMEOUT_MS)
    assert ("from Dr Lefèvre, e-mail lefevre@clinique.example confirmed"
            in deposit.inner_text())
