"""History checkpoints in the browser (issue 25, item 3): a page that verified a workspace's
history keeps its checkpoint, sealed, in IndexedDB, and after a reload opens the workspace
fetching the log only from the checkpoint's head (counted in the server's responses)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing

from e2e.harness import flows
from e2e.harness.browser import UserBrowser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN
from e2e.harness.server import ServerProcess

TIMEOUT_MS = 30_000
CHECKPOINTS = """async () => {
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open('paravent-checkpoints');
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const values = await new Promise((resolve) => {
    const request = db.transaction('checkpoints').objectStore('checkpoints').getAll();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return values;
}"""


# Every log page the page reads after a load: its URL and the seqs it served (the page's own
# fetch, wrapped before any of its scripts run).
COUNT_LOG_READS = """(() => {
  window.logReads = [];
  const fetched = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const response = await fetched(input, init);
    const url = String(input.url ?? input);
    if (/\\/log\\?/.test(url)) {
      const body = await response.clone().json();
      window.logReads.push([url, body.entries.map((entry) => entry.seq)]);
    }
    return response;
  };
})()"""


def _log_length(server: ServerProcess, workspace_id: str) -> int:
    with closing(sqlite3.connect(server.database_path)) as db:
        return db.execute("select max(seq) from log_entries where workspace_id = ?",
                          [workspace_id]).fetchone()[0]


def _checkpoint_at(user: UserBrowser, seq: int) -> dict:
    deadline = time.monotonic() + 30
    while not (kept := [value for value in user.page.evaluate(CHECKPOINTS)
                        if value["seq"] == seq]):
        assert time.monotonic() < deadline, "no checkpoint was kept at the history's head"
        time.sleep(0.3)
    return kept[0]


def test_a_reopened_workspace_fetches_its_log_from_its_checkpoint(
        server: ServerProcess, new_user: Callable[..., UserBrowser]):
    admin = new_user()
    flows.bootstrap(admin, server.bootstrap_link("CHU Reprise"), ADMIN)
    workspace_id = flows.create_workspace(admin, "Commission reprise")
    flows.new_dossier(admin, "Mme Alice Reprise")
    flows.new_dossier(admin, "M. Bruno Reprise")
    flows.go_home(admin)
    head = _log_length(server, workspace_id)
    kept = _checkpoint_at(admin, head)
    # Sealed: neither the workspace's name nor a patient's is in it in clear.
    stored = json.dumps(kept)
    assert "Reprise" not in stored and "Alice" not in stored and set(kept) == {"seq", "sealed"}

    admin.page.add_init_script(COUNT_LOG_READS)
    admin.page.reload()
    wait_for_crypto_ready(admin.page)
    flows.sign_in(admin)
    admin.page.locator("#workspace-list li", has_text="Commission reprise").wait_for(
        timeout=TIMEOUT_MS)
    flows.open_workspace(admin, "Commission reprise")
    logs = [(url, seqs) for url, seqs in admin.page.evaluate("window.logReads")
            if f"/api/workspaces/{workspace_id}/log?" in url]

    from_checkpoint = [seqs for url, seqs in logs if re.search(rf"after={head - 1}(&|$)", url)]
    assert len(from_checkpoint) >= 2, logs  # Home's list, the workspace's view
    assert all(seqs == [head] for seqs in from_checkpoint), logs
    # Every other read of this log is the committee's whole log (unread counts, activity).
    assert all(re.search(r"after=0(&|$)", url) for url, seqs in logs
               if not re.search(rf"after={head - 1}(&|$)", url)), logs
