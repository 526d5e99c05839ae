"""Routing a batch of laboratory results into partner spaces from one browser, end to end,
against uploading the same files as plain files into one workspace, in the same run.

A new organization's admin registers 20 partner sites on the Partner sites page, each with one
contact (an external user of that site, certified by the admin's keys under CPython and written
into the server's database, as `members` does: an invitation flow per contact would take
minutes) and its space, created from that page (which attaches the contacts and adds them to
the spaces). On Send results (#/send-results), a CSV and 500 PDFs of 200 KB (random bytes
after a PDF header) are picked and checked, then sent: each result sealed as a dossier and its
PDF uploaded as the dossier's file (the page's own code: six results at once), then each site's
contacts notified. Timed from the send click to the last result stored (the page's own clock,
which includes reading the 20 spaces' histories), and from there to the last notification
queued for mail (its row stored, `mail_state` pending). The baseline uploads the same 500 files
through the same crypto worker into one workspace, six at once, with no dossier and no routing.
Targets: >= 20 results/s; notifications queued <= 5 s after the batch's end.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser

from bench.served import BenchServer
from e2e.harness import flows
from e2e.harness.browser import UserBrowser, open_user_browser
from e2e.harness.server import ServerProcess
from e2e.test_partners import SCREEN, _create_space, _open_partners, _register
from tests.many_members import add_members

COUNT = 500
SITES = 20
SIZE = 200 * 1000
TARGET_PER_S = 20
TARGET_MAIL_S = 5.0
TIMEOUT_MS = 600_000
ORGANIZATION = "Bench laboratory"

NEW_WORKSPACE = """
async (name) => {
  const { createWorkspace, loadWorkspace } = await import(
    `${document.body.dataset.assetBase}web/workspaces.js`);
  const workspaceId = await createWorkspace(name);
  await loadWorkspace(workspaceId);
  return workspaceId;
}
"""

PLAIN_UPLOADS = """
async (workspaceId) => {
  const base = document.body.dataset.assetBase;
  const { cryptoClient } = await import(`${base}web/crypto-client.js`);
  const { IN_FLIGHT } = await import(`${base}web/batch-send.js`);
  const files = Array.from(document.querySelector('#batch-files').files);
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < files.length) {
      const file = files[next];
      next += 1;
      await cryptoClient().upload(file, workspaceId, null, () => {}).promise;
    }
  }));
  return (performance.now() - start) / 1000;
}
"""


def count_from_argv(default: int = COUNT) -> int:
    """`--count N` on the command line (a quicker run), else `default`."""
    if "--count" in sys.argv:
        return int(sys.argv[sys.argv.index("--count") + 1])
    return default


def _batch(folder: Path, count: int) -> tuple[Path, list[Path]]:
    files = []
    rows = ["file,site,sample,category,patient_name,birth_date,comment"]
    for index in range(count):
        path = folder / f"result-{index:04d}.pdf"
        path.write_bytes(b"%PDF-1.7\n" + os.urandom(SIZE - 9))
        files.append(path)
        rows.append(f"{path.name},Site {index % SITES:02d},S-{index:06d},"
                    f"{('normal', 'abnormal', 'urgent')[index % 3]},Patient {index},"
                    f"2026-0{1 + index % 9}-1{index % 9},")
    csv = folder / "batch.csv"
    csv.write_text("\n".join(rows) + "\n")
    return csv, files


def lab(browser: Browser, served: BenchServer) -> tuple[UserBrowser, str, str]:
    """The lab's admin with 20 partner sites, each with one contact and its space, and a
    workspace of theirs for the baseline; and the admin's recovery code."""
    process = ServerProcess(served.config.data_dir, port=served.config.port)
    admin = open_user_browser(browser, viewport=SCREEN, locale="en-GB")
    recovery = flows.bootstrap(admin, process.bootstrap_link(ORGANIZATION), flows.ADMIN)
    baseline_space = admin.page.evaluate(NEW_WORKSPACE, "Plain files")
    created = time.monotonic()
    _open_partners(admin)
    names = [f"Site {index:02d}" for index in range(SITES)]
    for name in names:
        _register(admin, name)
    for index, name in enumerate(names):
        add_members(process.database_path, ORGANIZATION, recovery, 1, first=index, site=name,
                    profile="external")
    flows.go_home(admin)
    _open_partners(admin)  # the page attaches each newly certified contact to their site
    admin.page.wait_for_function("(count) => document.querySelectorAll('.contact').length "
                                 ">= count", arg=SITES, timeout=120_000)
    # A user creates at most 20 workspaces a minute (api/config.py).
    time.sleep(max(0.0, created + 61 - time.monotonic()))
    for name in names:
        _create_space(admin, name)
    return admin, baseline_space, recovery


