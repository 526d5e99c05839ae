"""Home in an organization of a few hundred members (issue 25, item 5), in English and French:
the page is drawn before the member list is verified, the whole directory is fetched once per
sign-in (for the workspaces' histories) while the list asks the server for one page of 50 members
at a time, the search (on the server, each page verified in the browser) finds a member by name
and by e-mail as one types, a revoked member is still shown as revoked, and
axe finds nothing.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.flows import ADMIN, TIMEOUT_MS
from tests.many_members import add_members, member_email, member_name

MEMBERS = 300
DASH = "\N{EN DASH}"
TEXTS = {
    "en-GB": {"first": f"Members 1{DASH}50 of 301", "second": f"Members 51{DASH}100 of 301",
              "one": f"Members 1{DASH}1 of 1",
              "none": "No member matches \N{LEFT DOUBLE QUOTATION MARK}nobody here"
                      "\N{RIGHT DOUBLE QUOTATION MARK}."},
    "fr-FR": {"first": "Membres 1 à 50 sur 301", "second": "Membres 51 à 100 sur 301",
              "one": "Membres 1 à 1 sur 1",
              "none": "Aucun membre ne correspond à « nobody here »."},
}


def _whole(requests: list[str]) -> list[str]:
    """The requests for the whole directory, not for one page of the member list."""
    return [url for url in requests if "limit=50&" not in url]


@pytest.mark.parametrize("locale", list(TEXTS))
def test_home_pages_and_searches_a_large_directory_fetched_once(server, new_user, locale):
    texts = TEXTS[locale]
    organization = f"Large {locale}"
    admin = new_user(locale=locale)
    recovery = flows.bootstrap(admin, server.bootstrap_link(organization), ADMIN)
    flows.create_workspace(admin, "Comité")
    add_members(server.database_path, organization, recovery, MEMBERS)
    flows.go_to(admin, "people")
    expect(admin.page.locator("#directory-status")).to_contain_text("301", timeout=TIMEOUT_MS)

    directory_requests: list[str] = []
    admin.page.on("request", lambda request: directory_requests.append(request.url)
                  if "/api/directory" in request.url else None)
    admin.page.reload()
    flows.sign_in(admin)
    # Drawn before the member list is verified: the page's heading, the navigation.
    expect(admin.page.locator("#people-title")).to_be_visible()
    status = admin.page.locator("#directory-status")
    expect(status).to_have_text(texts["first"], timeout=TIMEOUT_MS)
    expect(admin.page.locator("#nav-workspaces li")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(admin.page.locator("#directory tbody tr")).to_have_count(50)
    assert len(_whole(directory_requests)) == 1, directory_requests
    assert_accessible(admin.page, f"home with {MEMBERS + 1} members ({locale})")

    admin.page.click("#directory-next")
    expect(status).to_have_text(texts["second"])
    expect(admin.page.locator("#directory tbody tr").first).to_contain_text(member_name(49))

    search = admin.page.locator("#field-member-search")
    search.press_sequentially(member_name(123).lower(), delay=5)
    expect(status).to_have_text(texts["one"])
    expect(admin.page.locator("#directory tbody tr")).to_contain_text(member_name(123))
    search.fill(member_email(242))
    expect(admin.page.locator("#directory tbody tr")).to_contain_text(member_name(242))
    search.fill("nobody here")
    expect(status).to_have_text(texts["none"])
    assert len(_whole(directory_requests)) == 1, directory_requests

    search.fill(member_name(242))
    row = admin.page.locator("#directory tbody tr", has_text=member_name(242))
    row.locator("button.danger").click()
    flows.confirm(admin)
    expect(row.locator(".badge-revoked")).to_be_visible(timeout=TIMEOUT_MS)
    admin.page.reload()
    flows.sign_in(admin)
    admin.page.locator("#field-member-search").fill(member_email(242))
    expect(admin.page.locator("#directory tbody tr .badge-revoked")).to_be_visible(
        timeout=TIMEOUT_MS)
