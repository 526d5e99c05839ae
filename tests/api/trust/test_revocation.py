"""Revocation in each workspace: the revoked user stops being a member at the next owner's or
manager's write (which moves everyone else to a new key), their signatures after the
revocation are forged, and a server that hides the revocation again is not believed."""

from __future__ import annotations

import time

from tests.api.trust.conftest import DOSSIER
from tests.api.trust.forging import slip_in
from tests.api.trust.malicious_server import MaliciousServer


def _revoke(committee, member) -> None:
    response = committee.organization.revoke(member.person)
    assert response.status_code == 200, response.json


def test_revocation_removes_the_member_and_their_new_keys(committee):
    server = MaliciousServer(committee.organization.app)
    _revoke(committee, committee.reader)
    opened = committee.owner.open(committee.workspace_id)
    assert opened["pending_removals"] == [committee.reader.user_id]
    revoked = [m for m in opened["members"] if m["user_id"] == committee.reader.user_id]
    assert revoked[0]["revoked"]
    committee.owner.unshare(committee.workspace_id, committee.reader.user_id)

    opened = committee.manager.open(committee.workspace_id)
    assert committee.reader.user_id not in {m["user_id"] for m in opened["members"]}
    assert opened["key_index"] == 1
    granted = {row[0] for row in server.sql(
        "select user_id from key_grants where workspace_id = ? and key_index = 1",
        [committee.workspace_id])}
    assert granted == {committee.owner.user_id, committee.manager.user_id,
                       committee.contributor.user_id}
    # Removing someone else no longer needs a grant for the revoked user.
    committee.owner.unshare(committee.workspace_id, committee.contributor.user_id)


def test_revocation_later_signatures_are_forged_even_when_the_server_hides_it(committee):
    server = MaliciousServer(committee.organization.app)
    dossier = committee.owner.save_dossier(committee.workspace_id, DOSSIER)["document_id"]
    committee.contributor.read_log(committee.workspace_id)
    _revoke(committee, committee.contributor)
    committee.owner.verify_directory()
    time.sleep(1)
    # The server undoes the revocation and lets the revoked user write on.
    server.sql("update users set revoked_at = null, revocation = null where id = ?",
               [committee.contributor.user_id])
    comment = slip_in(server, committee.contributor, committee.workspace_id, "comment",
                      content={"dossier_id": dossier, "text": "Avis favorable"})

    log = committee.owner.read_log(committee.workspace_id)
    forged = {f["seq"]: f for f in log["chain"]["forgeries"]}
    assert comment in forged
    assert "was revoked before writing it" in forged[comment]["reason"]

    # A fresh browser learns of it from the owner's removal, which carries the revocation.
    committee.owner.unshare(committee.workspace_id, committee.contributor.user_id)
    fresh = committee.reader
    fresh.forget()
    log = fresh.read_log(committee.workspace_id)
    assert comment in {f["seq"] for f in log["chain"]["forgeries"]}
