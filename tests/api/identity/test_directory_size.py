"""A large organization's directory (issue 25, item 5): the server pages it and searches it by
name or e-mail; the worker checks each certificate once per sign-in, yet a certificate the
server changes afterwards, or a revocation it lists later, is checked and believed as before."""

from __future__ import annotations

from urllib.parse import quote

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
