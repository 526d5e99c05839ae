"""Invitations without dead ends, roles and the activity, as people see them (issue 24, items 1,
2 and 5), in English and French: the admin's list of pending invitations (where each stands,
"Check codes" findable again after leaving Home, "Resend" retiring the old link, "Cancel" after
a dialog); an invitee who closes the page midway and comes back to their link, the admin's page
saying they left and resuming; a misheard code retried with new codes and the tries left; a
member's role changed from their row, with the four roles explained; and the Activity panel
listing membership events, a revoked member shown as revoked in Members. axe-core finds no
violation on any of these views."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN, MEMBER, TIMEOUT_MS, Person

SCREEN = {"width": 1366, "height": 768}
SECOND = Person("M. Paul Lefort", "paul@chu-est.example", "CHU Est")
# What each language's person reads.
TEXTS = {
    "en-GB": {
        "waiting": "Waiting for the invitee to open their link",
        "opened": "The invitee opened their link",
        "codes": "Codes to check",
        "resent": f"New link for {SECOND.name}",
        "cancelled": f"The invitation of {SECOND.name} was cancelled.",
        "dialog": f"Cancel the invitation of {SECOND.name}? Their link will stop working.",
        "left": "The invitee left the page.",
        "resume": "left before the codes were checked",
        "again": "Create my passkey again",
        "retry": "The codes do not match: check you read them correctly; 2 tries left.",
        "typed": "The code you typed does not match the one read to you.",
        "by_admin": "The administrator typed a code that does not match yours.",
        "done": f"{MEMBER.name} is now a member.",
        "contributor": "Contributor", "manager": "Manager",
        "role_changed": f"{MEMBER.name} is now Manager.",
        "your_role": "Your role: Manager",
        "about_manager": "Also adds and removes members",
        "added": f"added a member — {MEMBER.name}, as Contributor",
        "changed": f"changed a member's role — {MEMBER.name}: Contributor → Manager",
        "created": "created the workspace",
        "revoked_member": "removed a revoked member",
        "revoked_on": "revoked on",
    },
    "fr-FR": {
        "waiting": "En attente de l\u2019ouverture du lien",
        "opened": "La personne invitée a ouvert son lien",
        "codes": "Codes à vérifier",
        "resent": f"Nouveau lien pour {SECOND.name}",
        "cancelled": f"L\u2019invitation de {SECOND.name} a été annulée.",
        "dialog": f"Annuler l\u2019invitation de {SECOND.name} ? Son lien ne fonctionnera plus.",
        "left": "La personne invitée a quitté la page.",
        "resume": "quitté la page avant la vérification des codes",
        "again": "Créer de nouveau ma clé d\u2019accès",
        "retry": "Les codes ne correspondent pas : vérifiez que vous les avez bien lus ; "
                 "il reste 2 essais.",
        "typed": "Le code saisi ne correspond pas à celui qui vous a été lu.",
        "by_admin": "L\u2019administrateur a saisi un code qui ne correspond pas au vôtre.",
        "done": f"{MEMBER.name} est maintenant membre.",
        "contributor": "Contributeur", "manager": "Gestionnaire",
        "role_changed": f"{MEMBER.name} est maintenant Gestionnaire.",
        "your_role": "Votre rôle : Gestionnaire",
        "about_manager": "Ajoute et retire aussi des membres",
        "added": f"a ajouté un membre — {MEMBER.name}, comme Contributeur",
        "changed": f"a changé le rôle d\u2019un membre — {MEMBER.name} : "
                   "Contributeur → Gestionnaire",
        "created": "a créé l\u2019espace",
        "revoked_member": "a retiré un membre révoqué",
        "revoked_on": "révoqué·e le",
    },
}


def _people(server, new_user, locale: str, name: str) -> tuple[UserBrowser, UserBrowser]:
    admin = new_user(viewport=SCREEN, locale=locale)
    flows.bootstrap(admin, server.bootstrap_link(name), ADMIN)
    return admin, new_user(viewport=SCREEN, locale=locale)


def _row(admin: UserBrowser, person: Person):
    return admin.page.locator(f"#invitation-list tr:has-text('{person.name}')")


def _open(user: UserBrowser, link: str) -> None:
    """Open `link` as a person pasting it does: a fresh page load, whatever was open before."""
    user.page.goto("about:blank")
    user.page.goto(link)
    wait_for_crypto_ready(user.page)


def _state_of(admin: UserBrowser, person: Person, text: str) -> None:
    """Home, opened again, shows `person`'s invitation in state `text`."""
    admin.page.click("#nav-security")
    admin.page.wait_for_selector("#security-title", timeout=TIMEOUT_MS)
    flows.go_to(admin, "invitations")
    expect(_row(admin, person).locator(".invitation-state")).to_have_text(text,
                                                                          timeout=TIMEOUT_MS)