def _queued_notifications(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("select count(*) from notifications "
                                  "where kind = 'results_waiting'").fetchone()[0]


def measure(browser: Browser, served: BenchServer, count: int | None = None) -> dict:
    count = count or count_from_argv()
    admin, baseline_space, _ = lab(browser, served)
    page = admin.page
    with tempfile.TemporaryDirectory(prefix="paravent-bench-results-") as folder:
        csv, files = _batch(Path(folder), count)
        page.goto(page.url.split("#")[0] + "#/send-results")
        page.wait_for_selector("#batch-title", timeout=TIMEOUT_MS)
        page.set_input_files("#batch-csv", csv)
        page.set_input_files("#batch-files", files)
        started = time.perf_counter()
        page.click("#batch-check")
        page.locator("#batch-send").wait_for(timeout=TIMEOUT_MS)
        check_seconds = time.perf_counter() - started
        page.click("#batch-send")
        done = page.locator("#batch-done[data-sent]")
        page.locator("#batch-done[data-sent], [role=alert]:not([hidden])").first.wait_for(
            timeout=TIMEOUT_MS)
        if not done.count():
            alert = page.locator("[role=alert]:not([hidden])").first.inner_text()
            raise RuntimeError(f"the batch stopped: {alert}")
        routed_seconds = int(done.get_attribute("data-send-ms")) / 1000
        plan_seconds = int(done.get_attribute("data-plan-ms")) / 1000
        mail_seconds = int(done.get_attribute("data-mail-queued-ms")) / 1000
        notified = int(done.get_attribute("data-notified"))
        plain_seconds = page.evaluate(PLAIN_UPLOADS, baseline_space)
    queued = _queued_notifications(ServerProcess(served.config.data_dir).database_path)
    admin.close()
    return {"count": count, "sites": SITES, "bytes": SIZE, "check_seconds": check_seconds,
            "routed_seconds": routed_seconds, "plan_seconds": plan_seconds,
            "plain_seconds": plain_seconds,
            "mail_queued_seconds": mail_seconds, "contacts_notified": notified,
            "notifications_queued": queued}


def report(result: dict) -> list[str]:
    count = result["count"]
    routed = count / result["routed_seconds"]
    plain = count / result["plain_seconds"]
    fast = "meets" if routed >= TARGET_PER_S else "MISSES"
    mail = "meets" if result["mail_queued_seconds"] <= TARGET_MAIL_S else "MISSES"
    return [
        f"result batch: {count} PDFs of {result['bytes'] // 1000} KB into {result['sites']} "
        f"partner spaces, one browser",
        f"  routed (dossier + file each, end to end): {routed:6.1f} results/s ({fast} target "
        f">= {TARGET_PER_S}), {result['routed_seconds']:.1f} s, of which reading the spaces' "
        f"histories and planning {result['plan_seconds']:.1f} s",
        f"  baseline, the same files as plain files into one workspace: {plain:6.1f} files/s, "
        f"{result['plain_seconds']:.1f} s (routed / plain {routed / plain:.2f})",
        f"  checked before sending (hashes, CSV, PDF magic bytes): {result['check_seconds']:.1f} s",
        f"  notifications queued {result['mail_queued_seconds']:.2f} s after the batch's end "
        f"({mail} target <= {TARGET_MAIL_S:.0f} s): {result['contacts_notified']} contacts, "
        f"{result['notifications_queued']} rows in the server's table",
    ]
