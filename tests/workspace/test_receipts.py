"""Proof of receipt: a partner's browser signs that it opened (and acknowledged) the version of a
result the history records; the lab's browser replays each result's delivery from the verified
history, counting only receipts their authors had the right to write about a recorded version,
and keeps every delivery in its checkpoint of the history (a space opened from it needs no
entry before it, for the board or for a receipt); workflow settings written before receipts
existed stay valid."""

from __future__ import annotations

import json

import pytest

from pycrypto_wasm import envelope
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service import history as history_service
from pycrypto_wasm.service.params import from_b64, to_b64
from pycrypto_wasm.workspace import checkpoint
from pycrypto_wasm.workspace.workflow import DEFAULT_POLICY, LATER_KINDS, check_workflow, may_append
from tests.crypto.browsers import ok
from tests.workspace.conftest import SharedWorkspace

RESULT = {"sample": "S-0042", "category": "urgent", "comment": "", "batch": "b-7"}


def _sent(admin: CryptoService, member: CryptoService, space: SharedWorkspace,
          role: str = "contributor") -> str:
    """The lab (admin) shares its space with the partner (member) and sends one result."""
    space.open(admin, "u-admin")
    space.share(admin, "u-admin", "u-new", role)
    saved = space.store(admin, ok(admin.handle("dossier.save", {
        "workspace_id": space.workspace_id, "expected_version": 0,
        "fields": {"patient_name": "Jeanne Dupont", "birth_date": "2026-01-02",
                   "result": RESULT}})))
    space.open(member, "u-new")
    space.sync(member)
    return saved["document_id"]


def _deliveries(browser: CryptoService, space: SharedWorkspace, dossier_id: str) -> dict:
    space.sync(browser)
    return ok(browser.handle("receipts.deliveries", {
        "workspace_id": space.workspace_id, "dossier_ids": [dossier_id]}))["deliveries"]


def _receipt(browser: CryptoService, space: SharedWorkspace, dossier_id: str,
             kind: str = "result_opened") -> dict:
    return browser.handle("receipts.write", {"workspace_id": space.workspace_id,
                                             "dossier_id": dossier_id, "kind": kind})


def test_the_partner_signs_opening_and_acknowledging_and_the_lab_sees_both_once(team):
    admin, member, space = team
    dossier_id = _sent(admin, member, space)
    before = _deliveries(admin, space, dossier_id)[dossier_id]
    assert (before["version"], before["sent_by"], before["opened"]) == (1, "u-admin", [])
    space.store(member, ok(_receipt(member, space, dossier_id)))
    assert ok(_receipt(member, space, dossier_id)) == {"log_entry": None}
    space.store(member, ok(_receipt(member, space, dossier_id, "result_acknowledged")))
    delivery = _deliveries(admin, space, dossier_id)[dossier_id]
    assert [(r["user_id"], r["version"]) for r in delivery["opened"]] == [("u-new", 1)]
    assert [r["user_id"] for r in delivery["acknowledged"]] == ["u-new"]
    assert delivery["problems"] == []
    kinds = [entry["kind"] for entry in space.sync(admin)["entries"]]
    assert kinds == ["result_opened", "result_acknowledged"]


def _forged(browser: CryptoService, space: SharedWorkspace, dossier_id: str,
            public: dict) -> dict:
    """A receipt sealed by the worker's own code, bypassing its checks (a tampered page)."""
    entry = history_service.next_entry(browser._state, space.workspace_id, "result_opened",
                                       content={"dossier_id": dossier_id}, public=public)
    return {**entry, "seq": None}


def test_a_receipt_of_a_version_the_history_does_not_record_does_not_count(team):
    admin, member, space = team
    dossier_id = _sent(admin, member, space)
    space.log.append(_forged(member, space, dossier_id,
                             {"dossier_id": dossier_id, "version": 1, "hash": bytes(32)}))
    delivery = _deliveries(admin, space, dossier_id)[dossier_id]
    assert delivery["opened"] == []
    assert delivery["problems"] == [
        "receipt 4 names a version of the result its history does not record"]


