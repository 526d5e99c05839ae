"""Download links in the browser, as a member and a recipient without an account would use them:
a password link refuses a wrong password with no bytes sent and gives the shared bytes to the
right one; a link used up, revoked or expired shows its own page in the recipient's language; a
watermarked preview carries the link's label (read from the canvas, and its pixels changed); the
sharing policy forbids a kind of link in the member's form."""

from __future__ import annotations

import re
import sqlite3
import struct
import time
import zlib
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from e2e.harness import flows
from e2e.harness.flows import Person

TIMEOUT_MS = 60_000
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
       b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n") + b"%" + bytes(range(256)) * 40
PASSWORD = "Crème brûlée 2026"
LABEL = "Pour le Dr Martin"


def _white_png(width: int = 240, height: int = 160) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + b"\xff" * (3 * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


PNG = _white_png()


def _dossier_with_files(admin) -> str:
    workspace_id = flows.create_workspace(admin, "Commission liens")
    flows.new_dossier(admin, "M. Lien Partagé")
    admin.page.locator("#dossier-table tr:has-text('Lien Partagé') button").click()
    admin.page.wait_for_selector("#file-input", timeout=TIMEOUT_MS)
    for name, mime, content in (("compte-rendu.pdf", "application/pdf", PDF),
                                ("photo.png", "image/png", PNG)):
        admin.page.set_input_files("#file-input", files=[
            {"name": name, "mimeType": mime, "buffer": content}])
        admin.page.locator(f"#file-list li[data-name='{name}']").wait_for(timeout=TIMEOUT_MS)
    return workspace_id


def _share(admin, name: str, *, password: str = "", watermark: str = "none",
           max_downloads: int = 2) -> str:
    """Shares file `name` of the open dossier by link; returns the link's URL."""
    panel = admin.page.locator("#share-panel")
    ticked = admin.page.locator(f"#share-panel[open] #share-files label:has-text('{name}') input")
    missed = PlaywrightTimeoutError(f"{name} could not be ticked in the share panel")
    for _ in range(5):  # the dossier's page may be drawn again once its files are listed
        if panel.get_attribute("open") is None:
            panel.locator("> summary").click()
        try:
            ticked.check(timeout=5_000)
            break
        except PlaywrightTimeoutError as error:
            missed = error
    else:
        raise missed
    admin.page.fill("#share-label", LABEL)
    admin.page.fill("#share-days", "2")
    admin.page.fill("#share-max", str(max_downloads))
    admin.page.fill("#share-password", password)
    admin.page.select_option("#share-watermark", watermark)
    admin.page.click("#share-create")
    url = admin.page.locator("#share-url")
    url.wait_for(timeout=TIMEOUT_MS)
    value = url.input_value()
    admin.page.evaluate("() => document.querySelector('#share-created').replaceChildren()")
    return value


def _ended(recipient, url: str, code: str) -> str:
    recipient.page.goto("about:blank")
    recipient.page.goto(url)
    page = recipient.page.locator(f"#link-ended[data-code='{code}']")
    page.wait_for(timeout=TIMEOUT_MS)
    return page.inner_text()


def test_password_link_ended_pages_and_watermark(organization, new_user, server):
    admin, _, _ = organization
    _dossier_with_files(admin)
    url = _share(admin, "compte-rendu.pdf", password=PASSWORD)
    link_id = url.split("#/s/")[1].split("/")[0]
    assert "#/s/" in url and len(url.split("/")[-1]) > 40

    recipient = new_user()
    answers = []
    recipient.page.on("response", lambda response: answers.append(response)
                      if "/api/share-links/" in response.url else None)
    recipient.page.goto(url)
    recipient.page.locator("#link-password").wait_for(timeout=TIMEOUT_MS)
    recipient.page.fill("#link-password", "creme brulee 2026")
    recipient.page.click("#link-open")
    recipient.page.locator("#link-password-page [role=alert]:has-text('wrong')").wait_for(
        timeout=TIMEOUT_MS)
    opened = [answer for answer in answers if answer.url.endswith("/open")]
    assert [answer.status for answer in opened] == [403]
    assert set(opened[0].json()) == {"error"}
    assert not [answer for answer in answers if "/blocks/stream" in answer.url
                or answer.url.endswith("/downloads")]

    recipient.page.fill("#link-password", PASSWORD)
    recipient.page.click("#link-open")
    row = recipient.page.locator("#link-file-list li[data-name='compte-rendu.pdf']")
    row.wait_for(timeout=TIMEOUT_MS)
    assert LABEL in recipient.page.inner_text("#link-files h1")
    with recipient.page.expect_download(timeout=TIMEOUT_MS) as download:
        row.locator("button.download").click()
    assert Path(download.value.path()).read_bytes() == PDF

    # A second visit takes the last download the link allows; a third finds it used up.
    second = new_user()
    second.page.goto(url)
    second.page.locator("#link-password").wait_for(timeout=TIMEOUT_MS)
    second.page.fill("#link-password", PASSWORD)
    second.page.click("#link-open")
    with second.page.expect_download(timeout=TIMEOUT_MS) as download:
        second.page.locator("#link-file-list button.download").click()
    assert Path(download.value.path()).read_bytes() == PDF
    assert "used up" in _ended(second, url, "link_exhausted")

    # The sharer sees the access list: the wrong password, the openings, the downloads.
    listed = admin.page.locator(
        f"#share-link-list li[data-link-id='{link_id}'][data-state='exhausted']")
    admin.page.locator("#share-panel > summary").click()
    admin.page.locator("#share-panel > summary").click()
    listed.wait_for(timeout=TIMEOUT_MS)
    events = listed.locator(".link-accesses li").evaluate_all(
        "items => items.map((item) => item.dataset.event)")
    assert events.count("wrong_password") == 1 and events.count("download") == 2

    # A preview-only link: no download, a preview stamped with the link's label.
    preview_url = _share(admin, "photo.png", watermark="preview_only")
    viewer = new_user()
    viewer.page.goto(preview_url)
    image_row = viewer.page.locator("#link-file-list li[data-name='photo.png']")
    image_row.wait_for(timeout=TIMEOUT_MS)
    assert image_row.locator("button.download").count() == 0
    image_row.locator("button.preview").click()
    canvas = viewer.page.locator("#link-preview canvas.watermarked")
    canvas.wait_for(timeout=TIMEOUT_MS)
    assert LABEL in canvas.get_attribute("data-watermark")
    assert "Confidential" in canvas.get_attribute("data-watermark")
    stamped = canvas.evaluate("""(canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let marked = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 1] < 200) marked += 1;
      }
      return marked;
    }""")
    assert stamped > 100  # the white image now carries red text

    # Revoked: the recipient's page says so, in French when the browser reads French.
    preview_id = preview_url.split("#/s/")[1].split("/")[0]
    revoke = admin.page.locator(f"#share-link-list li[data-link-id='{preview_id}'] button.revoke")
    revoke.wait_for(timeout=TIMEOUT_MS)
    revoke.click()
    flows.confirm(admin)
    admin.page.locator(f"#share-link-list li[data-link-id='{preview_id}'][data-state='revoked']"
                       ).wait_for(timeout=TIMEOUT_MS)
    viewer.page.select_option("#language-select", "fr")
    assert "révoqué" in _ended(viewer, preview_url, "link_revoked")

    # Expired: the server finds it past its end (the database's clock moved back for it).
    expiring_url = _share(admin, "photo.png")
    expiring_id = expiring_url.split("#/s/")[1].split("/")[0]
    with sqlite3.connect(server.database_path) as db:
        db.execute("update share_links set expires_at = ? where id = ?",
                   [time.time() - 60, expiring_id])
    assert "expired" in _ended(recipient, expiring_url, "link_expired")


def test_policy_forbids_links_in_the_form(organization):
    admin, _, _ = organization
    workspace_id = _dossier_with_files(admin)
    dossier_url = admin.page.url
    flows.go_to(admin, f"policy/{workspace_id}")
    admin.page.locator("#workspace-policy-links").wait_for(timeout=TIMEOUT_MS)
    admin.page.locator("#workspace-policy-links").uncheck()
    admin.page.click("#workspace-policy-save")
    admin.page.locator("#policy-effective:has-text('links no')").wait_for(timeout=TIMEOUT_MS)
    admin.page.goto(dossier_url)
    admin.page.locator("#file-list li[data-name='photo.png']").wait_for(timeout=TIMEOUT_MS)
    admin.page.locator("#share-panel > summary").click()
    admin.page.locator("#share-files label:has-text('photo.png') input").check()
    admin.page.fill("#share-label", LABEL)
    admin.page.click("#share-create")
    admin.page.locator("#share-panel [role=alert]:has-text('does not allow download links')"
                       ).wait_for(timeout=TIMEOUT_MS)
    assert admin.page.locator("#share-url").count() == 0


def _pdf_texts(pdf: bytes) -> bytes:
    """The PDF's streams, inflated where they are compressed."""
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            texts.append(stream)
    return b"\n".join(texts)


def test_a_watermarked_pdf_download_is_stamped_in_the_browser(organization, new_user):
    admin, _, _ = organization
    _dossier_with_files(admin)
    url = _share(admin, "compte-rendu.pdf", watermark="download_watermarked")
    recipient = new_user()
    recipient.page.goto(url)
    row = recipient.page.locator("#link-file-list li[data-name='compte-rendu.pdf']")
    row.wait_for(timeout=TIMEOUT_MS)
    with recipient.page.expect_download(timeout=TIMEOUT_MS) as download:
        row.locator("button.download").click()
    stamped = Path(download.value.path()).read_bytes()
    assert stamped.startswith(b"%PDF") and stamped != PDF
    assert LABEL.encode("latin-1").hex().upper().encode() in _pdf_texts(stamped)
    assert not [url for url in recipient.requests if "pdf-lib" in url and "/vendor/" not in url]


def test_an_external_contact_gets_previews_only_watermarked_with_their_name(organization):
    admin, contact, _ = organization
    person = Person("Dr Paul Externe", "paul@cabinet.example", "Cabinet Externe")
    flows.certified_member(admin, contact, person, "external")
    flows.go_home(admin)
    workspace_id = _dossier_with_files(admin)
    flows.share_workspace(admin, person, "reader")
    flows.go_to(admin, f"policy/{workspace_id}")
    admin.page.select_option("#workspace-policy-external_files", "preview_only")
    admin.page.click("#workspace-policy-save")
    admin.page.locator("#workspace-policy-saved:not(:empty)").wait_for(timeout=TIMEOUT_MS)

    flows.open_workspace(contact, "Commission liens")
    flows.open_dossier(contact, "M. Lien Partagé")
    row = contact.page.locator("#file-list li[data-name='photo.png']")
    row.wait_for(timeout=TIMEOUT_MS)
    assert row.locator("button.download").count() == 0
    flows.file_action(row, "preview")
    canvas = contact.page.locator("#file-preview canvas.watermarked")
    canvas.wait_for(timeout=TIMEOUT_MS)
    assert "Dr Paul Externe" in canvas.get_attribute("data-watermark")
