"""Search across a member's workspaces (issue 24): the crypto worker indexes the dossiers, file
names and comments it decrypted for the page, in memory only, and finds them by what is inside
them while the user types; locking forgets the index. Real server, each member's worker under
CPython."""

from __future__ import annotations

from tests.api.trust.conftest import DOSSIER, committee  # noqa: F401
from tests.member_browser import MemberBrowser


def _read_everything(browser: MemberBrowser, workspace_id: str) -> None:
    """What the page's views decrypt when the user opens the workspace."""
    browser.open(workspace_id)
    browser.dossiers(workspace_id)
    browser.files(workspace_id)
    browser.read_log(workspace_id)


def _found(browser: MemberBrowser, query: str) -> list[tuple[str, str, str]]:
    reply = browser.call("search.query", query=query)
    return [(result["kind"], result["workspace_name"], result["title"])
            for result in reply["results"]]


def test_search_finds_dossiers_files_and_comments_across_workspaces(committee):  # noqa: F811
    owner, reader = committee.owner, committee.reader
    first = committee.workspace_id
    dossier = owner.save_dossier(first, {**DOSSIER, "patient_name": "Mme Hélène Dupont",
                                         "summary": "Bilan gériatrique demandé"})["document_id"]
    owner.upload(first, "compte-rendu-IRM.pdf", b"%PDF-1.7", dossier_id=dossier)
    owner.append(first, "comment", {"dossier_id": dossier, "text": "Avis cardiologique favorable"})
    second = owner.create_workspace("Commission Est")
    owner.open(second)
    owner.share(second, reader.user_id, "reader")
    owner.save_dossier(second, {**DOSSIER, "patient_name": "M. Paul Duplessis"})
    for workspace_id in (first, second):
        _read_everything(reader, workspace_id)

    # While typing: every word a prefix, accents and case ignored; dossiers first.
    assert sorted(_found(reader, "dup")) == [
        ("dossier", "Commission Est", "M. Paul Duplessis"),
        ("dossier", "Commission SSR — Nord-Sud", "Mme Hélène Dupont")]
    assert _found(reader, "helene DUP") == [("dossier", "Commission SSR — Nord-Sud",
                                             "Mme Hélène Dupont")]
    assert [kind for kind, _, _ in _found(reader, "geriat")] == ["dossier"]  # a field
    assert _found(reader, "irm") == [("file", "Commission SSR — Nord-Sud",
                                      "compte-rendu-IRM.pdf")]
    comment = reader.call("search.query", query="cardio favo")["results"]
    assert [(result["kind"], result["dossier_id"]) for result in comment] == [
        ("comment", dossier)]
    assert "Avis cardiologique favorable" in comment[0]["snippet"]
    assert _found(reader, "inconnu") == []

    # A deleted comment leaves the index when the log is read again.
    owner.append(first, "comment_delete", {"dossier_id": dossier, "comment": int(
        comment[0]["id"])})
    reader.read_log(first)
    assert _found(reader, "cardio") == []

    reader.call("keys.wipe")
    reader.call("identity.unlock_with_passkey", wrapped_bundle=reader.person.wrapped_for(),
                prf_output=reader.person.authenticator.prf_output(None),
                organization_id=reader.person.organization_id, user_id=reader.user_id)
    assert reader.call("search.query", query="dup")["indexed"] == 0