def test_a_receipt_by_a_member_without_the_right_is_shown_forged_and_does_not_count(team):
    admin, member, space = team
    dossier_id = _sent(admin, member, space, role="reader")
    assert _receipt(member, space, dossier_id)["error"]["code"] == "forbidden"
    history = member._state.histories[space.workspace_id].history
    record = history.latest[dossier_id]
    space.log.append(_forged(member, space, dossier_id, {
        "dossier_id": dossier_id, "version": 1, "hash": record.hash}))
    delivery = _deliveries(admin, space, dossier_id)[dossier_id]
    assert delivery["opened"] == []
    assert delivery["problems"][0].startswith("receipt 4 is forged: a reader may not record")


def test_a_receipt_signed_by_someone_else_than_its_author_breaks_the_chain(team):
    admin, member, space = team
    dossier_id = _sent(admin, member, space)
    written = ok(_receipt(member, space, dossier_id))["log_entry"]
    tampered = bytearray(from_b64(written["entry"], "entry"))
    tampered[-1] ^= 1
    space.log.append({**written, "entry": to_b64(bytes(tampered))})
    read = space.sync(admin)
    assert read["chain"]["verified"] is False
    assert _receipt(admin, space, dossier_id)["error"]["code"] == "untrusted_history"


def _from_checkpoint(browser: CryptoService, space: SharedWorkspace, user_id: str) -> dict:
    """The browser opens the space whole (sealing its checkpoint), then again from that
    checkpoint with only the entries after it, as web/workspaces.js does on the next visit."""
    checkpoint = space.open(browser, user_id)["chain"]["checkpoint"]
    assert checkpoint is not None
    opened = space.open(browser, user_id, checkpoint=checkpoint,
                        entries=list(space.log)[checkpoint["seq"] - 1:])
    assert browser._state.histories[space.workspace_id].history.base.chain.length
    return opened


def _board(browser: CryptoService, space: SharedWorkspace) -> list:
    return json.loads(ok(browser.handle("receipts.board",
                                        {"workspace_id": space.workspace_id}))["rows"])


def test_a_space_opened_from_its_checkpoint_knows_every_delivery_without_its_log(team):
    admin, member, space = team
    opened_id = _sent(admin, member, space)
    space.store(member, ok(_receipt(member, space, opened_id)))
    space.store(member, ok(_receipt(member, space, opened_id, "result_acknowledged")))
    space.log.append(_forged(member, space, opened_id,
                             {"dossier_id": opened_id, "version": 1, "hash": bytes(32)}))
    whole = _deliveries(admin, space, opened_id)
    board = _board(admin, space)
    _from_checkpoint(admin, space, "u-admin")
    history = admin._state.histories[space.workspace_id].history
    assert history.board_text is not None
    assert _board(admin, space) == board, "the board's rows as the checkpoint keeps them"
    assert history.board_text is not None, "the board built every record of the space"
    delivery = ok(admin.handle("receipts.deliveries", {
        "workspace_id": space.workspace_id, "dossier_ids": [opened_id, "d-unknown"]}))[
        "deliveries"]
    assert delivery == whole, "one delivery found in the checkpoint's columns"
    assert history.board_text is not None, "reading one delivery built every record"
    assert len(history.deliveries) == 1
    assert history.board_text is None
    delivery = ok(admin.handle("receipts.deliveries", {
        "workspace_id": space.workspace_id, "dossier_ids": [opened_id]}))["deliveries"]
    assert delivery == whole
    assert [r["user_id"] for r in delivery[opened_id]["acknowledged"]] == ["u-new"]
    assert len(delivery[opened_id]["problems"]) == 1
    assert [row[0] for row in _board(admin, space)] == [opened_id]
    assert _board(admin, space)[0][2:] == [1, 1, 1]


