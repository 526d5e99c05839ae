"""A large organization's directory (issue 25, item 5): the server pages it and searches it by
name or e-mail; the worker checks a certificate only when something reads it (a page of the
member list, a history's authors) and once per sign-in, yet a certificate the server changes
afterwards, or a revocation it lists later, is checked and believed as before."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pycrypto_wasm.service import CryptoService
from tests.api.identity.soft_authenticator import b64url, unb64url
from tests.identity.conftest import substitute
from tests.member_browser import MemberBrowser


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [user["display_name"] for user in response.json["users"]]


def test_directory_search_by_name_or_email_any_case_and_paged(organization):
    for index in range(3):
        organization.member(display_name=f"Dr Lucie Martin {index}",
                            email=f"lucie.martin{index}@chu-nord.example")
    organization.member(display_name="M. Paul Durand", email="paul@chu-sud.example")
    client = organization.admin.client
    assert _names(client.get("/api/directory?q=paul%20DURAND")) == ["M. Paul Durand"]
    assert _names(client.get("/api/directory?q=CHU-SUD")) == ["M. Paul Durand"]
    assert _names(client.get("/api/directory?q=nobody")) == []
    first = client.get("/api/directory?q=martin&limit=2")
    assert _names(first) == ["Dr Lucie Martin 0", "Dr Lucie Martin 1"]
    rest = client.get(f"/api/directory?q=martin&limit=2&cursor={quote(first.json['next'])}")
    assert _names(rest) == ["Dr Lucie Martin 2"] and rest.json["next"] is None
    assert len(_names(client.get("/api/directory"))) == 5


def test_worker_checks_each_certificate_once_per_sign_in(organization):
    members = [organization.member(display_name=f"Member {index}") for index in range(4)]
    browser = MemberBrowser(organization.admin)
    checked = browser.call("directory.verify", users=browser.all_pages("/api/directory", "users"))
    assert checked["certificate_checks"] == 5
    again = browser.call("directory.verify", users=browser.all_pages("/api/directory", "users"))
    assert again["certificate_checks"] == 5
    assert again["users"] == checked["users"]

    # Changed by the server after the first check: checked again, and not believed.
    users = browser.all_pages("/api/directory", "users")
    forged = next(user for user in users if user["user_id"] == members[0].user_id)
    forged["certificate"] = b64url(substitute(unb64url(forged["certificate"]),
                                              display_name="Mallory"))
    reply = browser.call("directory.verify", users=users)
    assert reply["certificate_checks"] == 6
    shown = next(user for user in reply["users"] if user["user_id"] == members[0].user_id)
    assert not shown["valid"] and shown["server_claims"]["display_name"] == "Member 0"

    # A revocation listed later counts, with no certificate checked again.
    assert organization.revoke(members[1]).status_code == 200
    reply = browser.call("directory.verify", users=browser.all_pages("/api/directory", "users"))
    revoked = next(user for user in reply["users"] if user["user_id"] == members[1].user_id)
    assert revoked["revoked"] and not revoked["active"]
    assert reply["certificate_checks"] == 6


def _signed_in_worker(admin) -> CryptoService:
    """A fresh sign-in's worker for `admin`."""
    worker = CryptoService()
    unlocked = worker.handle("identity.unlock_with_passkey", {
        "wrapped_bundle": admin.wrapped_for(), "prf_output": admin.authenticator.prf_output(None),
        "organization_id": admin.organization_id, "user_id": admin.user_id})
    assert unlocked["ok"], unlocked
    return worker


def _page(worker: CryptoService, listed: dict, **remembered) -> dict:
    """What Home's member list asks the worker for one page the server listed."""
    reply = worker.handle("directory.page", {
        "users": listed["users"], "signers": listed["signers"], "total": listed["total"],
        "remembered_revocations": remembered})
    assert reply["ok"], reply
    return reply["result"]


def test_the_server_pages_a_search_and_the_worker_checks_only_the_page_shown(organization):
    for index in range(6):
        organization.member(display_name=f"Member {index}", email=f"m{index}@site.example")
    admin = organization.admin
    worker = _signed_in_worker(admin)
    first = admin.client.get("/api/directory?q=M&limit=2&signers=1").json
    second = admin.client.get(
        f"/api/directory?q=M&limit=2&signers=1&cursor={quote(first['next'])}").json
    # The admin who certified the page comes along, to verify it; nobody else.
    assert [user["display_name"] for user in second["signers"]] == ["Dr Admin"]

    page = _page(worker, second)
    assert page["total"] == 7  # "m" is in every name or e-mail ("Dr Admin", "Member …")
    assert [user["display_name"] for user in page["users"]] == ["Member 1", "Member 2"]
    assert all(user["active"] for user in page["users"])
    assert page["certificate_checks"] == 3  # the two shown, and the admin who signed them
    found = _page(worker, admin.client.get("/api/directory?q=M4@SITE&limit=50&signers=1").json)
    assert [user["display_name"] for user in found["users"]] == ["Member 4"]
    assert found["certificate_checks"] == 4
    listing = admin.client.get("/api/directory").json["users"]
    everyone = worker.handle("directory.verify", {"users": listing})["result"]
    assert everyone["certificate_checks"] == 7 and all(user["active"]
                                                        for user in everyone["users"])


