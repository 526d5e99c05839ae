"""The workspace log through the real API: roles per kind (a contributor cannot record a
decision), strict order (409 on a stale append), live notice to members, read markers,
presence and typing over Socket.IO, and no plaintext at rest."""

from __future__ import annotations

from api.realtime import socketio_of
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.workspace.log import GENESIS, entry_hash, seal_entry
from pycrypto_wasm.workspace.manifest import seal_manifest
from pycrypto_wasm.workspace.workflow import DEFAULT_POLICY

DOSSIER_ID = "d-" + "1" * 24
COMMENT = "Avis du médecin coordonnateur : MARQUEUR-COMMENTAIRE"


class Log:
    def __init__(self, workspace):
        self.workspace = workspace
        self.entries: list[bytes] = []

    def append(self, member, kind, content, seq=None):
        seq = len(self.entries) + 1 if seq is None else seq
        prev = entry_hash(self.entries[-1]) if self.entries else GENESIS
        entry = seal_entry(self.workspace.keyring, member.signing, author=member.person.user_id,
                           seq=seq, prev=prev, kind=kind,
                           content={"dossier_id": DOSSIER_ID, **content})
        response = member.person.client.post(
            f"/api/workspaces/{self.workspace.workspace_id}/log",
            json={"seq": seq, "kind": kind, "entry": to_b64(entry)})
        if response.status_code == 201:
            self.entries.append(entry)
        return response


def _team(workspace):
    return workspace.add("contributor"), workspace.add("reader")


def test_log_roles_order_and_reading(workspace):
    contributor, reader = _team(workspace)
    log = Log(workspace)
    assert log.append(contributor, "comment", {"text": COMMENT}).status_code == 201
    stale = log.append(contributor, "comment", {"text": "again"}, seq=1)
    assert (stale.status_code, stale.json["error"]["code"]) == (409, "stale_log")
    gap = log.append(contributor, "comment", {"text": "later"}, seq=5)
    assert gap.status_code == 409
    refused = log.append(reader, "comment", {"text": "lecture seule"})
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")
    decision = {"outcome": "accepted", "reasons": "ok", "participants": []}
    not_manager = log.append(contributor, "decision", decision)
    assert not_manager.status_code == 403
    assert "needs manager" in not_manager.json["error"]["message"]
    assert log.append(workspace.owner, "decision", decision).status_code == 201
    unknown = workspace.owner.person.client.post(
        f"/api/workspaces/{workspace.workspace_id}/log",
        json={"seq": 3, "kind": "vote", "entry": "eA"})
    assert unknown.status_code == 400

    listing = reader.person.client.get(f"/api/workspaces/{workspace.workspace_id}/log").json
    assert [(e["seq"], e["kind"]) for e in listing["entries"]] == [(1, "comment"), (2, "decision")]
    assert listing["read_markers"] == {}
    marker = reader.person.client.put(
        f"/api/workspaces/{workspace.workspace_id}/read-markers/{DOSSIER_ID}", json={"seq": 2})
    assert marker.status_code == 200
    reader.person.client.put(
        f"/api/workspaces/{workspace.workspace_id}/read-markers/{DOSSIER_ID}", json={"seq": 1})
    later = reader.person.client.get(f"/api/workspaces/{workspace.workspace_id}/log?after=1").json
    assert [e["seq"] for e in later["entries"]] == [2]
    assert later["read_markers"] == {DOSSIER_ID: 2}


def test_log_is_announced_live_and_unreadable_at_rest(workspace, app, config):
    contributor, reader = _team(workspace)
    listener = socketio_of(app).test_client(app, flask_test_client=reader.person.client)
    listener.get_received()
    Log(workspace).append(contributor, "comment", {"text": COMMENT})
    events = [e["args"][0] for e in listener.get_received() if e["name"] == "workspace:changed"]
    assert events[-1] == {"workspace_id": workspace.workspace_id, "what": "log", "seq": 1,
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


def test_log_follows_the_workspace_workflow_set_by_an_owner(workspace):
    contributor, _ = _team(workspace)
    manager = workspace.add("manager")
    policy = {**DEFAULT_POLICY, "decision": "contributor"}
    url = f"/api/workspaces/{workspace.workspace_id}/documents/{workspace.workspace_id}"

    def save(member, version, workflow):
        sealed = seal_manifest(workspace.keyring, member.signing, author=member.person.user_id,
                               kind="workspace", document_id=workspace.workspace_id,
                               version=version, content={"name": "x", "workflow": workflow})
        return member.person.client.put(url, json={
            "kind": "workspace", "expected_version": version - 1, "manifest": to_b64(sealed),
            "workflow": workflow})

    changed = save(manager, 2, {"policy": policy, "quorum": 2})
    assert (changed.status_code, changed.json["error"]["code"]) == (403, "forbidden")
    assert save(workspace.owner, 2, {"policy": {**policy, "comment": "reader"},
                                     "quorum": 1}).status_code == 400
    assert save(workspace.owner, 2, {"policy": policy, "quorum": 2}).status_code == 201
    assert save(manager, 3, {"policy": policy, "quorum": 2}).status_code == 201
    listing = contributor.person.client.get(f"/api/workspaces/{workspace.workspace_id}").json
    assert listing["workflow"] == {"policy": policy, "quorum": 2}
    decision = {"outcome": "refused", "reasons": "Pas de place", "participants": []}
    assert Log(workspace).append(contributor, "decision", decision).status_code == 201
