"""Laboratory results sent to partner spaces: the `result` field of a dossier, the check of a
batch's CSV before anything leaves the browser, and each result's ids.

A result is a dossier of the partner site's space (encrypted and signed like every dossier)
whose PDF is a file of that dossier. Its fields are the patient identifiers (`patient_name`,
`birth_date`) and `result`: the sample (or request) number, the category, a free comment and
the batch it came in.

Ids are deterministic so that a batch that was interrupted resumes without sending anything
twice: a result's dossier and file ids are a keyed hash of the batch and the sample under a key
derived from the space's key, so the same batch gives the same ids in the same space, and the
server, which does not hold the key, cannot link one batch's ids across spaces.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pycrypto_wasm import hashing
from pycrypto_wasm.exceptions import CryptoError

CATEGORIES = ("normal", "abnormal", "urgent")
MAX_SAMPLE = 64
MAX_BATCH = 64
MAX_COMMENT = 2000
MAX_PATIENT_NAME = 200
MAX_ROWS = 5000
ID_CONTEXT = "pvresult"  # libsodium's KDF context: 8 ASCII characters
DOSSIER_SUBKEY = 1
FILE_SUBKEY = 2
ID_HEX = 24

REQUIRED_COLUMNS = ("file", "site", "sample", "category", "patient_name", "birth_date")
OPTIONAL_COLUMNS = ("comment",)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class MalformedResultError(CryptoError, ValueError):
    """A dossier's `result` field is not a result: what is wrong is said."""

    code = "bad_result"


def _text(value: dict[str, Any], name: str, *, low: int, high: int) -> str:
    text = value.get(name)
    if not isinstance(text, str) or not low <= len(text) <= high:
        raise MalformedResultError(
            f"a result's {name!r} must be text of {low} to {high} characters")
    return text


def check_result(value: object) -> dict[str, str]:
    """The `result` field, checked: exactly sample, category, comment and batch."""
    if not isinstance(value, Mapping):
        raise MalformedResultError("a result must be an object")
    value = dict(value)
    unknown = set(value) - {"sample", "category", "comment", "batch"}
    if unknown:
        raise MalformedResultError(f"unknown result fields: {sorted(unknown)}")
    category = value.get("category")
    if category not in CATEGORIES:
        raise MalformedResultError(f"a result's category is one of {', '.join(CATEGORIES)}")
    sample = _text(value, "sample", low=1, high=MAX_SAMPLE)
    if not sample.strip():
        raise MalformedResultError("a result's sample number cannot be blank")
    return {"sample": sample, "category": category,
            "comment": _text(value, "comment", low=0, high=MAX_COMMENT),
            "batch": _text(value, "batch", low=1, high=MAX_BATCH)}


def _subkey(space_key: bytes, subkey_id: int) -> bytes:
    return hashing.derive_subkey(space_key, subkey_id=subkey_id, context=ID_CONTEXT)


def result_ids(space_key: bytes, batch: str, sample: str) -> tuple[str, str]:
    """(dossier id, file id) of the batch's result for `sample` in the space of `space_key`."""
    message = f"{batch}\n{sample}".encode()
    dossier = hashing.blake2b(message, key=_subkey(space_key, DOSSIER_SUBKEY), size=16)
    file = hashing.blake2b(message, key=_subkey(space_key, FILE_SUBKEY), size=16)
    return f"d-{dossier.hex()[:ID_HEX]}", f"f-{file.hex()[:ID_HEX]}"


# -- a batch's CSV ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """Something wrong with a batch: a code the page translates, the CSV line (1 is the
    header; 0 when it concerns no line) and what the message names."""

    code: str
    line: int = 0
    params: dict[str, str] = field(default_factory=dict)

    def to_value(self) -> dict[str, Any]:
        return {"code": self.code, "line": self.line, "params": self.params}


@dataclass(frozen=True)
class BatchRow:
    """One result of a checked batch."""

    line: int
    file: str
    site: str
    sample: str
    category: str
    patient_name: str
    birth_date: str
    comment: str

    def to_value(self) -> dict[str, Any]:
        return {"line": self.line, "file": self.file, "site": self.site, "sample": self.sample,
                "category": self.category, "patient_name": self.patient_name,
                "birth_date": self.birth_date, "comment": self.comment}


@dataclass(frozen=True)
class CheckedBatch:
    rows: list[BatchRow]
    problems: list[Problem]


def _dialect(text: str) -> str:
    """The separator: `;` (as a French spreadsheet writes CSV) if the header has more of them
    than commas, else `,`."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _records(text: str) -> tuple[list[list[str]], Problem | None]:
    try:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""),
                            delimiter=_dialect(text), strict=True)
        return [record for record in reader], None
    except csv.Error as error:
        return [], Problem("csv_syntax", reader.line_num, {"detail": str(error)})


