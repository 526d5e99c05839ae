"""A large organization's directory (issue 25, item 5): the server pages it and searches it by
name or e-mail; the worker checks a certificate only when something reads it (a page of the
member list, a history's authors) and once per sign-in, yet a certificate the server changes
afterwards, or a revocation it lists later, is checked and believed as before."""

from __future__ import annotations

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


def test_worker_checks_only_the_certificates_a_page_of_members_shows(organization):
    for index in range(6):
        organization.member(display_name=f"Member {index}", email=f"m{index}@site.example")
    admin = organization.admin
    worker = CryptoService()  # a fresh sign-in's worker
    unlocked = worker.handle("identity.unlock_with_passkey", {
        "wrapped_bundle": admin.wrapped_for(), "prf_output": admin.authenticator.prf_output(None),
        "organization_id": admin.organization_id, "user_id": admin.user_id})
    assert unlocked["ok"], unlocked
    listing = admin.client.get("/api/directory").json["users"]
    loaded = worker.handle("directory.load", {"users": listing})["result"]
    assert (loaded["count"], loaded["certificate_checks"]) == (7, 0)

    page = worker.handle("directory.page", {"query": "M", "first": 2, "count": 2})["result"]
    assert page["total"] == 7  # "m" is in every name or e-mail ("Dr Admin", "Member …")
    assert [user["display_name"] for user in page["users"]] == ["Member 1", "Member 2"]
    assert page["certificate_checks"] == 3  # the two shown, and the admin who signed them
    found = worker.handle("directory.page", {"query": "M4@SITE", "first": 0, "count": 50})
    assert [user["display_name"] for user in found["result"]["users"]] == ["Member 4"]
    everyone = worker.handle("directory.verify", {"users": listing})["result"]
    assert everyone["certificate_checks"] == 7 and all(user["active"]
                                                        for user in everyone["users"])
