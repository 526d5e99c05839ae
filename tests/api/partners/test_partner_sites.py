"""Partner sites through the real API: what an external contact may see of the organization
(only their spaces and those spaces' members, never other partners, other spaces or the rest
of the directory), an administrator's sites and contacts, and leaving by the trust model
(out of the space with a new key before detaching, revoked before the site goes)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.identity.conftest import Organization, Person, bootstrap
from tests.api.workspaces.conftest import (  # noqa: F401
    Member,
    Workspace,
    config,
    create_workspace,
    organization,
)


@dataclass
class Partners:
    organization: Organization
    lab_member: Person
    colleague: Person
    spaces: dict[str, Workspace]
    contacts: dict[str, Member]
    sites: dict[str, str]


def _site(lab: Organization, name: str) -> str:
    reply = lab.admin.client.post("/api/partner-sites", json={"name": name})
    assert reply.status_code == 201, reply.json
    return reply.json["id"]


@pytest.fixture
def partners(organization: Organization) -> Partners:  # noqa: F811
    """A lab (its admin and a lab member) with two partner sites, A and B, each with one
    external contact and a space shared with the lab; a colleague of the lab shares none."""
    lab_member = organization.member(display_name="Dr Labo", email="labo@chu.example")
    colleague = organization.member(display_name="M. Collègue", email="collegue@chu.example")
    spaces, contacts, sites = {}, {}, {}
    for letter in "AB":
        sites[letter] = _site(organization, f"Maternité {letter}")
        person = organization.member("external", display_name=f"Sage-femme {letter}",
                                     email=f"contact{letter.lower()}@maternite.example",
                                     site=f"Maternité {letter}")
        attach = organization.admin.client.post(
            f"/api/partner-sites/{sites[letter]}/contacts", json={"user_id": person.user_id})
        assert attach.status_code == 201, attach.json
        spaces[letter] = create_workspace(organization)
        linked = organization.admin.client.put(f"/api/partner-sites/{sites[letter]}/space",
                                               json={"workspace_id":
                                                     spaces[letter].workspace_id})
        assert linked.status_code == 200, linked.json
        spaces[letter].add("contributor", lab_member)
        contacts[letter] = spaces[letter].add("reader", person)
    return Partners(organization, lab_member, colleague, spaces, contacts, sites)


def _directory_names(person: Person, **query: str) -> set[str]:
    reply = person.client.get("/api/directory", query_string=query)
    assert reply.status_code == 200, reply.json
    return {user["display_name"] for user in reply.json["users"]}


def test_an_external_contact_sees_only_the_members_of_their_spaces(partners: Partners):
    contact_a = partners.contacts["A"].person
    admin_name = partners.organization.created["user"]["display_name"]
    assert _directory_names(contact_a) == {admin_name, "Dr Labo", "Sage-femme A"}
    assert _directory_names(contact_a, limit="1") <= {admin_name, "Dr Labo", "Sage-femme A"}
    # Their browser verifies their space's whole history from that directory alone.
    assert partners.spaces["A"].history(partners.contacts["A"]).members
    # The lab's own people still see the whole organization.
    assert {"Sage-femme A", "Sage-femme B", "M. Collègue"} <= _directory_names(
        partners.lab_member)


def test_an_external_contact_reaches_no_other_space_nor_the_partner_sites(partners: Partners):
    client = partners.contacts["A"].person.client
    listed = client.get("/api/workspaces").json["workspaces"]
    assert [w["workspace_id"] for w in listed] == [partners.spaces["A"].workspace_id]
    other = partners.spaces["B"].url
    for path in (other, f"{other}/log", f"{other}/documents", f"{other}/my-state"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/partner-sites").status_code == 403
    assert client.post("/api/partner-sites", json={"name": "Moi"}).status_code == 403
    assert client.delete(f"/api/partner-sites/{partners.sites['B']}").status_code == 403


def test_a_contact_removed_from_their_space_sees_nobody_of_it_any_more(partners: Partners):
    space, contact = partners.spaces["A"], partners.contacts["A"]
    space.remove(contact)
    admin_name = partners.organization.created["user"]["display_name"]
    # Only themselves and the admin who certified them (their own certificate's signer).
    assert _directory_names(contact.person) == {admin_name, "Sage-femme A"}


def test_an_admin_registers_renames_and_lists_partner_sites(partners: Partners):
    admin = partners.organization.admin.client
    site_a = partners.sites["A"]
    assert admin.post("/api/partner-sites", json={"name": "maternité a"}).status_code == 409
    assert admin.post("/api/partner-sites", json={"name": "x" * 121}).status_code == 400
    assert admin.post("/api/partner-sites", json={"name": "a\u202eb"}).status_code == 400
    renamed = admin.patch(f"/api/partner-sites/{site_a}",
                          json={"name": "Maternité de Créteil"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Maternité de Créteil"
    sites = {site["name"]: site for site in admin.get("/api/partner-sites").json["sites"]}
    assert set(sites) == {"Maternité de Créteil", "Maternité B"}
    assert sites["Maternité B"]["workspace_id"] == partners.spaces["B"].workspace_id
    assert [c["user_id"] for c in sites["Maternité B"]["contacts"]] == [
        partners.contacts["B"].person.user_id]
    assert admin.patch("/api/partner-sites/p-" + "0" * 24, json={"name": "Z"}).status_code == 404


def test_only_external_users_of_no_other_site_become_contacts(partners: Partners):
    admin = partners.organization.admin.client
    url = f"/api/partner-sites/{partners.sites['A']}/contacts"
    lab = admin.post(url, json={"user_id": partners.lab_member.user_id})
    assert (lab.status_code, lab.json["error"]["code"]) == (409, "not_external")
    taken = admin.post(url, json={"user_id": partners.contacts["B"].person.user_id})
    assert (taken.status_code, taken.json["error"]["code"]) == (409, "already_attached")
    assert admin.post(url, json={"user_id": "u-nobody"}).status_code == 404


def test_leaving_follows_the_trust_model(partners: Partners):
    space, contact = partners.spaces["B"], partners.contacts["B"]
    admin = partners.organization.admin.client
    site = f"/api/partner-sites/{partners.sites['B']}"
    user_id = contact.person.user_id
    early = admin.delete(f"{site}/contacts/{user_id}")
    assert (early.status_code, early.json["error"]["code"]) == (409, "still_a_member")
    index = space.keyring.current
    space.remove(contact)
    assert space.history(space.owner).key_checks.keys() == {index, index + 1}
    assert admin.delete(f"{site}/contacts/{user_id}").status_code == 200
    assert admin.post(f"{site}/contacts", json={"user_id": user_id}).status_code == 201
    active = admin.delete(site)
    assert (active.status_code, active.json["error"]["code"]) == (409, "contacts_active")
    assert partners.organization.revoke(contact.person).status_code == 200
    assert admin.delete(site).status_code == 200
    names = [s["name"] for s in admin.get("/api/partner-sites").json["sites"]]
    assert names == ["Maternité A"]
    assert contact.person.client.get("/api/directory").status_code == 401


def test_another_organization_sees_none_of_the_sites(partners: Partners, app):
    other = bootstrap(app, "CHU Autre")
    assert other.admin.client.get("/api/partner-sites").json["sites"] == []
    site = f"/api/partner-sites/{partners.sites['A']}"
    assert other.admin.client.patch(site, json={"name": "Vol"}).status_code == 404
    assert other.admin.client.delete(site).status_code == 404
