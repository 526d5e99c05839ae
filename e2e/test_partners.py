"""Partner sites and their spaces, as people see them (issue 22, items 1 and 6): an
administrator registers two partner sites, invites a contact for each (external profile, the
usual passkey and code check) and creates each site's space from the site's page; contact A
sees only their space and its members, not site B or its contact, in the page and through the
API; removing site B's contact takes them out of its space, which moves to a new key (the
space's activity lists the removal) and revokes their account. In English, and the page in
French; axe-core finds no violation on the new views."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser
from e2e.harness.flows import ADMIN, TIMEOUT_MS, Person

SCREEN = {"width": 1366, "height": 768}
SITE_A, SITE_B = "Maternité Alpha", "Maternité Bêta"
CONTACT_A = Person("Mme Anne Sagefemme", "anne@maternite-alpha.example", SITE_A)
CONTACT_B = Person("M. Bruno Puériculteur", "bruno@maternite-beta.example", SITE_B)


def _open_partners(admin: UserBrowser) -> None:
    admin.page.click("#nav-partners")
    admin.page.wait_for_selector("#partners-title", timeout=TIMEOUT_MS)


def _site(admin: UserBrowser, name: str):
    return admin.page.locator(f"section.partner-site:has(h2:text-is('{name}'))")


def _register(admin: UserBrowser, name: str) -> None:
    admin.page.fill("#field-name", name)
    admin.page.click("#site-create")
    _site(admin, name).wait_for(timeout=TIMEOUT_MS)


def _invite_contact(admin: UserBrowser, contact: UserBrowser, person: Person) -> None:
    """From the site's section: invite `person`, check codes with them; back on the partner
    sites page, they are the site's contact."""
    site = _site(admin, person.site)
    site.locator("input[name=display_name]").fill(person.name)
    site.locator("input[name=email]").fill(person.email)
    site.locator(".contact-invite").click()
    link = site.locator("#invitation-link").inner_text(timeout=TIMEOUT_MS)
    site.locator("#greet-link").click()
    admin.page.wait_for_selector("#sas-status", timeout=TIMEOUT_MS)
    flows.claim(contact, link)
    flows.confirm_codes(admin, contact)
    admin.page.wait_for_selector("#sas-done", timeout=TIMEOUT_MS)
    contact.page.wait_for_selector("#my-fingerprint", timeout=TIMEOUT_MS)
    _open_partners(admin)
    expect(_site(admin, person.site).locator(".contact-name", has_text=person.name)).to_have_count(
        1, timeout=TIMEOUT_MS)


def _create_space(admin: UserBrowser, name: str) -> str:
    site = _site(admin, name)
    site.locator(".site-create-space").click()
    space = site.locator("a.site-space")
    space.wait_for(timeout=TIMEOUT_MS)
    return space.get_attribute("href").rsplit("/", 1)[1]


def _fetch(user: UserBrowser, path: str) -> dict[str, Any]:
    return user.page.evaluate(
        """async (path) => { const r = await fetch(path);
           return { status: r.status, body: await r.json().catch(() => null) }; }""", path)


def test_partner_sites_keep_each_contact_to_their_own_space(server, new_user):
    admin = new_user(viewport=SCREEN, locale="en-GB")
    flows.bootstrap(admin, server.bootstrap_link("Laboratoire de dépistage"), ADMIN)
    contact_a = new_user(viewport=SCREEN, locale="en-GB")
    contact_b = new_user(viewport=SCREEN, locale="en-GB")

    _open_partners(admin)
    expect(admin.page.locator("#no-partner-sites")).to_be_visible(timeout=TIMEOUT_MS)
    assert_accessible(admin.page, "partner sites, none yet")
    _register(admin, SITE_A)
    _register(admin, SITE_B)
    _invite_contact(admin, contact_a, CONTACT_A)
    _invite_contact(admin, contact_b, CONTACT_B)
    space_a = _create_space(admin, SITE_A)
    space_b = _create_space(admin, SITE_B)
    assert_accessible(admin.page, "partner sites with contacts and spaces")

    # Contact A: their one space, its members, and nobody of site B.
    flows.go_home(contact_a)
    listed = contact_a.page.locator("#workspace-list a")
    expect(listed).to_have_count(1, timeout=TIMEOUT_MS)
    expect(listed).to_contain_text(SITE_A)
    flows.go_to(contact_a, "people")
    directory = contact_a.page.locator("#directory")
    expect(directory).to_contain_text(ADMIN.name, timeout=TIMEOUT_MS)
    expect(directory).to_contain_text(CONTACT_A.name)
    expect(directory).not_to_contain_text(CONTACT_B.name)
    expect(contact_a.page.locator("#nav-partners")).to_have_count(0)
    names = {user["display_name"] for user in _fetch(contact_a, "/api/directory")["body"]["users"]}
    assert names == {ADMIN.name, CONTACT_A.name}
    assert _fetch(contact_a, f"/api/workspaces/{space_b}")["status"] == 404
    assert _fetch(contact_a, f"/api/workspaces/{space_b}/log")["status"] == 404
    assert _fetch(contact_a, "/api/partner-sites")["status"] == 403
    contact_a.page.click(f"#nav-workspaces a[href='#/w/{space_a}']")
    members = contact_a.page.locator("#member-list")
    expect(members).to_contain_text(ADMIN.name, timeout=TIMEOUT_MS)
    expect(contact_a.page.locator("#partner-space-mark")).to_have_text(
        "Partner space: shared between the team and one partner site.")
    assert_accessible(contact_a.page, "a contact's partner space")
    expect(members).not_to_contain_text(CONTACT_B.name)

    # Site B's contact leaves: out of the space first, which moves to a new key; revoked.
    _open_partners(admin)
    _site(admin, SITE_B).locator(".contact-remove").click()
    flows.confirm(admin)
    expect(_site(admin, SITE_B).locator(".contact")).to_have_count(0, timeout=TIMEOUT_MS)
    admin.page.goto(admin.page.url.split("#")[0] + f"#/w/{space_b}")
    feed = admin.page.locator("#activity-feed li").first
    expect(feed).to_contain_text(re.compile(r"removed a (revoked )?member"), timeout=TIMEOUT_MS)
    expect(feed).to_contain_text(CONTACT_B.name)
    # The removal moved the space to its next key, granted to the admin who stays.
    grants = _fetch(admin, f"/api/workspaces/{space_b}")["body"]["grants"]
    assert max(grant["key_index"] for grant in grants) == 1
    expect(admin.page.locator(f"#member-list li:has-text('{CONTACT_B.name}')")).to_have_class(
        re.compile("member-revoked"))
    # Their account is revoked too: their session is over.
    assert _fetch(contact_b, f"/api/workspaces/{space_b}")["status"] == 401


def test_partner_sites_page_in_french(server, new_user):
    admin = new_user(viewport=SCREEN, locale="fr-FR")
    flows.bootstrap(admin, server.bootstrap_link("Laboratoire en français"), ADMIN)
    _open_partners(admin)
    expect(admin.page.locator("#partners-title")).to_have_text("Sites partenaires")
    _register(admin, SITE_A)
    admin.page.fill("#field-name", SITE_A.upper())
    admin.page.click("#site-create")
    expect(admin.page.locator("[role=alert]:not([hidden])").first).to_have_text(
        "Un site partenaire porte déjà ce nom.", timeout=TIMEOUT_MS)
    expect(_site(admin, SITE_A).locator(".site-create-space")).to_have_text(
        "Créer l\u2019espace du site")
    assert_accessible(admin.page, "fr-FR partner sites")
