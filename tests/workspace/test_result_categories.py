"""The categories of unopened results the board read, kept sealed by the browser: the board's next
visit knows which results are urgent without decrypting them again, believes a category only
for the version it was read from, and ignores a record that is not this user's of this space."""

from __future__ import annotations

import pytest

from pycrypto_wasm import canonical, envelope
from pycrypto_wasm.exceptions import CryptoError, MalformedError, UnsupportedVersionError
from pycrypto_wasm.framing import frame
from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.workspace import result_categories
from pycrypto_wasm.workspace.history import History, RecordedVersion
from tests.crypto.browsers import ok
from tests.workspace.conftest import SharedWorkspace

KEY = bytes([3]) * 32
PLACE = {"organization": "o-1", "workspace": "w-1", "user_id": "u-lab"}
HASH = bytes([7]) * 32
URGENT = {"sample": "S-0042", "category": "urgent", "comment": "", "batch": "b-7"}


def test_sealed_categories_open_only_for_their_user_and_space():
    sealed = result_categories.seal_categories(KEY, {"d-1": (HASH, "urgent")}, **PLACE)
    assert result_categories.open_categories(KEY, sealed, **PLACE) == {"d-1": (HASH, "urgent")}
    for other in ({"user_id": "u-other"}, {"workspace": "w-2"}, {"organization": "o-2"}):
        with pytest.raises(CryptoError):
            result_categories.open_categories(KEY, sealed, **{**PLACE, **other})
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(CryptoError):
        result_categories.open_categories(KEY, bytes(tampered), **PLACE)
    with pytest.raises(UnsupportedVersionError):
        result_categories.open_categories(KEY, bytes([2]) + sealed[1:], **PLACE)


@pytest.mark.parametrize("entry", [[HASH, "secret"], [HASH[:31], "urgent"], ["urgent"]])
def test_a_malformed_entry_is_refused(entry):
    sealed = frame(result_categories.VERSION, envelope.seal(
        KEY, result_categories._context(PLACE["organization"], PLACE["workspace"],
                                        PLACE["user_id"]),
        canonical.encode({"d-1": entry})))
    with pytest.raises(MalformedError):
        result_categories.open_categories(KEY, sealed, **PLACE)


def test_a_category_counts_only_for_the_version_it_was_read_from():
    history = History("o-1", "w-1")
    for dossier_id, version_hash, deleted in (("d-read", HASH, False),
                                              ("d-changed", bytes(32), False),
                                              ("d-deleted", HASH, True)):
        history.latest[dossier_id] = RecordedVersion(
            dossier_id, "dossier", 2, version_hash, 0, "u-lab", 3, deleted)
    known = {name: (HASH, "urgent") for name in ("d-read", "d-changed", "d-deleted", "d-gone")}
    assert result_categories.current(history, known) == {"d-read": (HASH, "urgent")}


def _result(lab: CryptoService, space: SharedWorkspace, result: dict, *,
            document_id: str | None = None, version: int = 0) -> dict:
    return space.store(lab, ok(lab.handle("dossier.save", {
        "workspace_id": space.workspace_id, "expected_version": version,
        **({"document_id": document_id} if document_id else {}),
        "fields": {"patient_name": "Jeanne Dupont", "birth_date": "2026-01-02",
                   "result": result}})))


def _read(lab: CryptoService, space: SharedWorkspace, saved: dict, version: int) -> dict:
    """What the board reads of a row: the result, with its delivery."""
    return ok(lab.handle("receipts.results", {
        "workspace_id": space.workspace_id, "wanted": [saved["document_id"]],
        "documents": [{"document_id": saved["document_id"], "version": version,
                       "manifest": saved["manifest"]}]}))


def _board_categories(lab: CryptoService, space: SharedWorkspace,
                      sealed: bytes | None) -> dict:
    return ok(lab.handle("receipts.board", {"workspace_id": space.workspace_id,
                                            "categories": sealed}))["categories"]


def _next_visit(lab: CryptoService) -> None:
    """What the worker learned this session forgotten, as after a reload."""
    lab._state.result_categories.clear()


def _kept(lab: CryptoService, space: SharedWorkspace, dossier_ids: list[str]) -> bytes | None:
    """The categories the lab's worker knows of `dossier_ids`, sealed for the page to keep."""
    return ok(lab.handle("receipts.keep_categories", {
        "workspace_id": space.workspace_id, "dossier_ids": dossier_ids}))["sealed"]


def _urgent_read(lab: CryptoService, space: SharedWorkspace) -> tuple[dict, bytes]:
    """The lab sends an urgent result, its board reads it and keeps its category."""
    space.open(lab, "u-admin")
    saved = _result(lab, space, URGENT)
    _read(lab, space, saved, 1)
    sealed = _kept(lab, space, [saved["document_id"]])
    assert sealed is not None
    return saved, sealed


def test_the_board_knows_an_unopened_results_category_at_the_next_visit(team):
    lab, _, space = team
    space.open(lab, "u-admin")
    saved = _result(lab, space, URGENT)
    dossier_id = saved["document_id"]
    assert _board_categories(lab, space, None) == {}
    assert _kept(lab, space, [dossier_id]) is None
    read = _read(lab, space, saved, 1)
    assert read["dossiers"][0]["fields"]["result"] == URGENT
    assert (read["deliveries"][dossier_id]["version"], read["deliveries"][dossier_id]["opened"]) \
        == (1, [])
    sealed = _kept(lab, space, [dossier_id])
    assert b"urgent" not in sealed and dossier_id.encode() not in sealed
    _next_visit(lab)
    assert _board_categories(lab, space, None) == {}
    assert _board_categories(lab, space, sealed) == {dossier_id: "urgent"}
    assert _kept(lab, space, []) is None


def test_a_corrected_result_is_read_again_before_its_category_counts(team):
    lab, _, space = team
    saved, sealed = _urgent_read(lab, space)
    corrected = _result(lab, space, {**URGENT, "category": "normal"},
                        document_id=saved["document_id"], version=1)
    _next_visit(lab)
    assert _board_categories(lab, space, sealed) == {}
    _read(lab, space, corrected, 2)
    assert _board_categories(lab, space, sealed) == {saved["document_id"]: "normal"}


def test_a_record_of_another_space_or_altered_is_ignored(team):
    lab, _, space = team
    _, sealed = _urgent_read(lab, space)
    other = SharedWorkspace.created(lab, "u-admin", "Another space")
    other.open(lab, "u-admin")
    _next_visit(lab)
    assert _board_categories(lab, other, sealed) == {}
    altered = bytearray(sealed)
    altered[10] ^= 1
    assert _board_categories(lab, space, bytes(altered)) == {}
    assert _board_categories(lab, space, b"\x01") == {}