def test_a_page_carries_every_revocation_and_a_remembered_one_is_never_dropped(organization):
    members = [organization.member(display_name=f"Member {index}") for index in range(3)]
    assert organization.revoke(members[2]).status_code == 200
    admin = organization.admin
    worker = _signed_in_worker(admin)
    page = _page(worker, admin.client.get("/api/directory?limit=2&signers=1").json)
    # Member 2 is not on the page, yet their revocation is verified and handed back to remember.
    assert [user["display_name"] for user in page["users"]] == ["Dr Admin", "Member 0"]
    assert set(page["revocations"]) == {members[2].user_id}
    remembered = page["revocations"]

    # A server that stops listing the revocation is not believed, by a fresh worker either.
    listed = admin.client.get("/api/directory?q=Member%202&signers=1").json
    for user in listed["users"] + listed["signers"]:
        user["revocation"] = None
    unrevoked = _page(worker, listed)["users"][0]
    assert unrevoked["revoked"] and not unrevoked["active"]
    fresh = _page(_signed_in_worker(admin), listed, **remembered)["users"][0]
    assert fresh["revoked"] and not fresh["active"]
    assert _page(_signed_in_worker(admin), listed)["users"][0]["active"]  # nothing remembered


def test_the_bell_names_only_the_people_it_asks_for(organization):
    members = [organization.member(display_name=f"Member {index}") for index in range(4)]
    admin = organization.admin
    worker = _signed_in_worker(admin)
    wanted = f"{members[1].user_id},{members[3].user_id}"
    listed = admin.client.get(f"/api/directory?ids={wanted}&signers=1").json
    assert {user["user_id"] for user in listed["users"]} == {members[1].user_id,
                                                              members[3].user_id}
    named = worker.handle("directory.names", {"users": listed["users"],
                                               "signers": listed["signers"]})["result"]
    assert named["names"] == {members[1].user_id: "Member 1", members[3].user_id: "Member 3"}
    assert named["certificate_checks"] == 3
    too_many = ",".join(f"u-{index}" for index in range(1001))
    assert admin.client.get(f"/api/directory?ids={too_many}").status_code == 400


def _open_with_named_users(worker: CryptoService, admin, workspace_id: str,
                           served: Any = None) -> dict:
    """Opens a workspace as the page does, with no directory but the users its history names
    (`directory.wanted`), fetched by id; `served` may change what the server lists."""
    listing = admin.client.get(f"/api/workspaces/{workspace_id}").json
    entries = admin.client.get(f"/api/workspaces/{workspace_id}/log?after=0").json["entries"]
    wanted = worker.handle("directory.wanted", {"workspace_id": workspace_id, "entries": entries,
                                                "grants": listing["grants"]})
    assert wanted["ok"], wanted
    ids = ",".join(wanted["result"]["user_ids"])
    listed = admin.client.get(f"/api/directory?ids={ids}&signers=1").json
    added = worker.handle("directory.add", served(listed) if served else listed)
    assert added["ok"], added
    opened = worker.handle("workspace.open", {
        "workspace_id": workspace_id, "entries": entries, "grants": listing["grants"],
        "manifest": listing["manifest"], "manifest_version": listing["manifest_version"]})
    assert opened["ok"], opened
    return {"wanted": wanted["result"]["user_ids"], **opened["result"]}


def _workspace_written_by(organization, writer) -> str:
    """A workspace the admin created and shared with `writer`, who saved a dossier in it."""
    admin = MemberBrowser(organization.admin)
    workspace_id = admin.create_workspace("Comité")
    admin.open(workspace_id)
    admin.share(workspace_id, writer.user_id, "contributor")
    author = MemberBrowser(writer)
    author.open(workspace_id)
    author.save_dossier(workspace_id, {"patient_name": "Mme Test", "urgency": "low"})
    return workspace_id