@pytest.mark.parametrize("locale", list(TEXTS))
def test_invitations_listed_resent_and_cancelled(server, new_user, locale):
    texts = TEXTS[locale]
    admin, invitee = _people(server, new_user, locale, f"CHU Invitations {locale}")
    flows.invite(admin, MEMBER)
    old_link = flows.invite(admin, SECOND)
    _state_of(admin, SECOND, texts["waiting"])
    expect(_row(admin, MEMBER).locator(".invitation-state")).to_have_text(texts["waiting"])

    invitee.page.goto(old_link)
    wait_for_crypto_ready(invitee.page)
    invitee.page.wait_for_selector("#join-create-passkey", timeout=TIMEOUT_MS)
    _state_of(admin, SECOND, texts["opened"])
    assert_accessible(admin.page, f"{locale} home with pending invitations")

    # Resend: a new link shown where the admin is looking; the old one no longer works.
    _row(admin, SECOND).locator(".invitation-resend").click()
    heading = admin.page.locator("#invitation-created")
    expect(heading).to_have_text(texts["resent"], timeout=TIMEOUT_MS)
    expect(heading).to_be_focused()
    new_link = admin.page.locator("#invitation-resent #invitation-link").inner_text()
    assert new_link != old_link
    expect(_row(admin, SECOND).locator(".invitation-state")).to_have_text(texts["waiting"])
    _open(invitee, old_link)
    invitee.page.locator("[role=alert]:not([hidden])").wait_for(timeout=TIMEOUT_MS)
    assert invitee.page.locator("#join-create-passkey").count() == 0
    _open(invitee, new_link)
    invitee.page.wait_for_selector("#join-create-passkey", timeout=TIMEOUT_MS)

    # Cancel: a dialog first; "Cancel" in it keeps the invitation, "Confirm" cancels it.
    _row(admin, SECOND).locator(".invitation-cancel").click()
    dialog = admin.page.locator("#confirm-dialog")
    expect(dialog).to_contain_text(texts["dialog"])
    assert_accessible(admin.page, f"{locale} invitation cancel dialog")
    dialog.locator("button.confirm-cancel").click()
    expect(_row(admin, SECOND)).to_have_count(1)
    _row(admin, SECOND).locator(".invitation-cancel").click()
    flows.confirm(admin)
    expect(admin.page.locator("#invitations-notice")).to_have_text(texts["cancelled"],
                                                                   timeout=TIMEOUT_MS)
    expect(_row(admin, SECOND)).to_have_count(0)
    expect(_row(admin, MEMBER)).to_have_count(1)
    _open(invitee, new_link)
    alert = invitee.page.locator("[role=alert]:not([hidden])")
    alert.wait_for(timeout=TIMEOUT_MS)
    assert invitee.page.locator("#join-create-passkey").count() == 0


def _codes(admin: UserBrowser, invitee: UserBrowser, before: tuple[str, str] | None = None):
    """The codes both pages show, once they are new (different from `before`)."""
    for user, index in ((admin, 0), (invitee, 1)):
        code = user.page.locator("#my-sas-code")
        if before is not None:
            expect(code).not_to_have_text(before[index], timeout=TIMEOUT_MS)
        code.wait_for(timeout=TIMEOUT_MS)
    return flows.codes(admin, invitee)