def test_a_space_opened_from_its_checkpoint_reads_its_unopened_results_without_its_records(
        team, monkeypatch):
    """The board reads every unopened result of every space at each visit: those come from
    the checkpoint's state; the records of thousands of others are opened for another one."""
    admin, member, space = team
    opened_id = _sent(admin, member, space)
    space.store(member, ok(_receipt(member, space, opened_id)))
    waiting_id = space.store(admin, ok(admin.handle("dossier.save", {
        "workspace_id": space.workspace_id, "expected_version": 0,
        "fields": {"patient_name": "Paul Martin", "result": RESULT}})))["document_id"]
    space.sync(admin)
    _from_checkpoint(admin, space, "u-admin")
    purposes: list[str] = []
    open_envelope = envelope.open_

    def recording(key: bytes, context: Context, sealed: bytes) -> bytes:
        purposes.append(context.purpose)
        return open_envelope(key, context, sealed)

    monkeypatch.setattr(envelope, "open_", recording)
    assert {row[0] for row in _board(admin, space)} == {opened_id, waiting_id}
    waiting = ok(admin.handle("receipts.deliveries", {
        "workspace_id": space.workspace_id, "dossier_ids": [waiting_id]}))["deliveries"]
    assert (waiting[waiting_id]["version"], waiting[waiting_id]["opened"]) == (1, [])
    assert checkpoint.RECORDS_PURPOSE not in purposes, "the records opened for an unopened one"
    opened = ok(admin.handle("receipts.deliveries", {
        "workspace_id": space.workspace_id, "dossier_ids": [opened_id]}))["deliveries"]
    assert [receipt["user_id"] for receipt in opened[opened_id]["opened"]] == ["u-new"]
    assert checkpoint.RECORDS_PURPOSE in purposes


def test_a_forged_receipt_after_the_checkpoint_is_named_and_does_not_count(team):
    admin, member, space = team
    dossier_id = _sent(admin, member, space, role="reader")
    checkpoint = space.open(admin, "u-admin")["chain"]["checkpoint"]
    history = member._state.histories[space.workspace_id].history
    space.log.append(_forged(member, space, dossier_id, {
        "dossier_id": dossier_id, "version": 1, "hash": history.latest[dossier_id].hash}))
    space.open(admin, "u-admin", checkpoint=checkpoint,
               entries=list(space.log)[checkpoint["seq"] - 1:])
    row = _board(admin, space)[0]
    assert (row[0], row[2], row[4]) == (dossier_id, 0, 1)
    delivery = ok(admin.handle("receipts.deliveries", {
        "workspace_id": space.workspace_id, "dossier_ids": [dossier_id]}))["deliveries"]
    assert delivery[dossier_id]["problems"][0].startswith("receipt 4 is forged")


def test_a_partner_signs_a_receipt_from_its_checkpoint_of_the_space(team):
    admin, member, space = team
    dossier_id = _sent(admin, member, space)
    _from_checkpoint(member, space, "u-new")
    space.store(member, ok(_receipt(member, space, dossier_id)))
    assert ok(_receipt(member, space, dossier_id)) == {"log_entry": None}
    delivery = _deliveries(admin, space, dossier_id)[dossier_id]
    assert [r["user_id"] for r in delivery["opened"]] == ["u-new"]


def test_workflow_settings_written_before_receipts_stay_valid_with_their_defaults():
    old = {"policy": {kind: role for kind, role in DEFAULT_POLICY.items()
                      if kind not in LATER_KINDS}, "quorum": 2}
    checked = check_workflow(old)
    assert checked["policy"]["result_opened"] == "contributor"
    assert checked["quorum"] == 2
    assert may_append("contributor", "result_acknowledged", old["policy"])
    assert not may_append("reader", "result_opened", old["policy"])
    with pytest.raises(MalformedError):
        check_workflow({"policy": {**DEFAULT_POLICY, "result_opened": "reader"}, "quorum": 1})
