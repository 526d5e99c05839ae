"""My own state (read markers) rolled back across sign-ins: its version is remembered with the
workspace's head and carried in my own signed writes, so the next sign-in catches the rollback on
a browser that remembers, and on any browser once I wrote since."""

from __future__ import annotations

import pytest

from tests.api.trust.conftest import DOSSIER
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import MemberBrowser, WorkerError


def _stored(server: MaliciousServer, member: MemberBrowser, workspace_id: str) -> list:
    return list(server.sql("select version, state from own_states where user_id = ? and "
                           "workspace_id = ?", [member.user_id, workspace_id])[0])


def _roll_back(server: MaliciousServer, member: MemberBrowser, workspace_id: str,
               old: list) -> None:
    server.sql("update own_states set version = ?, state = ? where user_id = ? and "
               "workspace_id = ?", [*old, member.user_id, workspace_id])


def _signed_in_again(member: MemberBrowser, *, remembering: bool) -> MemberBrowser:
    """A new sign-in of the same person: a new worker, on the same browser profile or not."""
    browser = MemberBrowser(member.person)
    if remembering:
        browser.remembered.update(member.remembered)
        browser.remembered_revocations.update(member.remembered_revocations)
    return browser


@pytest.fixture
def marked(committee) -> tuple[MemberBrowser, list]:
    """The reader read a dossier's discussion twice (own state version 2); version 1 as the
    server kept it, to serve again."""
    server = MaliciousServer(committee.organization.app)
    dossier = committee.owner.save_dossier(committee.workspace_id, DOSSIER)["document_id"]
    first = committee.owner.append(committee.workspace_id, "comment",
                                   {"dossier_id": dossier, "text": "Premier avis"})
    second = committee.owner.append(committee.workspace_id, "comment",
                                    {"dossier_id": dossier, "text": "Second avis"})
    reader = committee.reader
    reader.read_log(committee.workspace_id)
    reader.own_state(committee.workspace_id)
    reader.mark_read(committee.workspace_id, dossier, first)
    old = _stored(server, reader, committee.workspace_id)
    assert reader.mark_read(committee.workspace_id, dossier, second)["version"] == 2
    return reader, old


def test_own_state_rollback_caught_at_the_next_sign_in_on_a_browser_that_remembers(
        committee, marked):
    server = MaliciousServer(committee.organization.app)
    reader, old = marked
    _roll_back(server, reader, committee.workspace_id, old)

    again = _signed_in_again(reader, remembering=True)
    again.open(committee.workspace_id)
    again.read_log(committee.workspace_id)
    with pytest.raises(WorkerError) as refused:
        again.own_state(committee.workspace_id)
    assert refused.value.code == "state_rolled_back"
    assert "at version 1, older than version 2" in refused.value.message
    # The known limit: a wiped profile, before the reader writes anything, cannot tell.
    wiped = _signed_in_again(reader, remembering=False)
    wiped.open(committee.workspace_id)
    wiped.read_log(committee.workspace_id)
    assert wiped.own_state(committee.workspace_id)["version"] == 1


def test_own_state_rollback_caught_by_any_browser_once_its_owner_wrote(committee):
    server = MaliciousServer(committee.organization.app)
    dossier = committee.owner.save_dossier(committee.workspace_id, DOSSIER)["document_id"]
    seq = committee.owner.append(committee.workspace_id, "comment",
                                 {"dossier_id": dossier, "text": "Premier avis"})
    member = committee.contributor
    member.read_log(committee.workspace_id)
    member.own_state(committee.workspace_id)
    member.mark_read(committee.workspace_id, dossier, seq - 1)
    old = _stored(server, member, committee.workspace_id)
    member.mark_read(committee.workspace_id, dossier, seq)
    # The member writes: the entry carries their own state's version, signed.
    member.append(committee.workspace_id, "comment", {"dossier_id": dossier, "text": "Vu"})
    _roll_back(server, member, committee.workspace_id, old)

    wiped = _signed_in_again(member, remembering=False)
    wiped.open(committee.workspace_id)
    wiped.read_log(committee.workspace_id)
    with pytest.raises(WorkerError) as refused:
        wiped.own_state(committee.workspace_id)
    assert refused.value.code == "state_rolled_back"
    assert "your signed writes record" in refused.value.message