def _header(record: list[str]) -> tuple[dict[str, int], list[Problem]]:
    names = [name.strip().lower() for name in record]
    problems = [Problem("missing_column", 1, {"column": column})
                for column in REQUIRED_COLUMNS if column not in names]
    problems += [Problem("unknown_column", 1, {"column": name}) for name in names
                 if name and name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    return {name: index for index, name in enumerate(names)}, problems


def _valid_date(text: str) -> bool:
    if not ISO_DATE.match(text):
        return False
    try:
        return date.fromisoformat(text) <= date.today()
    except ValueError:
        return False


def _row_problems(row: BatchRow, sites: dict[str, str], files: dict[str, bool]) -> list[Problem]:
    line = row.line
    checks = [
        (row.site.casefold() not in sites, "unknown_site", {"site": row.site}),
        (row.file not in files, "missing_file", {"file": row.file}),
        (files.get(row.file) is False, "not_pdf", {"file": row.file}),
        (not 1 <= len(row.sample) <= MAX_SAMPLE, "bad_sample", {"sample": row.sample[:80]}),
        (row.category not in CATEGORIES, "bad_category",
         {"category": row.category[:40], "allowed": ", ".join(CATEGORIES)}),
        (not 1 <= len(row.patient_name) <= MAX_PATIENT_NAME, "bad_patient_name", {}),
        (not _valid_date(row.birth_date), "bad_birth_date", {"date": row.birth_date[:40]}),
        (len(row.comment) > MAX_COMMENT, "long_comment", {"max": str(MAX_COMMENT)}),
    ]
    return [Problem(code, line, params) for failed, code, params in checks if failed]


def check_batch(text: str, files: dict[str, bool], sites: list[str]) -> CheckedBatch:
    """Check a batch before anything is sent: its CSV (`text`) against the files picked (name
    -> whether it starts as a PDF does) and the partner sites the sender can send to. Every
    problem is listed with its line, in the CSV's order (those of no line last); a batch with
    problems has no rows."""
    records, syntax = _records(text)
    if syntax:
        return CheckedBatch([], [syntax])
    records = [record for record in records if any(cell.strip() for cell in record)]
    if len(records) < 2:
        return CheckedBatch([], [Problem("empty_batch")])
    if len(records) > MAX_ROWS + 1:
        return CheckedBatch([], [Problem("too_many_rows", 0, {"max": str(MAX_ROWS)})])
    columns, problems = _header(records[0])
    if problems:
        return CheckedBatch([], problems)
    known = {site.casefold(): site for site in sites}
    rows: list[BatchRow] = []
    for line, record in enumerate(records[1:], start=2):
        if len(record) != len(records[0]):
            problems.append(Problem("wrong_cell_count", line,
                                    {"found": str(len(record)), "expected": str(len(records[0]))}))
            continue
        cell = {name: record[index].strip() for name, index in columns.items()}
        row = BatchRow(line, cell["file"], known.get(cell["site"].casefold(), cell["site"]),
                       cell["sample"], cell["category"].lower(), cell["patient_name"],
                       cell["birth_date"], cell.get("comment", ""))
        problems += _row_problems(row, known, files)
        rows.append(row)
    problems += _repeats(rows, "file", "duplicate_file")
    problems += _repeats(rows, "sample", "duplicate_sample")
    named = {row.file for row in rows}
    problems += [Problem("extra_file", 0, {"file": name}) for name in sorted(files)
                 if name not in named]
    problems.sort(key=lambda problem: (problem.line == 0, problem.line))
    return CheckedBatch([] if problems else rows, problems)


def _repeats(rows: list[BatchRow], attribute: str, code: str) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for row in rows:
        value = getattr(row, attribute)
        if value in first:
            problems.append(Problem(code, row.line, {attribute: value,
                                                     "first": str(first[value])}))
        else:
            first[value] = row.line
    return problems

