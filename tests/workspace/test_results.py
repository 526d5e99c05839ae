"""Results sent to partner spaces: the `result` field is checked where a dossier is sealed, a
batch's CSV is checked before anything is sent (every problem named with its line), and a
result's ids are the same each time in one space (so a resumed batch knows what it sent) but
not across spaces."""

from __future__ import annotations

import pytest

from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.workspace.results import (
    CATEGORIES,
    MalformedResultError,
    check_batch,
    check_result,
    result_ids,
)
from tests.crypto.browsers import ok
from tests.workspace.conftest import SharedWorkspace

HEADER = "file,site,sample,category,patient_name,birth_date,comment\n"
FILES = {"a.pdf": True, "b.pdf": True}
SITES = ["Maternité A", "Maternité B"]
RESULT = {"sample": "S-0001", "category": "urgent", "comment": "", "batch": "b-1"}


def _codes(text: str, files: dict[str, bool] = FILES, sites: list[str] = SITES) -> list[
        tuple[str, int]]:
    return [(problem.code, problem.line) for problem in check_batch(text, files, sites).problems]


def test_a_good_batch_gives_its_rows_with_the_sites_as_registered():
    checked = check_batch(HEADER + "a.pdf,maternité a,S-1,Normal,Jeanne Dupont,2026-01-02,\n"
                          "b.pdf,Maternité B,S-2,urgent,Marc Martin,2026-02-03,call now\n",
                          FILES, SITES)
    assert checked.problems == []
    assert [(row.site, row.category, row.comment) for row in checked.rows] == [
        ("Maternité A", "normal", ""), ("Maternité B", "urgent", "call now")]


def test_a_french_spreadsheet_csv_with_semicolons_and_a_bom_is_read():
    text = "\ufefffile;site;sample;category;patient_name;birth_date\n" \
           "a.pdf;Maternité A;S-1;abnormal;Dupont, Jeanne;2026-01-02\n"
    checked = check_batch(text, {"a.pdf": True}, SITES)
    assert checked.problems == []
    assert checked.rows[0].patient_name == "Dupont, Jeanne"


def test_every_problem_of_a_batch_is_named_with_its_line_and_no_row_is_given():
    text = HEADER + ("a.pdf,Nowhere,S-1,normal,Jeanne,2026-01-02,\n"
                     "c.pdf,Maternité A,S-1,positive,Marc,02/03/2026,\n"
                     "a.pdf,Maternité B,,normal,,2026-01-02,\n")
    checked = check_batch(text, {"a.pdf": True, "b.pdf": False}, SITES)
    assert checked.rows == []
    assert [(p.code, p.line) for p in checked.problems] == [
        ("unknown_site", 2), ("missing_file", 3), ("bad_category", 3), ("bad_birth_date", 3),
        ("duplicate_sample", 3), ("bad_sample", 4), ("bad_patient_name", 4),
        ("duplicate_file", 4), ("extra_file", 0)]
    duplicate = checked.problems[4]
    assert duplicate.params == {"sample": "S-1", "first": "2"}


def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name():
    assert ("not_pdf", 2) in _codes(HEADER + "a.pdf,Maternité A,S-1,normal,J,2026-01-02,\n",
                                    {"a.pdf": False})


@pytest.mark.parametrize(("text", "expected"), [
    ("", [("empty_batch", 0)]),
    (HEADER, [("empty_batch", 0)]),
    ("file,site,sample\na.pdf,Maternité A,S-1\n",
     [("missing_column", 1), ("missing_column", 1), ("missing_column", 1)]),
    (HEADER.replace("comment", "notes") + "a.pdf,Maternité A,S-1,normal,J,2026-01-02,x\n",
     [("unknown_column", 1)]),
    (HEADER + 'a.pdf,"Maternité A,S-1,normal,J,2026-01-02,\n', [("csv_syntax", 2)]),
    (HEADER + "a.pdf,Maternité A,S-1\nb.pdf,Maternité A,S-2,normal,J,2026-01-02,\n",
     [("wrong_cell_count", 2), ("extra_file", 0)]),
])
def test_a_csv_that_cannot_be_read_says_why(text, expected):
    assert _codes(text) == expected


def test_the_result_field_is_checked():
    assert check_result(RESULT) == RESULT
    assert CATEGORIES == ("normal", "abnormal", "urgent")
    for bad in ({**RESULT, "category": "positive"}, {**RESULT, "sample": ""},
                {**RESULT, "sample": "   "}, {**RESULT, "sample": "x" * 65},
                {**RESULT, "patient": "J"}, {k: v for k, v in RESULT.items() if k != "batch"},
                "S-0001"):
        with pytest.raises(MalformedResultError):
            check_result(bad)


def test_ids_are_the_same_in_one_space_and_unrelated_across_spaces():
    space, other = bytes(32), bytes([1]) * 32
    dossier_id, file_id = result_ids(space, "b-1", "S-1")
    assert result_ids(space, "b-1", "S-1") == (dossier_id, file_id)
    assert dossier_id.startswith("d-") and file_id.startswith("f-") and len(dossier_id) == 26
    assert dossier_id[2:] != file_id[2:]
    assert result_ids(other, "b-1", "S-1")[0] != dossier_id
    assert result_ids(space, "b-2", "S-1")[0] != dossier_id


def _save(admin: CryptoService, space: SharedWorkspace, fields: dict, **extra) -> dict:
    return admin.handle("dossier.save", {"workspace_id": space.workspace_id,
                                         "expected_version": 0, "fields": fields, **extra})


def test_a_result_is_sealed_as_a_dossier_and_a_malformed_one_is_refused(team):
    admin, _, space = team
    space.open(admin, "u-admin")
    bad = _save(admin, space, {"patient_name": "J", "result": {**RESULT, "category": "x"}})
    assert bad["error"]["code"] == "bad_result"
    planned = ok(admin.handle("results.plan", {"workspace_id": space.workspace_id,
                                               "batch": "b-1", "samples": ["S-1", "S-2"]}))
    first = planned["results"][0]
    assert (first["dossier_sent"], first["file_sent"]) == (False, False)
    saved = space.store(admin, ok(_save(admin, space, {
        "patient_name": "Jeanne Dupont", "birth_date": "2026-01-02", "result": RESULT},
        document_id=first["dossier_id"])))
    assert saved["document_id"] == first["dossier_id"]
    replanned = ok(admin.handle("results.plan", {"workspace_id": space.workspace_id,
                                                 "batch": "b-1", "samples": ["S-1", "S-2"]}))
    assert [(r["dossier_id"], r["dossier_sent"], r["file_sent"])
            for r in replanned["results"]] == [
        (first["dossier_id"], True, False), (planned["results"][1]["dossier_id"], False, False)]
    read = ok(admin.handle("dossier.read", {"workspace_id": space.workspace_id, "documents": [
        {"document_id": saved["document_id"], "version": 1, "manifest": saved["manifest"]}]}))
    assert read["dossiers"][0]["fields"]["result"] == RESULT


def test_a_batch_check_names_problems_through_the_worker():
    browser = CryptoService()
    reply = ok(browser.handle("results.check_batch", {
        "csv": HEADER + "a.pdf,Nowhere,S-1,normal,J,2026-01-02,\n",
        "files": [{"name": "a.pdf", "pdf": True}], "sites": SITES}))
    assert reply == {"rows": [], "problems": [
        {"code": "unknown_site", "line": 2, "params": {"site": "Nowhere"}}]}
