from tests.api.trust.conftest import DOSSIER


def test_committee_members_read_what_each_writes(committee):
    saved = committee.contributor.save_dossier(committee.workspace_id, DOSSIER)
    for member in (committee.owner, committee.manager, committee.reader):
        member.read_log(committee.workspace_id)
        dossier = member.dossiers(committee.workspace_id)[saved["document_id"]]
        assert dossier["fields"] == DOSSIER, dossier
    opened = committee.reader.open(committee.workspace_id)
    assert opened["name"] == "Commission SSR — Nord-Sud"
    assert {m["role"] for m in opened["members"]} == {"owner", "manager", "contributor",
                                                      "reader"}
    assert opened["chain"]["verified"] and not opened["chain"]["forgeries"]