def test_opening_a_workspace_fetches_and_checks_only_the_users_its_history_names(organization):
    members = [organization.member(display_name=f"Member {index}") for index in range(5)]
    workspace_id = _workspace_written_by(organization, members[0])
    admin = organization.admin
    worker = _signed_in_worker(admin)
    opened = _open_with_named_users(worker, admin, workspace_id)
    assert set(opened["wanted"]) == {admin.user_id, members[0].user_id}
    assert opened["chain"]["verified"], opened["chain"]
    assert {member["user_id"] for member in opened["members"]} == {admin.user_id,
                                                                    members[0].user_id}
    # The admin and the author: the four other members were neither fetched nor checked.
    assert opened["chain"]["revocations"] == {}
    again = worker.handle("directory.wanted", {
        "workspace_id": workspace_id,
        "entries": admin.client.get(f"/api/workspaces/{workspace_id}/log?after=0").json[
            "entries"]})["result"]
    assert again["user_ids"] == []  # held now: nothing more to fetch
    checks = worker.handle("directory.add", {"users": [], "signers": []})["result"]
    assert checks["certificate_checks"] == 2


def test_an_author_the_server_does_not_serve_breaks_the_history_by_name(organization):
    author = organization.member(display_name="Member A")
    workspace_id = _workspace_written_by(organization, author)

    def without_author(listed: dict) -> dict:
        return {"users": [user for user in listed["users"] if user["user_id"] != author.user_id],
                "signers": listed["signers"]}

    opened = _open_with_named_users(_signed_in_worker(organization.admin), organization.admin,
                                    workspace_id, without_author)
    assert not opened["chain"]["verified"]
    assert "not signed by a known user" in opened["chain"]["problem"]
    assert author.user_id in opened["chain"]["problem"]


def test_a_substituted_author_key_is_caught_when_fetched_by_id(organization):
    author = organization.member(display_name="Member A")
    workspace_id = _workspace_written_by(organization, author)

    def substituted(listed: dict) -> dict:
        for user in listed["users"]:
            if user["user_id"] == author.user_id:
                user["certificate"] = b64url(substitute(unb64url(user["certificate"]),
                                                        display_name="Mallory"))
        return listed

    opened = _open_with_named_users(_signed_in_worker(organization.admin), organization.admin,
                                    workspace_id, substituted)
    assert not opened["chain"]["verified"]
    assert author.user_id in opened["chain"]["problem"]


def test_a_revoked_member_stays_revoked_when_only_named_users_are_fetched(organization):
    author, revoked = (organization.member(display_name=name) for name in ("A", "B"))
    workspace_id = _workspace_written_by(organization, author)
    admin_browser = MemberBrowser(organization.admin)
    admin_browser.open(workspace_id)
    admin_browser.share(workspace_id, revoked.user_id, "reader")
    assert organization.revoke(revoked).status_code == 200
    opened = _open_with_named_users(_signed_in_worker(organization.admin), organization.admin,
                                    workspace_id)
    member = next(member for member in opened["members"] if member["user_id"] == revoked.user_id)
    assert member["revoked"]


def test_from_a_checkpoint_its_members_are_named_too(organization):
    author = organization.member(display_name="Member A")
    workspace_id = _workspace_written_by(organization, author)
    admin = MemberBrowser(organization.admin)
    admin.open(workspace_id)
    checkpoint = admin.checkpoints[workspace_id]
    entries = admin.log_entries(workspace_id, checkpoint["seq"] - 1)
    assert {entry["seq"] for entry in entries} == {checkpoint["seq"]}  # the author's dossier
    wanted = _signed_in_worker(organization.admin).handle("directory.wanted", {
        "workspace_id": workspace_id, "entries": entries, "checkpoint": checkpoint})
    assert set(wanted["result"]["user_ids"]) == {organization.admin.user_id, author.user_id}


def test_the_admin_who_signed_a_revocation_a_history_carries_is_named(organization):
    author, removed = (organization.member(display_name=name) for name in ("A", "B"))
    other_admin = organization.member(profile="admin", display_name="Dr Other Admin")
    workspace_id = _workspace_written_by(organization, author)
    owner = MemberBrowser(organization.admin)
    owner.open(workspace_id)
    owner.share(workspace_id, removed.user_id, "reader")
    revoked = other_admin.client.post(f"/api/users/{removed.user_id}/revoke", json={
        "revocation": b64url(organization.revocation(removed, signer=other_admin))})
    assert revoked.status_code == 200
    owner.verify_directory()
    owner.open(workspace_id)
    owner.unshare(workspace_id, removed.user_id)  # the removal carries the signed revocation
    entries = owner.log_entries(workspace_id)
    wanted = _signed_in_worker(organization.admin).handle("directory.wanted", {
        "workspace_id": workspace_id, "entries": entries})["result"]["user_ids"]
    assert other_admin.user_id in wanted  # neither a member nor an author: the revoker
    assert set(wanted) == {organization.admin.user_id, author.user_id, removed.user_id,
                           other_admin.user_id}
