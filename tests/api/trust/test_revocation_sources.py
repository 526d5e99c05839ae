"""A revocation is known from every signed source: with the revocation withheld by the server
and the admin's browser wiped, the signed revocation another workspace's history carries makes
the directory show the user revoked, and no share seals them a key."""

from __future__ import annotations

import pytest

from pycrypto_wasm.workspace.keys import UnknownKeyError
from pycrypto_wasm.workspace.log import open_entry
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import MemberBrowser, WorkerError


def _user(browser: MemberBrowser, user_id: str) -> dict:
    return next(user for user in browser.verify_directory() if user["user_id"] == user_id)


def test_revocation_from_another_history_stops_every_grant(committee):
    server = MaliciousServer(committee.organization.app)
    owner = committee.owner
    outsider = MemberBrowser(committee.organization.member())
    owner.verify_directory()
    other = owner.create_workspace("Commission SSR — Est")
    owner.open(other)
    owner.share(other, outsider.user_id, "contributor")
    outsider.open(other)
    response = committee.organization.revoke(outsider.person)
    assert response.status_code == 200, response.json
    # The owner's browser removes the revoked member; the removal carries the revocation.
    owner.verify_directory()
    owner.unshare(other, outsider.user_id)
    # The server withholds the revocation from now on, and the admin's profile is wiped.
    server.sql("update users set revoked_at = null, revocation = null where id = ?",
               [outsider.user_id])
    wiped = MemberBrowser(committee.organization.admin)
    assert _user(wiped, outsider.user_id)["active"]

    wiped.open(other)
    seen = _user(wiped, outsider.user_id)
    assert seen["revoked"] and not seen["active"]
    assert outsider.user_id in wiped.remembered_revocations
    wiped.open(committee.workspace_id)
    with pytest.raises(WorkerError) as refused:
        wiped.call("workspace.share", workspace_id=committee.workspace_id,
                   user_id=outsider.user_id, role="reader")
    assert refused.value.code == "revoked_user"
    assert "was revoked: no key is sealed to them" in refused.value.message
    assert not server.sql("select 1 from key_grants where workspace_id = ? and user_id = ?",
                          [committee.workspace_id, outsider.user_id])
    # A later sign-in on that browser still knows it, from what the page remembered.
    again = MemberBrowser(committee.organization.admin)
    again.remembered_revocations.update(wiped.remembered_revocations)
    assert _user(again, outsider.user_id)["revoked"]
    # With the keys the revoked user kept, nothing written since is readable.
    _, stolen = outsider.stolen_keys(other)
    written = wiped.append(other, "comment", {"dossier_id": "d-x", "text": "Après retrait"})
    entry = wiped.worker._state.histories[other].history.entries[written - 1]
    with pytest.raises(UnknownKeyError):
        open_entry(entry, stolen)
    assert committee.workspace_id not in outsider.worker._state.keyrings
