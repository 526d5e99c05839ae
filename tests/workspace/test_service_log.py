"""The worker's log methods, as two members' browsers use them (CPython): appends follow the
verified head, my verified role decides what I may record, each dossier's state is replayed,
and the export verifies offline."""

from __future__ import annotations

import json

from pycrypto_wasm.audit.export import verify_export
from tests.crypto.browsers import ok

DOSSIER = "d-" + "a" * 24


def _ready(team):
    """The admin (owner) and the member (contributor), both with the workspace open; the
    log so far: its creation and the member's arrival."""
    admin, member, workspace = team
    workspace.open(admin, "u-admin")
    workspace.share(admin, "u-admin", "u-new", "contributor")
    workspace.open(member, "u-new")
    return admin, member, workspace


def _append(browser, workspace, kind, content):
    workspace.sync(browser)
    reply = browser.handle("log.append", {"workspace_id": workspace.workspace_id, "kind": kind,
                                          "content": {"dossier_id": DOSSIER, **content}})
    if reply["ok"]:
        workspace.log.append(reply["result"])
    return reply


def test_log_service_records_a_dossier_to_its_decision(team):
    admin, member, workspace = _ready(team)
    ok(_append(admin, workspace, "review", {}))
    ok(_append(member, workspace, "comment", {"text": "Bilan social joint."}))
    refused = _append(member, workspace, "decision", {
        "outcome": "accepted", "reasons": "x", "participants": []})
    assert refused["error"]["code"] == "forbidden"
    ok(_append(admin, workspace, "decision", {
        "outcome": "waiting_list", "reasons": "Pas de lit", "conditions": "",
        "participants": ["u-admin", "u-new"]}))
    ok(_append(member, workspace, "endorse", {"decision": 5}))
    read = workspace.sync(member)
    assert read["chain"]["verified"] and read["chain"]["length"] == 6
    assert [(e["seq"], e["kind"]) for e in read["entries"]] == [
        (3, "review"), (4, "comment"), (5, "decision"), (6, "endorse")]
    state = read["dossiers"][DOSSIER]
    assert state["status"] == "decided"
    assert state["decisions"][0]["signed_by"] == ["u-admin", "u-new"]
    assert read["entries"][0]["person"] == {"user_id": "u-admin", "name": "Dr Admin",
                                            "site": "Nord"}

    exported = ok(admin.handle("log.export", {"workspace_id": workspace.workspace_id,
                                              "entries": workspace.log}))
    assert verify_export(json.loads(exported["text"])).verified


def test_log_service_shows_nothing_past_a_break_and_refuses_to_extend_it(team):
    admin, _, workspace = _ready(team)
    for text in ("un", "deux", "trois"):
        ok(_append(admin, workspace, "comment", {"text": text}))
    del workspace.log[3]
    read = workspace.sync(admin)
    assert not read["chain"]["verified"] and read["chain"]["broken_at"] == 4
    assert "log entry 4" in read["chain"]["problem"]
    assert [e["content"]["text"] for e in read["entries"]] == ["un"]
    refused = admin.handle("log.append", {"workspace_id": workspace.workspace_id,
                                          "kind": "comment",
                                          "content": {"dossier_id": DOSSIER, "text": "quatre"}})
    assert refused["error"]["code"] == "untrusted_history"


def test_log_service_describes_membership_events(team):
    """The activity's own events: a member added, their role changed (from what to what),
    removed; each named with its author and the member concerned."""
    admin, _, workspace = _ready(team)
    workspace.share(admin, "u-admin", "u-new", "manager")
    workspace.store(admin, ok(admin.handle("workspace.unshare", {
        "workspace_id": workspace.workspace_id, "user_id": "u-new"})), "u-admin")
    events = workspace.sync(admin)["workspace_events"]
    described = [(event["kind"], event["person"]["name"],
                  event["content"].get("member", {}).get("name"),
                  event["content"].get("previous_role"), event["content"].get("role"))
                 for event in events]
    assert described == [
        ("workspace_created", "Dr Admin", None, None, None),
        ("member_added", "Dr Admin", "Mme Durand", None, "contributor"),
        ("role_changed", "Dr Admin", "Mme Durand", "contributor", "manager"),
        ("member_removed", "Dr Admin", "Mme Durand", None, None),
    ]
    assert all(event["forged"] is None and event["content"]["written_at"] > 0
               for event in events)
    assert "Mme Durand" not in [m["display_name"] for m in workspace.open(
        admin, "u-admin")["members"]]
