"""The committee workflow replayed from log entries: status pipeline, comments with history,
document requests, decisions signed by their participants, and who may record what."""

from __future__ import annotations

import datetime

import pytest

from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.workspace.workflow import check_content, dossier_states, may_append, mentions

TODAY = datetime.date(2026, 11, 24)


def _entries(*items):
    return [{"seq": seq, "kind": kind, "author": author,
             "content": {**content, "dossier_id": "d-1", "written_at": seq}}
            for seq, (kind, author, content) in enumerate(items, start=1)]


def test_workflow_takes_a_dossier_from_submission_to_decision():
    state = dossier_states(_entries(
        ("review", "u-nord", {}),
        ("request", "u-nord", {"what": "Bilan social", "due": "2026-11-20"}),
        ("request", "u-nord", {"what": "IRM", "due": "2026-12-20"}),
        ("comment", "u-sud", {"text": "Je l'envoie, @[Claire](u-00000000nord)"}),
        ("request_fulfilled", "u-sud", {"request": 2, "file_id": "f-1"}),
        ("comment_edit", "u-sud", {"comment": 4, "text": "Envoyé."}),
        ("review", "u-nord", {}),
        ("decision", "u-nord", {"outcome": "accepted", "reasons": "Critères remplis",
                                "conditions": "", "participants": ["u-nord", "u-sud"]}),
        ("endorse", "u-sud", {"decision": 8}),
    ), TODAY)["d-1"]
    assert state.status == "decided"
    assert [(r["what"], r["fulfilled_by"] is not None, r["overdue"]) for r in state.requests] == [
        ("Bilan social", True, False), ("IRM", False, False)]
    comment = state.comments[0]
    assert (comment.text, comment.history[0]["text"]) == (
        "Envoyé.", "Je l'envoie, @[Claire](u-00000000nord)")
    assert state.decisions[0]["signed_by"] == ["u-nord", "u-sud"]
    assert not state.problems


def test_workflow_flags_what_the_pipeline_or_authorship_forbids():
    state = dossier_states(_entries(
        ("request", "u-nord", {"what": "Bilan", "due": "2026-11-01"}),
        ("close", "u-nord", {}),
        ("comment", "u-sud", {"text": "Avis ?"}),
        ("comment_delete", "u-nord", {"comment": 3}),
        ("endorse", "u-tiers", {"decision": 99}),
    ), TODAY)["d-1"]
    assert state.requests[0]["overdue"]
    assert len(state.problems) == 3
    assert not state.comments[0].deleted


def test_workflow_roles_and_content_checks():
    assert may_append("manager", "decision") and not may_append("contributor", "decision")
    assert may_append("contributor", "comment") and not may_append("reader", "comment")
    assert not may_append("owner", "unknown")
    with pytest.raises(MalformedError, match="outcome"):
        check_content("decision", {"dossier_id": "d-1", "outcome": "maybe", "reasons": "x",
                                   "participants": []})
    with pytest.raises(MalformedError, match="due"):
        check_content("request", {"dossier_id": "d-1", "what": "IRM", "due": "demain"})
    assert check_content("comment", {"dossier_id": "d-1", "text": "ok", "extra": 1}) == {
        "dossier_id": "d-1", "text": "ok"}
    assert mentions("@[Inès](u-0123abcd) et @[Paul](u-89abcdef)") == ["u-0123abcd", "u-89abcdef"]


def test_workflow_decision_is_in_force_once_the_quorum_has_signed():
    entries = _entries(
        ("review", "u-nord", {}),
        ("decision", "u-nord", {"outcome": "refused", "reasons": "Pas de lit", "conditions": "",
                                "participants": ["u-nord", "u-sud", "u-est"]}),
    )
    waiting = dossier_states(entries, TODAY, quorum=2)["d-1"].decisions[0]
    assert (waiting["quorum"], waiting["in_force"]) == (2, False)
    signed = entries + _entries(*[("endorse", "u-sud", {"decision": 2})] * 3)[2:]
    decided = dossier_states(signed, TODAY, quorum=2)["d-1"].decisions[0]
    assert decided["in_force"] and decided["signed_by"] == ["u-nord", "u-sud"]
