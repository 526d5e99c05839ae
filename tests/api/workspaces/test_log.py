"""The workspace log through the real API: roles per kind (a contributor cannot record a
decision), strict order (409 on a stale append), live notice to members, no read markers in
clear (each member's are in their own sealed state: test_own_state.py), presence and typing
over Socket.IO, and no plaintext at rest."""

from __future__ import annotations

from api.realtime.channel import socketio_of
from pycrypto_wasm.workspace.workflow import DEFAULT_POLICY

DOSSIER_ID = "d-" + "1" * 24
COMMENT = "Avis du médecin coordonnateur : MARQUEUR-COMMENTAIRE"


def _record(workspace, member, kind, content, seq=None):
    """`member` records an entry about the dossier after the log's last one (or as `seq`)."""
    return member.person.client.post(f"{workspace.url}/log", json=workspace.entry(
        member, kind, seq=seq, content={"dossier_id": DOSSIER_ID, **content}))


def _team(workspace):
    return workspace.add("contributor"), workspace.add("reader")


def test_log_roles_order_and_reading(workspace):
    contributor, reader = _team(workspace)
    assert _record(workspace, contributor, "comment", {"text": COMMENT}).status_code == 201
    stale = _record(workspace, contributor, "comment", {"text": "again"}, seq=4)
    assert (stale.status_code, stale.json["error"]["code"]) == (409, "stale_log")
    gap = _record(workspace, contributor, "comment", {"text": "later"}, seq=7)
    assert gap.status_code == 409
    refused = _record(workspace, reader, "comment", {"text": "lecture seule"})
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")
    decision = {"outcome": "accepted", "reasons": "ok", "participants": []}
    not_manager = _record(workspace, contributor, "decision", decision)
    assert not_manager.status_code == 403
    assert "needs manager" in not_manager.json["error"]["message"]
    assert _record(workspace, workspace.owner, "decision", decision).status_code == 201
    unknown = workspace.owner.person.client.post(
        f"{workspace.url}/log", json={"seq": 6, "kind": "vote", "entry": "eA"})
    assert unknown.status_code == 400

    listing = reader.person.client.get(f"{workspace.url}/log").json
    assert [(e["seq"], e["kind"]) for e in listing["entries"]] == [
        (1, "workspace_created"), (2, "member_set"), (3, "member_set"), (4, "comment"),
        (5, "decision")]
    assert "read_markers" not in listing
    later = reader.person.client.get(f"{workspace.url}/log?after=4").json
    assert [e["seq"] for e in later["entries"]] == [5]


def test_log_is_announced_live_and_unreadable_at_rest(workspace, app, config):
    contributor, reader = _team(workspace)
    listener = socketio_of(app).test_client(app, flask_test_client=reader.person.client)
    listener.get_received()
    _record(workspace, contributor, "comment", {"text": COMMENT})
    events = [e["args"][0] for e in listener.get_received() if e["name"] == "workspace:changed"]
    assert events[-1] == {"workspace_id": workspace.workspace_id, "what": "log", "seq": 4,
                          "kind": "comment"}
    stored = b"".join(p.read_bytes() for p in config.data_dir.rglob("*") if p.is_file())
    assert b"MARQUEUR-COMMENTAIRE" not in stored


def test_presence_viewers_and_typing_reach_members_only(workspace, app, organization):
    contributor, reader = _team(workspace)
    socketio = socketio_of(app)
    watcher = socketio.test_client(app, flask_test_client=reader.person.client)
    writer = socketio.test_client(app, flask_test_client=contributor.person.client)
    outsider = socketio.test_client(app, flask_test_client=organization.member().client)
    place = {"workspace_id": workspace.workspace_id, "dossier_id": DOSSIER_ID}
    assert watcher.emit("presence:view", place, callback=True)["ok"]
    joined = writer.emit("presence:view", place, callback=True)
    assert joined["viewers"] == {DOSSIER_ID: sorted([reader.person.user_id,
                                                     contributor.person.user_id])}
    watcher.get_received()
    assert writer.emit("presence:typing", {"dossier_id": DOSSIER_ID}, callback=True)["ok"]
    changes = [e["args"][0] for e in watcher.get_received() if e["name"] == "presence:changed"]
    assert changes[-1]["typing"] == {DOSSIER_ID: [contributor.person.user_id]}
    assert not outsider.emit("presence:view", place, callback=True)["ok"]
    writer.disconnect()
    changes = [e["args"][0] for e in watcher.get_received() if e["name"] == "presence:changed"]
    assert changes[-1]["viewers"] == {DOSSIER_ID: [reader.person.user_id]}



