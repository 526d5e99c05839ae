"""Freshness for a browser with no memory (hole 5), in the browser: the passkey's large blob
carries the heads a workstation verified to a wiped profile, which then names the history the
server cut short; a member's page opening a workspace for the first time is confirmed by
another member's page online; with no one to ask, the page says it cannot confirm the latest
state before the first write, and writes only once the user chooses to go on."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing

from e2e.harness import flows
from e2e.harness.browser import UserBrowser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN, MEMBER
from e2e.harness.server import ServerProcess

TIMEOUT_MS = 30_000
RECORD_DUE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open('paravent-integrity', 1);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const keys = await new Promise((resolve) => {
    const request = db.transaction('heads').objectStore('heads').getAll();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return keys.some((value) => value && value.pending && value.record);
}"""
WIPE_INDEXEDDB = """async () => {
  for (const { name } of await indexedDB.databases()) {
    await new Promise((resolve, reject) => {
      const deleting = indexedDB.deleteDatabase(name);
      deleting.onsuccess = resolve;
      deleting.onerror = () => reject(deleting.error);
    });
  }
  return (await indexedDB.databases()).length;
}"""


def _notice(user: UserBrowser, state: str) -> str:
    notice = user.page.locator(f"#freshness-notice[data-state={state}]")
    return notice.inner_text(timeout=TIMEOUT_MS)


def test_freshness_the_passkey_carries_the_heads_to_a_wiped_profile(
        server: ServerProcess, new_user: Callable[..., UserBrowser]):
    admin = new_user(large_blob=True)
    flows.bootstrap(admin, server.bootstrap_link("CHU Clé"), ADMIN)
    workspace_id = flows.create_workspace(admin, "Commission clé")
    flows.new_dossier(admin, "Mme Alice Mémoire")
    # web/freshness.js seals the heads record a couple of seconds after they change.
    deadline = time.monotonic() + 30
    while not admin.page.evaluate(RECORD_DUE):
        assert time.monotonic() < deadline, "the heads record was never sealed"
        time.sleep(0.5)
    # Unlocking after a reload is the next assertion: it writes the record due.
    flows.go_home(admin)
    admin.page.reload()
    wait_for_crypto_ready(admin.page)
    flows.sign_in(admin)
    assert admin.credentials()[0].get("largeBlob"), "the heads record was not written"
    with closing(sqlite3.connect(server.database_path)) as db, db:
        db.execute("delete from log_entries where workspace_id = ? and seq >= 2", [workspace_id])

    # The workstation's profile is wiped (cookies, IndexedDB); the person keeps their passkey.
    admin.context.clear_cookies()
    admin.page.evaluate(WIPE_INDEXEDDB)
    admin.page.goto(server.url)
    wait_for_crypto_ready(admin.page)
    flows.sign_in(admin)
    flows.open_workspace(admin, "Commission clé")
    alert = admin.page.locator("#history-alerts[role=alert]").inner_text(timeout=TIMEOUT_MS)
    assert "ends at entry 1, but this browser verified it up to entry 2" in alert, alert
    assert admin.page.locator("#freshness-notice").count() == 0


def test_freshness_a_member_online_confirms_and_without_one_the_user_chooses(
        server: ServerProcess, new_user: Callable[..., UserBrowser]):
    admin, member = new_user(), new_user()
    flows.bootstrap(admin, server.bootstrap_link("CHU Collègues"), ADMIN)
    recovery = flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    flows.create_workspace(admin, "Commission collègues")
    flows.share_workspace(admin, MEMBER, "manager")
    # The member's browser never opened it: the admin's page, online, confirms its state.
    flows.open_workspace(member, "Commission collègues")
    assert f"{ADMIN.name} confirmed that this browser sees the latest state" in _notice(
        member, "confirmed")
    flows.new_dossier(member, "M. Bruno Confirmé")

    # The member on a wiped workstation while every other page is locked: nobody can answer.
    for other in (admin, member):
        flows.go_home(other)
        other.page.reload()
        wait_for_crypto_ready(other.page)
    wiped = new_user(locale="fr-FR")
    wiped.page.goto(server.url)
    wait_for_crypto_ready(wiped.page)
    wiped.page.click("#go-recovery")
    wiped.page.fill("#recovery-code-input", recovery)
    wiped.page.click("form button[type=submit]")
    wiped.page.wait_for_selector("#add-passkey", timeout=TIMEOUT_MS)
    flows.open_workspace(wiped, "Commission collègues")
    text = _notice(wiped, "unconfirmed")
    unconfirmed = "Ce navigateur ne peut pas confirmer qu\u2019il voit l\u2019état le plus récent"
    assert unconfirmed in text, text
    wiped.page.click("#dossier-new")
    wiped.page.fill("#dossier-patient_name", "Mme Chloé Attente")
    wiped.page.click("#dossier-save")
    refused = wiped.page.locator("[role=alert]:has-text('ne peut pas confirmer')")
    refused.first.wait_for(timeout=TIMEOUT_MS)
    wiped.page.click("#freshness-write-anyway")
    _notice(wiped, "knowingly")
    wiped.page.click("#dossier-save")
    wiped.page.locator("#dossier-table tr:has-text('Mme Chloé Attente')").wait_for(
        state="attached", timeout=TIMEOUT_MS)
