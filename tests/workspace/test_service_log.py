"""The worker's log methods, as two members' browsers use them (CPython): appends follow the
verified head, my verified role decides what I may record, each dossier's state is replayed,
and the export verifies offline."""

from __future__ import annotations

import json

from pycrypto_wasm.audit.export import verify_export
from tests.crypto.browsers import ok
from tests.workspace.conftest import listing as _listing

TODAY = "2026-11-24"
DOSSIER = "d-" + "a" * 24


def _ready(team):
    admin, member, workspace = team
    workspace_id = workspace["workspace_id"]
    owner_grant = {"key_index": 0, "granted_by": "u-admin", "grant": workspace["key_grant"]}
    ok(admin.handle("workspace.open", _listing(workspace, [owner_grant])))
    shared = ok(admin.handle("workspace.share", {"workspace_id": workspace_id,
                                                 "user_id": "u-new", "role": "contributor"}))
    ok(member.handle("workspace.open", _listing(
        workspace, [{**g, "granted_by": "u-admin"} for g in shared["grants"]])))
    members = [{"user_id": "u-admin", "role_certificate": workspace["role_certificate"]},
               {"user_id": "u-new", "role_certificate": shared["role_certificate"]}]
    for browser in (admin, member):
        ok(browser.handle("workspace.verify_members", {
            "workspace_id": workspace_id, "first_manifest": workspace["manifest"],
            "members": members}))
    return admin, member, workspace_id


def _append(browser, workspace_id, log, kind, content):
    ok(browser.handle("log.read", {"workspace_id": workspace_id, "entries": log,
                                   "today": TODAY}))
    reply = browser.handle("log.append", {"workspace_id": workspace_id, "kind": kind,
                                          "content": {"dossier_id": DOSSIER, **content}})
    if reply["ok"]:
        log.append({"seq": reply["result"]["seq"], "entry": reply["result"]["entry"]})
    return reply


def test_log_service_records_a_dossier_to_its_decision(team):
    admin, member, workspace_id = _ready(team)
    log: list[dict] = []
    ok(_append(admin, workspace_id, log, "review", {}))
    ok(_append(member, workspace_id, log, "comment", {"text": "Bilan social joint."}))
    refused = _append(member, workspace_id, log, "decision", {
        "outcome": "accepted", "reasons": "x", "participants": []})
    assert refused["error"]["code"] == "forbidden"
    ok(_append(admin, workspace_id, log, "decision", {
        "outcome": "waiting_list", "reasons": "Pas de lit", "conditions": "",
        "participants": ["u-admin", "u-new"]}))
    ok(_append(member, workspace_id, log, "endorse", {"decision": 3}))
    read = ok(member.handle("log.read", {"workspace_id": workspace_id, "entries": log,
                                         "today": TODAY}))
    assert read["chain"]["verified"] and read["chain"]["length"] == 4
    state = read["dossiers"][DOSSIER]
    assert state["status"] == "decided"
    assert state["decisions"][0]["signed_by"] == ["u-admin", "u-new"]
    assert read["entries"][0]["person"] == {"user_id": "u-admin", "name": "Dr Admin",
                                            "site": "Nord"}

    exported = ok(admin.handle("log.export", {"workspace_id": workspace_id, "entries": log}))
    assert verify_export(json.loads(exported["text"])).verified


def test_log_service_shows_nothing_past_a_break_and_refuses_to_extend_it(team):
    admin, _, workspace_id = _ready(team)
    log: list[dict] = []
    for text in ("un", "deux", "trois"):
        ok(_append(admin, workspace_id, log, "comment", {"text": text}))
    broken = [log[0], log[2]]
    read = ok(admin.handle("log.read", {"workspace_id": workspace_id, "entries": broken,
                                        "today": TODAY}))
    assert not read["chain"]["verified"] and read["chain"]["broken_at"] == 2
    assert "log entry 2" in read["chain"]["problem"]
    assert [e["content"]["text"] for e in read["entries"]] == ["un"]
    refused = admin.handle("log.append", {"workspace_id": workspace_id, "kind": "comment",
                                          "content": {"dossier_id": DOSSIER, "text": "quatre"}})
    assert not refused["ok"]