def _presence_changes(socket):
    return [e["args"][0] for e in socket.get_received() if e["name"] == "presence:changed"]


def test_presence_of_a_removed_member_is_dropped_and_refused(workspace, app):
    contributor, reader = _team(workspace)
    socketio = socketio_of(app)
    watcher = socketio.test_client(app, flask_test_client=contributor.person.client)
    removed = socketio.test_client(app, flask_test_client=reader.person.client)
    place = {"workspace_id": workspace.workspace_id, "dossier_id": DOSSIER_ID}
    assert watcher.emit("presence:view", place, callback=True)["ok"]
    assert removed.emit("presence:view", place, callback=True)["ok"]
    watcher.get_received()
    workspace.remove(reader)
    assert _presence_changes(watcher)[-1]["viewers"] == {DOSSIER_ID: [contributor.person.user_id]}
    assert not removed.emit("presence:typing", {"dossier_id": DOSSIER_ID}, callback=True)["ok"]
    assert not removed.emit("presence:view", place, callback=True)["ok"]
    assert watcher.emit("presence:view", place, callback=True)["viewers"] == {
        DOSSIER_ID: [contributor.person.user_id]}


def test_presence_summary_overtaken_before_it_went_out_is_told_again(
        workspace, app, monkeypatch):
    """The writer's summary is read, then the reader's view is made and told before the
    writer's summary goes out (two processes at once): the last summary anyone gets is not
    the older one, or the reader would be missing from "Also viewing" until the next change."""
    contributor, reader = _team(workspace)
    socketio = socketio_of(app)
    writer = socketio.test_client(app, flask_test_client=contributor.person.client)
    late = socketio.test_client(app, flask_test_client=reader.person.client)
    place = {"workspace_id": workspace.workspace_id, "dossier_id": DOSSIER_ID}
    presence = app.extensions["paravent_presence"]
    read = presence.summary

    def overtaken(workspace_id, members):
        summary = read(workspace_id, members)
        monkeypatch.setattr(presence, "summary", read)
        assert late.emit("presence:view", place, callback=True)["ok"]
        return summary

    monkeypatch.setattr(presence, "summary", overtaken)
    assert writer.emit("presence:view", place, callback=True)["ok"]
    both = sorted([contributor.person.user_id, reader.person.user_id])
    assert _presence_changes(writer)[-1]["viewers"] == {DOSSIER_ID: both}
    assert _presence_changes(late)[-1]["viewers"] == {DOSSIER_ID: both}


def test_log_follows_the_workspace_workflow_set_by_an_owner(workspace):
    contributor, _ = _team(workspace)
    manager = workspace.add("manager")
    policy = {**DEFAULT_POLICY, "decision": "contributor"}

    def save(member, version, workflow):
        return workspace.put(member, workspace.workspace_id, version,
                             {"name": "x", "workflow": workflow}, kind="workspace",
                             workflow=workflow)

    changed = save(manager, 2, {"policy": policy, "quorum": 2})
    assert (changed.status_code, changed.json["error"]["code"]) == (403, "forbidden")
    assert save(workspace.owner, 2, {"policy": {**policy, "comment": "reader"},
                                     "quorum": 1}).status_code == 400
    assert save(workspace.owner, 2, {"policy": policy, "quorum": 2}).status_code == 201
    assert save(manager, 3, {"policy": policy, "quorum": 2}).status_code == 201
    listing = contributor.person.client.get(f"/api/workspaces/{workspace.workspace_id}").json
    assert listing["workflow"] == {"policy": policy, "quorum": 2}
    decision = {"outcome": "refused", "reasons": "Pas de place", "participants": []}
    assert _record(workspace, contributor, "decision", decision).status_code == 201
    assert not workspace.history(contributor).forgeries
