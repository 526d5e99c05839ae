"""Membership attacks: rows the server adds, resurrects or forges make nobody a member; keys
go only to the members the history proves."""

from __future__ import annotations

import time

from pycrypto_wasm.workspace.log import seal_entry
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import MemberBrowser


def _granted(server: MaliciousServer, committee, index: int) -> set[str]:
    return {row[0] for row in server.sql(
        "select user_id from key_grants where workspace_id = ? and key_index = ?",
        [committee.workspace_id, index])}


def test_membership_resurrected_member_gets_no_new_key_and_is_no_member(committee):
    server = MaliciousServer(committee.organization.app)
    removed = committee.join("contributor")
    committee.owner.unshare(committee.workspace_id, removed.user_id)
    server.sql("update workspace_members set removed_at = null where user_id = ?",
               [removed.user_id])

    opened = committee.owner.open(committee.workspace_id)
    assert removed.user_id not in {member["user_id"] for member in opened["members"]}
    rotated = committee.owner.call("workspace.unshare", workspace_id=committee.workspace_id,
                                   user_id=committee.reader.user_id)
    assert removed.user_id not in {grant["user_id"] for grant in rotated["grants"]}
    assert set(rotated["remaining"]) == {committee.owner.user_id, committee.manager.user_id,
                                         committee.contributor.user_id}


def test_membership_row_added_by_the_server_is_not_believed(committee):
    server = MaliciousServer(committee.organization.app)
    outsider = MemberBrowser(committee.organization.member())
    server.sql("insert into workspace_members values (?, ?, 'owner', ?, ?, ?, null)",
               [committee.workspace_id, outsider.user_id, b"forged role", outsider.user_id,
                time.time()])
    for member in (committee.owner, committee.reader):
        member.verify_directory()
        opened = member.open(committee.workspace_id)
        assert outsider.user_id not in {m["user_id"] for m in opened["members"]}
    rotated = committee.owner.call("workspace.unshare", workspace_id=committee.workspace_id,
                                   user_id=committee.reader.user_id)
    assert outsider.user_id not in {grant["user_id"] for grant in rotated["grants"]}


def test_membership_entry_by_a_removed_manager_is_forged_and_not_applied(committee):
    server = MaliciousServer(committee.organization.app)
    outsider = MemberBrowser(committee.organization.member())
    committee.owner.verify_directory()
    committee.manager.verify_directory()
    signing, keyring = committee.manager.stolen_keys(committee.workspace_id)
    committee.owner.unshare(committee.workspace_id, committee.manager.user_id)
    seq = server.log_length(committee.workspace_id) + 1
    head = committee.owner.read_log(committee.workspace_id)["chain"]["head"]
    keyring.current = 0
    entry = seal_entry(keyring, signing, author=committee.manager.user_id, seq=seq,
                       prev=bytes.fromhex(head["hash"]), kind="member_set",
                       public={"user_id": outsider.user_id, "role": "owner"})
    server.append_log(committee.workspace_id, seq, "member_set", committee.manager.user_id,
                      entry)

    opened = committee.owner.open(committee.workspace_id)
    assert outsider.user_id not in {m["user_id"] for m in opened["members"]}
    forged = opened["chain"]["forgeries"]
    assert [f["seq"] for f in forged] == [seq]
    assert "is not a member at this point" in forged[0]["message"]
    assert forged[0]["author_name"] != committee.manager.user_id
    rotated = committee.owner.call("workspace.unshare", workspace_id=committee.workspace_id,
                                   user_id=committee.reader.user_id)
    assert outsider.user_id not in {grant["user_id"] for grant in rotated["grants"]}
    assert _granted(server, committee, 1) == {committee.owner.user_id,
                                              committee.contributor.user_id,
                                              committee.reader.user_id}


def test_membership_manager_cannot_demote_an_owner_nor_overwrite_grants(committee):
    manager = committee.manager
    response = manager.client.post(
        f"/api/workspaces/{committee.workspace_id}/members",
        json={"user_id": committee.owner.user_id, "role": "reader",
              "grants": [{"user_id": committee.owner.user_id, "key_index": 0,
                          "grant": "AAAA"}],
              "log_entry": {"seq": 99, "kind": "member_set", "entry": "AAAA"}})
    assert response.status_code == 403, response.json
    assert "cannot change an owner" in response.json["error"]["message"]
    opened = committee.owner.open(committee.workspace_id)
    assert opened["role"] == "owner"
