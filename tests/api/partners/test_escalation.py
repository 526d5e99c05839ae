"""Receipts and escalation through the real API: a contact's receipt of a result reaches the
server (and one naming no result of the space, in another member's name, or from someone who
may not write one, is refused); a result with no receipt past the space's delay escalates
once, to the site's other contact; the lab's delivery view and delay are the lab's alone, per
space; the delivery view names, per result, only what the server did (notified by name or
in a batch, a receipt, an escalation)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from api.partners.escalation import escalate_due
from pycrypto_wasm.workspace.log import entry_hash, write_entry
from tests.api.identity.conftest import Organization, Person
from tests.api.workspaces.conftest import (  # noqa: F401
    Member,
    Workspace,
    config,
    create_workspace,
    new_document_id,
    organization,
    to_b64,
)

RESULT = {"patient_name": "Jeanne Dupont", "birth_date": "2026-01-02",
          "result": {"sample": "S-0042", "category": "urgent", "comment": "", "batch": "b-7"}}


@dataclass
class Lab:
    organization: Organization
    lab: Member
    spaces: dict[str, Workspace]
    contacts: dict[str, list[Member]]


def _contact(lab_org: Organization, site_id: str, name: str, letter: str) -> Person:
    person = lab_org.member("external", display_name=name,
                                 email=f"{name.split()[-1].lower()}@maternite{letter}.example",
                                 site=f"Maternité {letter}")
    attached = lab_org.admin.client.post(f"/api/partner-sites/{site_id}/contacts",
                                              json={"user_id": person.user_id})
    assert attached.status_code == 201, attached.json
    return person


@pytest.fixture
def lab(organization: Organization) -> Iterator[Lab]:  # noqa: F811
    """Site A with two contributor contacts, site B with one, each site's space shared with a
    lab member (contributor) and owned by the admin; no delay is left set (the sweep stops)."""
    lab_person = organization.member(display_name="Dr Labo", email="labo@chu.example")
    spaces, contacts, lab_member = {}, {}, None
    sites = (("A", ["Sage-femme Alpha", "Sage-femme Alix"]), ("B", ["Sage-femme Bea"]))
    for letter, names in sites:
        site = organization.admin.client.post("/api/partner-sites",
                                              json={"name": f"Maternité {letter}"}).json["id"]
        people = [_contact(organization, site, name, letter.lower()) for name in names]
        spaces[letter] = create_workspace(organization)
        linked = organization.admin.client.put(f"/api/partner-sites/{site}/space",
                                               json={"workspace_id": spaces[letter].workspace_id})
        assert linked.status_code == 200, linked.json
        lab_member = spaces[letter].add("contributor", lab_person)
        contacts[letter] = [spaces[letter].add("contributor", person) for person in people]
    assert lab_member is not None
    yield Lab(organization, lab_member, spaces, contacts)
    for space in spaces.values():
        organization.admin.client.put(f"{space.url}/escalation", json={"delay_seconds": None})


def _receipt(space: Workspace, member: Member, dossier_id: str, kind: str = "result_opened",
             author: str | None = None):
    """`member`'s receipt of version 1 of `dossier_id`, as their browser writes it (format 4),
    or naming someone else as its `author` (signed with the member's key all the same)."""
    stored = space.log()
    written = write_entry(space.keyring, member.signing, author=author or member.person.user_id,
                          head=(len(stored), entry_hash(stored[-1])), kind=kind,
                          content={"dossier_id": dossier_id},
                          public={"dossier_id": dossier_id, "version": 1, "hash": bytes(32)})
    return member.person.client.post(f"{space.url}/log",
                                     json={"kind": kind, "entry": to_b64(written)})


def _notify(lab: Lab, letter: str, item_id: str | None) -> None:
    """The lab member tells the site's first contact of a result (or of a batch: no item)."""
    told = lab.lab.person.client.post(f"{lab.spaces[letter].url}/notifications", json={
        "kind": "results_waiting", "item_id": item_id,
        "user_ids": [lab.contacts[letter][0].person.user_id]})
    assert told.status_code == 201, told.json


def _send(lab: Lab, letter: str, notify: bool = True) -> str:
    """The lab member sends a result to a site and (unless not `notify`) tells the site's first
    contact of it."""
    space, dossier_id = lab.spaces[letter], new_document_id()[:26]
    sent = space.put(lab.lab, dossier_id, 1, RESULT)
    assert sent.status_code == 201, sent.json
    if notify:
        _notify(lab, letter, dossier_id)
    return dossier_id


def _delivered(lab: Lab, space: Workspace,
               ids: list[str] | None = None) -> dict[str, dict[str, float | None]]:
    """What the server says of each result of `space` (or of those `ids` names) it did
    something about, by result."""
    named = f"?ids={','.join(ids)}" if ids is not None else ""
    reply = lab.lab.person.client.get(f"{space.url}/deliveries{named}")
    assert reply.status_code == 200, reply.json
    columns = reply.json["results"]
    return {dossier_id: {name: values[at] for name, values in columns.items()
                         if name != "dossier_id"}
            for at, dossier_id in enumerate(columns["dossier_id"])}


def _told(member: Member) -> list[tuple[str, str]]:
    listed = member.person.client.get("/api/notifications").json["notifications"]
    return [(n["kind"], n["item_id"]) for n in listed]


def test_an_unopened_result_escalates_once_to_the_sites_other_contact(lab: Lab):
    space = lab.spaces["A"]
    delay = lab.organization.admin.client.put(f"{space.url}/escalation",
                                              json={"delay_seconds": 1})
    assert delay.status_code == 200, delay.json
    opened, unopened = _send(lab, "A"), _send(lab, "A")
    first, other = lab.contacts["A"]
    assert _receipt(space, first, opened).status_code == 201
    assert escalate_due(lab.organization.app) == 0  # not due yet
    time.sleep(1.2)
    assert escalate_due(lab.organization.app) == 1
    assert escalate_due(lab.organization.app) == 0
    assert _told(other) == [("results_waiting", unopened)]
    assert _told(first) == [("results_waiting", unopened), ("results_waiting", opened)]
    assert lab.lab.person.client.get(f"{space.url}/deliveries").json["delay_seconds"] == 1
    rows = _delivered(lab, space)
    assert rows[opened]["opened_at"] and rows[opened]["escalated_at"] is None
    assert rows[unopened]["escalated_at"] and rows[unopened]["opened_at"] is None
    assert rows[opened]["notified_at"] and not rows[opened]["mailed_at"]


def test_a_result_sent_before_escalation_was_set_never_escalates(lab: Lab):
    space = lab.spaces["B"]
    _send(lab, "B")
    time.sleep(1.1)
    lab.organization.admin.client.put(f"{space.url}/escalation", json={"delay_seconds": 1})
    time.sleep(1.1)
    assert escalate_due(lab.organization.app) == 0


def test_a_receipt_must_name_a_result_of_the_space_from_a_member_who_may_write_it(lab: Lab):
    space = lab.spaces["A"]
    dossier_id = _send(lab, "A")
    elsewhere = _receipt(space, lab.contacts["A"][0], "d-" + "0" * 24)
    assert (elsewhere.status_code, elsewhere.json["error"]["code"]) == (400, "unknown_result")
    # A receipt in another member's name is refused (their browser alone signs theirs).
    forged = _receipt(space, lab.contacts["A"][0], dossier_id, "result_acknowledged",
                      author=lab.contacts["A"][1].person.user_id)
    assert (forged.status_code, forged.json["error"]["code"]) == (403, "not_the_author")
    # A contact of another site is not a member: the space does not exist for them.
    assert _receipt(space, lab.contacts["B"][0], dossier_id).status_code == 404
    reader = space.add("reader", lab.organization.member("external", site="Maternité A"))
    refused = _receipt(space, reader, dossier_id)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")


def test_deliveries_and_delays_are_the_labs_own_per_space(lab: Lab):
    space_a, space_b = lab.spaces["A"], lab.spaces["B"]
    contact = lab.contacts["A"][0].person.client
    assert contact.get(f"{space_a.url}/deliveries").status_code == 403
    assert contact.put(f"{space_a.url}/escalation", json={"delay_seconds": 60}).status_code == 403
    assert contact.get(f"{space_b.url}/deliveries").status_code == 404
    assert contact.get(f"{space_b.url}").status_code == 404
    # A lab contributor reads deliveries but only a manager sets the delay.
    assert lab.lab.person.client.get(f"{space_a.url}/deliveries").status_code == 200
    assert lab.lab.person.client.put(f"{space_a.url}/escalation",
                                     json={"delay_seconds": 60}).status_code == 403
    admin = lab.organization.admin.client
    for bad in (0, -5, 8 * 24 * 3600, "2h", True):
        assert admin.put(f"{space_a.url}/escalation",
                         json={"delay_seconds": bad}).status_code == 400
    committee = create_workspace(lab.organization)
    refused = admin.get(f"{committee.url}/deliveries")
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "not_a_partner_space")
    assert admin.put(f"{space_a.url}/escalation", json={"delay_seconds": 120}).status_code == 200
    # Any lab member of the space reads the delay; the site's contacts do not.
    assert lab.lab.person.client.get(f"{space_a.url}/escalation").json == {"delay_seconds": 120}
    assert contact.get(f"{space_a.url}/escalation").status_code == 403
    assert admin.get(f"{space_b.url}/escalation").json == {"delay_seconds": None}
    assert admin.put(f"{space_a.url}/escalation", json={"delay_seconds": None}).json == {
        "delay_seconds": None}
    assert admin.get(f"{space_a.url}/escalation").json == {"delay_seconds": None}


