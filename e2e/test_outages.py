"""Outages of the server's storage, as a user sees them: an upload whose block store becomes
unavailable pauses, says so in the user's language, and completes by itself, with the same bytes,
when the store is back; a save (dossier edit, comment) refused with 503 keeps what the person
typed, says so, and succeeds by itself once the server takes it.

The block store is made unavailable for real: the server's block folder is bind-mounted
read-only over itself (the tests run as root in CI; elsewhere the test is skipped), so block
writes fail with EROFS and the server answers 503 `storage_unavailable`. The save's 503 is the
server's reply for an unreachable database, given by the browser's network layer to the first
two attempts (the test server runs on SQLite, whose file stays writable while it is open).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.harness import flows
from e2e.harness.server import ServerProcess

TIMEOUT_MS = 30_000
WAITING = {"en": "Storage unavailable, retrying…",
           "fr": "Stockage indisponible, nouvel essai en cours…"}
CREATE = {"en": "Create a workspace", "fr": "Créer un espace"}
UNREACHABLE_DATABASE = json.dumps({"error": {
    "code": "storage_unavailable",
    "message": "the server's database cannot be written or reached; tell its operator"}})


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only (a bind mount of itself) until the block ends. Making the bind mount
    read-only fails while a file on it is open for writing (a block being written): tried again
    until none is."""
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)],
                             capture_output=True, check=False).returncode != 0:
            assert time.monotonic() < deadline, "the block folder stayed busy"
            time.sleep(0.01)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _open_new_dossier(user, workspace: str, patient: str) -> None:
    flows.create_workspace(user, workspace)
    flows.new_dossier(user, patient)
    user.page.locator(f"#dossier-table tr:has-text('{patient}') button").click()
    user.page.wait_for_selector("#file-input", timeout=TIMEOUT_MS)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_upload_pauses_while_the_block_store_is_unavailable_and_completes_by_itself(
        organization, server: ServerProcess, language: str) -> None:
    admin, _, _ = organization
    if admin.page.input_value("#language-select") != language:
        admin.page.select_option("#language-select", language)
        admin.page.locator("#workspace-create", has_text=CREATE[language]).wait_for(
            timeout=TIMEOUT_MS)
    _open_new_dossier(admin, f"Commission stockage {language}", "M. Paul Panne")
    content = os.urandom(48 * 1024 * 1024)
    admin.page.set_input_files("#file-input", files=[
        {"name": "irm-panne.bin", "mimeType": "application/octet-stream", "buffer": content}])
    admin.page.wait_for_function(
        "() => document.querySelector('#transfers li.upload progress')?.value > 0",
        timeout=TIMEOUT_MS)
    with read_only(server.data_dir / "blocks"):
        row = admin.page.locator("#transfers li.upload[data-waiting='storage_unavailable']")
        row.wait_for(timeout=TIMEOUT_MS)
        assert WAITING[language] in row.inner_text()
        kept = row.locator("progress").evaluate("bar => bar.value")
        assert 0 < kept < len(content)
        admin.page.wait_for_timeout(3000)  # a few retries meet the outage
        assert row.is_visible() and admin.page.locator("#file-list li").count() == 0
    admin.page.locator("#file-list li[data-name='irm-panne.bin']").wait_for(timeout=120_000)
    expect(admin.page.locator("#transfers li.upload")).to_have_count(0, timeout=5_000)
    assert not admin.page.locator("p.error[role='alert']:visible").count()
    with admin.page.expect_download(timeout=60_000) as download:
        admin.page.click("#file-list li[data-name='irm-panne.bin'] button.download")
    assert Path(download.value.path()).read_bytes() == content


def _refuse_twice(user, url_glob: str, method: str) -> list[str]:
    """The first two `method` requests to `url_glob` get the server's 503 for an unreachable
    database; later ones reach the server. Returns what each request met."""
    met: list[str] = []

    def refuse(route) -> None:
        if route.request.method != method:
            route.continue_()
            return
        if len(met) < 2:
            met.append("503")
            route.fulfill(status=503, content_type="application/json", body=UNREACHABLE_DATABASE)
            return
        met.append("server")
        route.continue_()

    user.page.route(url_glob, refuse)
    return met


def test_saves_meeting_a_503_keep_the_text_and_succeed_by_themselves(organization) -> None:
    admin, _, _ = organization
    _open_new_dossier(admin, "Commission base indisponible", "Mme Rose Attente")
    box = admin.page.locator("#committee p.error[data-waiting='storage_unavailable']")

    met = _refuse_twice(admin, "**/log", "POST")
    comment = "Avis favorable, en attente du bilan social"
    admin.page.fill("#comment-text", comment)
    admin.page.click("#comment-post")
    box.wait_for(timeout=TIMEOUT_MS)
    assert box.inner_text() == WAITING["en"]
    assert admin.page.input_value("#comment-text") == comment
    admin.page.locator(f"#comment-list li:has-text('{comment}')").wait_for(timeout=TIMEOUT_MS)
    assert met == ["503", "503", "server"]
    admin.page.wait_for_function("() => document.querySelector('#comment-text').value === ''",
                                 timeout=TIMEOUT_MS)  # cleared once posted, not before
    assert not admin.page.locator("#committee p.error").is_visible()

    met = _refuse_twice(admin, "**/documents/*", "PUT")
    admin.page.fill("#dossier-summary", "Bilan social reçu : retour à domicile impossible")
    admin.page.click("#dossier-save")
    saving = admin.page.locator("section.dossier-form p.error[data-waiting='storage_unavailable']")
    saving.wait_for(timeout=TIMEOUT_MS)
    assert saving.inner_text() == WAITING["en"]
    assert admin.page.input_value("#dossier-summary").startswith("Bilan social reçu")
    admin.page.locator("#dossier-form[data-version='2']").wait_for(timeout=TIMEOUT_MS)
    assert met == ["503", "503", "server"]
    assert "Something went wrong" not in admin.page.inner_text("body")


def test_a_server_failure_names_the_server_not_the_browser_encryption(organization) -> None:
    admin, _, _ = organization
    _open_new_dossier(admin, "Commission panne serveur", "M. Jean Erreur")
    admin.page.route("**/log", lambda route: route.fulfill(
        status=500, content_type="application/json", body=json.dumps({"error": {
            "code": "internal_error", "message": "the server failed; try again later"}}))
        if route.request.method == "POST" else route.continue_())
    admin.page.fill("#comment-text", "Avis réservé")
    admin.page.click("#comment-post")
    box = admin.page.locator("#committee p.error[role='alert']")
    box.wait_for(timeout=TIMEOUT_MS)
    assert box.inner_text() == "The server could not do this just now: try again in a moment."
    assert admin.page.input_value("#comment-text") == "Avis réservé"