def _wrong(code: str) -> str:
    return "ZZZZ" if code != "ZZZZ" else "YYYY"


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_invitee_leaves_comes_back_and_a_misheard_code_is_retried(server, new_user, locale):
    texts = TEXTS["en-GB" if locale.startswith("en") else locale]
    admin, invitee = _people(server, new_user, locale, f"CHU Retour {locale}")
    link = flows.invite(admin, MEMBER)
    # The admin leaves Home, and finds the code check again in the list.
    admin.page.click("#nav-security")
    admin.page.wait_for_selector("#security-title", timeout=TIMEOUT_MS)
    flows.go_to(admin, "invitations")
    _row(admin, MEMBER).locator(".invitation-check").click()
    status = admin.page.locator("#sas-status")
    status.wait_for(timeout=TIMEOUT_MS)

    flows.claim(invitee, link)
    admin.page.locator("#my-sas-code").wait_for(timeout=TIMEOUT_MS)
    # The invitee closes the page before the codes are checked: the admin's page says so.
    invitee.page.goto("about:blank")
    expect(status).to_contain_text(texts["left"], timeout=TIMEOUT_MS)
    expect(admin.page.locator("#my-sas-code")).to_have_count(0)
    assert_accessible(admin.page, f"{locale} code check, the invitee left")

    # They come back to the same link and carry on.
    invitee.page.goto(link)
    wait_for_crypto_ready(invitee.page)
    expect(invitee.page.locator("#join-resume")).to_contain_text(texts["resume"],
                                                                 timeout=TIMEOUT_MS)
    expect(invitee.page.locator("#join-create-passkey")).to_have_text(texts["again"])
    assert_accessible(invitee.page, f"{locale} invitation link, coming back")
    invitee.page.click("#join-create-passkey")
    flows.keep_recovery_code(invitee)
    admin_code, invitee_code = _codes(admin, invitee)

    # A misheard code: both are told it is one of the tries, and new codes follow.
    flows.type_code(admin, _wrong(invitee_code))
    for user, who in ((admin, texts["typed"]), (invitee, texts["by_admin"])):
        retry = user.page.locator("#sas-retry")
        expect(retry).to_contain_text(texts["retry"], timeout=TIMEOUT_MS)
        expect(retry).to_contain_text(who)
        expect(user.page.locator("#sas-aborted")).to_have_count(0)
    assert_accessible(invitee.page, f"{locale} code check after a misheard code")
    new_admin_code, new_invitee_code = _codes(admin, invitee, (admin_code, invitee_code))
    flows.type_code(invitee, new_admin_code)
    invitee.page.locator("#sas-confirm").wait_for(state="detached", timeout=TIMEOUT_MS)
    flows.type_code(admin, new_invitee_code)
    expect(admin.page.locator("#sas-done")).to_have_text(texts["done"], timeout=TIMEOUT_MS)
    invitee.page.wait_for_selector("#my-fingerprint", timeout=TIMEOUT_MS)
    flows.go_to(admin, "invitations")
    expect(_row(admin, MEMBER)).to_have_count(0, timeout=TIMEOUT_MS)


def _member_row(admin: UserBrowser, person: Person):
    return admin.page.locator(f"#member-list li:has-text('{person.name}')")


def _feed(user: UserBrowser) -> list[str]:
    return [text.replace("\u00a0", " ").replace("\u202f", " ")
            for text in user.page.locator("#activity-feed li").all_inner_texts()]


@pytest.mark.parametrize("locale", list(TEXTS))
def test_roles_changed_from_the_member_row_and_the_activity_lists_membership(server, new_user,
                                                                            locale):
    texts = TEXTS[locale]
    admin, member = _people(server, new_user, locale, f"CHU Rôles {locale}")
    flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    workspace = f"Commission rôles {locale}"
    flows.create_workspace(admin, workspace)
    flows.share_workspace(admin, MEMBER, "contributor")

    # The four roles explained where a role is chosen.
    descriptions = admin.page.locator("#role-descriptions")
    expect(descriptions).to_be_visible()
    expect(descriptions).to_contain_text(texts["about_manager"])
    select = _member_row(admin, MEMBER).locator("select.member-role")
    assert select.get_attribute("aria-describedby") == "role-descriptions"
    select.select_option("manager")
    _member_row(admin, MEMBER).locator(".member-role-change").click()
    notice = admin.page.locator("#members-notice")
    expect(notice).to_have_text(texts["role_changed"], timeout=TIMEOUT_MS)
    expect(_member_row(admin, MEMBER).locator(".badge-verified")).to_have_text(texts["manager"])
    # The owner's own row offers no role change.
    expect(admin.page.locator(f"#member-list li:has-text('{ADMIN.name}') select")).to_have_count(0)

    flows.open_workspace(member, workspace)
    expect(member.page.locator("#workspace-role")).to_have_text(texts["your_role"],
                                                                timeout=TIMEOUT_MS)
    feed = admin.page.locator("#activity-feed")
    expect(feed).to_contain_text(texts["changed"], timeout=TIMEOUT_MS)
    entries = _feed(admin)
    assert any(texts["added"] in entry for entry in entries), entries
    assert any(texts["created"] in entry for entry in entries), entries
    assert_accessible(admin.page, f"{locale} workspace with a role changed")

    # A revoked member stays in Members, as revoked with the date, and the removal is listed.
    flows.revoke(admin, MEMBER)
    flows.open_workspace(admin, workspace)
    revoked = admin.page.locator(f"#member-list li.member-revoked:has-text('{MEMBER.name}')")
    expect(revoked).to_contain_text(texts["revoked_on"], timeout=TIMEOUT_MS)
    expect(feed).to_contain_text(texts["revoked_member"], timeout=TIMEOUT_MS)
    assert_accessible(admin.page, f"{locale} workspace with a revoked member")
