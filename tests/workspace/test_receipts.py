"""Proof of receipt: a partner's browser signs that it opened (and acknowledged) the version of a
result the history records; the lab's browser replays each result's delivery from the verified
history, counting only receipts their authors had the right to write about a recorded version;
workflow settings written before receipts existed stay valid."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service import history as history_service
from pycrypto_wasm.service.params import from_b64, to_b64
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
