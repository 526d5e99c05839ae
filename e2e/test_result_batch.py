"""Sending a batch of results (issue 22, item 2), as a lab user does it: three partner sites,
each with its space (site A with a contact); the lab picks a CSV and the PDFs, the page lists
every problem of a bad batch (in English, and in French) and sends nothing; a good batch shows
its table, then lands one result in each site's space (a dossier with its file), and site A's
contact gets one mail that names no patient. A batch whose connection stops carrying files after
four, then whose page is reloaded (the tab gone: its worker and requests with it), leaves
dossiers without their file; picked again, it completes them and sends each result exactly
once; picked a third time, it sends nothing."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Route, expect

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN, TIMEOUT_MS, Person
from e2e.test_partners import (
    SCREEN,
    _create_space,
    _fetch,
    _invite_contact,
    _open_partners,
    _register,
)

SITES = ("Maternité Alpha", "Maternité Bêta", "Maternité Gamma")
CONTACT_A = Person("Mme Anne Sagefemme", "anne@maternite-alpha.example", SITES[0])
HEADER = "file,site,sample,category,patient_name,birth_date,comment\n"
PATIENTS = ("Jeanne Alpha", "Marc Bêta", "Louise Gamma")
BLOCKS = "**/api/workspaces/*/blocks"


def pdf(label: str, size: int = 4000) -> bytes:
    """A small file that starts as a PDF does."""
    return (b"%PDF-1.7\n%" + label.encode()).ljust(size, b"\n")


def _payload(name: str, content: bytes, mime: str = "application/pdf") -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": content}


def _open_send(user: UserBrowser) -> None:
    user.page.goto(user.page.url.split("#")[0] + "#/send-results")
    user.page.wait_for_selector("#batch-title", timeout=TIMEOUT_MS)


def _pick(user: UserBrowser, csv_text: str, files: dict[str, bytes]) -> None:
    user.page.set_input_files("#batch-csv", [_payload("batch.csv", csv_text.encode(), "text/csv")])
    user.page.set_input_files("#batch-files", [_payload(name, content)
                                               for name, content in files.items()])
    user.page.click("#batch-check")


def _counts(user: UserBrowser, space: str) -> tuple[int, int]:
    """(dossiers, files) the server holds in `space`."""
    return tuple(len(_fetch(user, f"/api/workspaces/{space}/documents?kind={kind}")
                     ["body"]["documents"]) for kind in ("dossier", "file"))


def _lab_with_three_sites(server, new_user, locale: str) -> tuple[UserBrowser, list[str]]:
    admin = new_user(viewport=SCREEN, locale=locale)
    flows.bootstrap(admin, server.bootstrap_link("Laboratoire de dépistage"), ADMIN)
    _open_partners(admin)
    for site in SITES:
        _register(admin, site)
    return admin, [_create_space(admin, site) for site in SITES]


def _good_batch(samples: list[str]) -> tuple[str, dict[str, bytes]]:
    rows = [f"r{index}.pdf,{SITES[index % 3]},{sample},"
            f"{('normal', 'abnormal', 'urgent')[index % 3]},"
            f"{PATIENTS[index % 3]} {index},2026-0{1 + index % 9}-1{index % 9},"
            for index, sample in enumerate(samples)]
    return HEADER + "\n".join(rows) + "\n", {f"r{index}.pdf": pdf(sample)
                                            for index, sample in enumerate(samples)}


def test_a_batch_reaches_three_partner_sites_and_a_bad_one_sends_nothing(
        server, new_user, smtp_server):
    admin, spaces = _lab_with_three_sites(server, new_user, "en-GB")
    contact = new_user(viewport=SCREEN, locale="en-GB")
    _invite_contact(admin, contact, CONTACT_A)

    _open_send(admin)
    assert_accessible(admin.page, "send results, nothing picked")
    bad = HEADER + ("a.pdf,Maternité Nowhere,S-1,normal,Jeanne,2026-01-02,\n"
                    "b.pdf,Maternité Alpha,S-1,positive,Marc,2026-01-02,\n"
                    "c.pdf,Maternité Bêta,S-3,urgent,Louise,2026-01-02,\n")
    _pick(admin, bad, {"a.pdf": pdf("a"), "b.pdf": b"PK\x03\x04 not a pdf", "d.pdf": pdf("d")})
    problems = admin.page.locator("#batch-problems li")
    expect(problems).to_have_text([
        "Line 2: no partner space of yours is called Maternité Nowhere.",
        "Line 3: b.pdf is not a PDF (its content is not a PDF's, whatever its name).",
        "Line 3: the category positive is not one of normal, abnormal, urgent.",
        "Line 3: the sample S-1 is already on line 2.",
        "Line 4: the file c.pdf is not among the files picked.",
        "The file d.pdf was picked but the CSV does not name it."], timeout=TIMEOUT_MS)
    expect(admin.page.locator("#batch-send")).to_have_count(0)
    assert_accessible(admin.page, "send results, problems listed")
    assert [_counts(admin, space) for space in spaces] == [(0, 0)] * 3

    csv_text, files = _good_batch(["S-100", "S-200", "S-300"])
    _pick(admin, csv_text, files)
    expect(admin.page.locator("#batch-table tbody tr")).to_have_count(3, timeout=TIMEOUT_MS)
    expect(admin.page.locator("#batch-problems")).to_be_hidden()
    assert_accessible(admin.page, "send results, batch to confirm")
    admin.page.click("#batch-send")
    done = admin.page.locator("#batch-done")
    expect(done).to_have_text("3 results sent to 3 partner space(s). 1 contact notified.",
                              timeout=TIMEOUT_MS)
    expect(admin.page.locator("#batch-progress")).to_have_attribute("value", "3")
    assert [_counts(admin, space) for space in spaces] == [(1, 1)] * 3

    # Each result is in its own site's space, read by the lab's browser from the history.
    admin.page.goto(admin.page.url.split("#")[0] + f"#/w/{spaces[1]}")
    expect(admin.page.locator("#dossier-table")).to_contain_text("Marc Bêta 1",
                                                                 timeout=TIMEOUT_MS)
    expect(admin.page.locator("#dossier-table")).not_to_contain_text("Jeanne Alpha")

    # Site A's contact: one mail, with no patient, sample or category in it.
    mails = smtp_server.mailbox.wait_for(CONTACT_A.email, 1)
    assert len(mails) == 1
    text = mails[0].as_string()
    for marker in ("Jeanne", "S-100", "normal", "Alpha 0"):
        assert marker not in text


def test_batch_problems_are_explained_in_french(server, new_user):
    admin = new_user(viewport=SCREEN, locale="fr-FR")
    flows.bootstrap(admin, server.bootstrap_link("Laboratoire en français"), ADMIN)
    _open_partners(admin)
    _register(admin, SITES[0])
    _create_space(admin, SITES[0])
    _open_send(admin)
    expect(admin.page.locator("#batch-title")).to_have_text("Envoyer des résultats")
    _pick(admin, HEADER + "a.pdf,Maternité Alpha,S-1,urgente,Jeanne,02/01/2026,\n"
          "a.pdf,Maternité Zêta,S-2,normal,Marc,2026-01-02,\n", {"a.pdf": pdf("a")})
    expect(admin.page.locator("#batch-problems-title")).to_have_text(
        "Rien n\u2019a été envoyé : corrigez ces problèmes et vérifiez à nouveau",
        timeout=TIMEOUT_MS)
    expect(admin.page.locator("#batch-problems li")).to_have_text([
        "Ligne 2 : la catégorie urgente n\u2019est pas l\u2019une de normal, abnormal, urgent.",
        "Ligne 2 : la date de naissance 02/01/2026 n\u2019est pas une date passée écrite "
        "AAAA-MM-JJ.",
        "Ligne 3 : aucun de vos espaces partenaires ne s\u2019appelle Maternité Zêta.",
        "Ligne 3 : le fichier a.pdf est déjà utilisé ligne 2."], timeout=TIMEOUT_MS)
    assert_accessible(admin.page, "fr-FR send results, problems listed")


def test_an_interrupted_batch_resumes_and_sends_each_result_once(server, new_user):
    admin, spaces = _lab_with_three_sites(server, new_user, "en-GB")
    samples = [f"S-{index:03}" for index in range(24)]
    csv_text, files = _good_batch(samples)
    _open_send(admin)
    _pick(admin, csv_text, files)
    # The connection carries the blocks of four files, then nothing more of them; the tab goes
    # away once the server holds those four files (and whichever dossiers went meanwhile).
    passed: list[str] = []

    def four_files_only(route: Route) -> None:
        if len(passed) < 4:
            passed.append(route.request.url)
            route.continue_()

    admin.context.route(BLOCKS, four_files_only)
    admin.page.click("#batch-send")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while sum(files for _, files in (_counts(admin, space) for space in spaces)) < 4:
        assert time.monotonic() < deadline, "no result reached the server"
        time.sleep(0.2)
    admin.page.reload()
    admin.context.unroute(BLOCKS, four_files_only)
    wait_for_crypto_ready(admin.page)
    admin.page.click("#unlock-passkey, #sign-in-passkey")
    admin.page.wait_for_selector("#batch-title", timeout=TIMEOUT_MS)
    stored = [_counts(admin, space) for space in spaces]
    assert sum(files for _, files in stored) == 4
    assert sum(dossiers for dossiers, _ in stored) >= 4

    _pick(admin, csv_text, files)
    admin.page.click("#batch-send")
    done = admin.page.locator("#batch-done")
    expect(done).to_contain_text("results sent to 3 partner space(s)", timeout=TIMEOUT_MS)
    sent_now, already = (int(done.get_attribute(name)) for name in ("data-sent", "data-already"))
    assert sent_now + already == len(samples) and already >= 1
    assert [_counts(admin, space) for space in spaces] == [(8, 8)] * 3

    # Picked a third time, the batch is recognised as sent: nothing is sent again.
    _open_send(admin)
    _pick(admin, csv_text, files)
    admin.page.click("#batch-send")
    expect(done).to_contain_text("24 were already sent before.", timeout=TIMEOUT_MS)
    assert [_counts(admin, space) for space in spaces] == [(8, 8)] * 3
