"""A malicious server is caught: a flipped byte in a stored block or manifest, a block swapped
between two files, and an older manifest replayed as the newest each give a clear error naming
the affected item, and nothing corrupted is shown as valid."""

from __future__ import annotations

import os
import sqlite3

from e2e.harness import flows

TIMEOUT_MS = 30_000
SIZE = 1_200_000


def _upload(admin, name):
    admin.page.set_input_files("#file-input", files=[{
        "name": name, "mimeType": "application/octet-stream", "buffer": os.urandom(SIZE)}])
    row = admin.page.locator(f"#file-list li[data-name='{name}']")
    row.wait_for(timeout=60_000)
    return row.get_attribute("data-document-id")


def _block_paths(server, workspace_id, document_id):
    with sqlite3.connect(server.database_path) as db:
        rows = db.execute("select block_id from document_blocks where workspace_id = ? and "
                          "document_id = ? order by block_id", [workspace_id, document_id])
        blocks = [row[0] for row in rows]
    return [server.data_dir / "blocks" / workspace_id / block[:2] / block for block in blocks]


def _alter_manifest(server, workspace_id, document_id, alter):
    with sqlite3.connect(server.database_path) as db:
        version, manifest = db.execute(
            "select version, manifest from documents where workspace_id = ? and "
            "document_id = ? order by version desc limit 1", [workspace_id, document_id]).fetchone()
        db.execute("update documents set manifest = ? where workspace_id = ? and "
                   "document_id = ? and version = ?",
                   [alter(db, manifest), workspace_id, document_id, version])


def _flip_last_byte(_db, data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _download_error(admin, name):
    box = admin.page.locator("#files-error")
    admin.page.click(f"#file-list li[data-name='{name}'] button.download")
    box.wait_for(state="visible", timeout=TIMEOUT_MS)
    return box.inner_text()


def test_tampering_server_is_caught_and_the_item_named(server, organization):
    admin, _, _ = organization
    workspace_id = flows.create_workspace(admin, "Commission intégrité")
    flipped_dossier = flows.new_dossier(admin, "Mme Alice Altérée")
    replayed_dossier = flows.new_dossier(admin, "M. Rémi Rejoué")
    admin.page.locator("#dossier-table tr:has-text('M. Rémi Rejoué') button").click()
    admin.page.select_option("#dossier-urgency", "high")
    admin.page.click("#dossier-save")
    admin.page.locator("#dossier-table tr:has-text('version 2')").wait_for(state="attached",
                                                                           timeout=TIMEOUT_MS)
    flows.workspace_tab(admin, "dossiers")
    admin.page.locator("#dossier-table tr:has-text('Mme Alice Altérée') button").click()
    admin.page.wait_for_selector("#file-input", timeout=TIMEOUT_MS)
    swapped = _upload(admin, "compte-rendu.bin")
    flipped = _upload(admin, "radio-thorax.bin")

    swapped_blocks = _block_paths(server, workspace_id, swapped)
    flipped_blocks = _block_paths(server, workspace_id, flipped)
    swapped_blocks[0].write_bytes(flipped_blocks[0].read_bytes())
    damaged = bytearray(flipped_blocks[1].read_bytes())
    damaged[len(damaged) // 2] ^= 0x40
    flipped_blocks[1].write_bytes(bytes(damaged))

    message = _download_error(admin, "compte-rendu.bin")
    assert "«compte-rendu.bin»" in message and "altered or replaced" in message, message
    admin.page.locator("#files-error").evaluate("box => { box.hidden = true; }")
    message = _download_error(admin, "radio-thorax.bin")
    assert "«radio-thorax.bin»" in message and "altered or replaced" in message, message

    _alter_manifest(server, workspace_id, flipped_dossier, _flip_last_byte)
    _alter_manifest(server, workspace_id, replayed_dossier, lambda db, _manifest: db.execute(
        "select manifest from documents where workspace_id = ? and document_id = ? and "
        "version = 1", [workspace_id, replayed_dossier]).fetchone()[0])
    flows.open_workspace(admin, "Commission intégrité")
    problems = admin.page.locator("#dossier-table tr.problem-row")
    problems.nth(1).wait_for(timeout=TIMEOUT_MS)
    table = admin.page.inner_text("#dossier-table")
    assert "Altérée" not in table and "Rejoué" not in table
    texts = [problems.nth(index).inner_text() for index in range(problems.count())]
    assert any(flipped_dossier in text for text in texts), texts
    assert any(replayed_dossier in text and "replay of version 1" in text for text in texts), texts