def test_the_deliveries_name_what_the_server_did_for_each_result_and_only_those(lab: Lab):
    space = lab.spaces["B"]
    named = _send(lab, "B")
    in_batch = [_send(lab, "B", notify=False) for _ in range(2)]
    time.sleep(0.01)
    _notify(lab, "B", None)
    untold = _send(lab, "B", notify=False)
    assert _receipt(space, lab.contacts["B"][0], untold).status_code == 201
    forgotten = _send(lab, "B", notify=False)

    rows = _delivered(lab, space)
    assert set(rows) == {named, *in_batch, untold}, "a result the server did nothing about"
    assert forgotten not in rows
    batch_time = rows[in_batch[0]]["notified_at"]
    assert batch_time and rows[in_batch[1]]["notified_at"] == batch_time
    assert rows[named]["notified_at"] < batch_time, "a result's own notification counts first"
    assert rows[untold]["notified_at"] is None and rows[untold]["opened_at"]
    assert all(row["mailed_at"] is None and row["escalated_at"] is None for row in rows.values())
    # The rows a page reads, by id: the same words of those results alone.
    asked = [in_batch[1], forgotten, named]
    assert _delivered(lab, space, asked) == {
        dossier_id: rows[dossier_id] for dossier_id in (named, in_batch[1])}
    assert _delivered(lab, space, ["d-" + "0" * 24]) == {}
    client = lab.lab.person.client
    for bad in ("", "nothing", f"{named},{named}", ",".join([named] * 2 + ["x"]),
                ",".join(f"d-{index:024x}" for index in range(101))):
        refused = client.get(f"{space.url}/deliveries?ids={bad}")
        assert (refused.status_code, refused.json["error"]["code"]) == (400, "bad_request"), bad
