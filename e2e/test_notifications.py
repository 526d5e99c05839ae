"""Notifications in the browser: member A mentions member B in a dossier's discussion while B
is on Home, then while B works in another workspace; B sees, live and without reloading, the
bell's unread count and list, the workspace's badge in the side list and the count in the tab's
title, in English and then in French; opening the workspace marks them read; a document
request addressed to B reaches B the same way; B's mails (through a real SMTP server) say only
that something waits, with a link. Every state is
checked with axe-core (WCAG 2.2 AA), the bell's list and the Notifications page included."""

from __future__ import annotations

import datetime
import time

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser
from e2e.harness.flows import ADMIN, MEMBER

TIMEOUT_MS = 30_000
# From A's click on "Post" to B's bell: what "live" means here (measured: 0.3 s).
LIVE_SECONDS = 5
WORKSPACE = "Commission SSR Nord-Sud"
OTHER_WORKSPACE = "Staff du site Sud"
PATIENT = "M. Armand Notifié"
FIRST_COMMENT = "Pouvez-vous relire cette évaluation ?"
SECOND_COMMENT = "Et le compte rendu du séjour ?"
REQUEST = "Bilan orthophonique"


def _mention(admin: UserBrowser, text: str) -> None:
    """A types a comment in the open dossier, mentions B from the list, and posts it."""
    admin.page.fill("#comment-text", text)
    admin.page.select_option("#comment-mention", label=MEMBER.name)
    admin.page.click("#comment-post")
    admin.page.locator("#comment-list li", has_text=text).wait_for(timeout=TIMEOUT_MS)


def _wait_for_text(user: UserBrowser, selector: str, text: str) -> None:
    user.page.locator(selector, has_text=text).wait_for(timeout=TIMEOUT_MS)


def _wait_for_title(user: UserBrowser, title: str) -> None:
    """The tab's title becomes `title` (polled: evaluating a waiting function is blocked by the
    page's Content-Security-Policy)."""
    for _ in range(TIMEOUT_MS // 100):
        if user.page.title() == title:
            return
        user.page.wait_for_timeout(100)
    assert user.page.title() == title


def _bell_shows(user: UserBrowser, text: str) -> None:
    """B opens the bell's list, which says `text` (once the names are verified and decrypted)."""
    user.page.click("#notification-bell")
    user.page.locator("#notification-panel").wait_for(timeout=TIMEOUT_MS)
    user.page.locator("#notification-list li", has_text=text).first.wait_for(timeout=TIMEOUT_MS)


def test_a_mention_reaches_the_member_live_in_bell_side_list_and_title(
        server, organization, smtp_server):
    admin, member, _ = organization
    flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    other_id = flows.create_workspace(admin, OTHER_WORKSPACE)
    flows.share_workspace(admin, MEMBER)
    flows.go_home(admin)
    workspace_id = flows.create_workspace(admin, WORKSPACE)
    flows.share_workspace(admin, MEMBER)
    flows.new_dossier(admin, PATIENT)
    admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}') button").click()
    admin.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)

    # B is on Home, in English.
    flows.go_home(member)
    member.page.locator(f"#workspace-list li[data-workspace-id='{workspace_id}'] a").wait_for(
        timeout=TIMEOUT_MS)
    assert member.page.is_hidden("#notification-count")
    assert member.page.title() == "Paravent"

    smtp_server.mailbox.messages.clear()
    posted = time.monotonic()
    _mention(admin, FIRST_COMMENT)
    _wait_for_text(member, "#notification-count", "1")
    assert time.monotonic() - posted < LIVE_SECONDS, "the bell changes while B looks at it"
    badge = f"#workspace-list li[data-workspace-id='{workspace_id}'] .notification-count"
    _wait_for_text(member, badge, "1 notification")
    assert member.page.is_hidden(
        f"#workspace-list li[data-workspace-id='{other_id}'] .notification-count")
    _wait_for_title(member, "(1) Paravent")
    assert member.page.get_attribute("#notification-bell", "aria-label") == (
        "Notifications: 1 unread")
    _bell_shows(member, f"{ADMIN.name} mentioned you in {WORKSPACE}")
    assert_accessible(member.page, "home with the notification list open (en)")
    member.page.keyboard.press("Escape")
    assert member.page.is_hidden("#notification-panel")

    # B works in the other workspace, in French.
    member.page.select_option("#language-select", "fr")
    flows.open_workspace(member, OTHER_WORKSPACE)
    nav_badge = f".workspace-nav a[href='#/w/{workspace_id}'] + .notification-count"
    _wait_for_text(member, nav_badge, "1 notification")
    _mention(admin, SECOND_COMMENT)
    _wait_for_text(member, "#notification-count", "2")
    _wait_for_text(member, nav_badge, "2 notifications")
    _wait_for_title(member, "(2) Paravent")
    assert member.page.get_attribute("#notification-bell", "aria-label") == (
        "Notifications : 2 non lues")
    _bell_shows(member, f"{ADMIN.name} vous a mentionné(e) dans {WORKSPACE}")
    assert_accessible(member.page, "another workspace with the notification list open (fr)")
    member.page.mouse.click(5, 400)  # a click elsewhere closes the list
    assert member.page.is_hidden("#notification-panel")
    assert member.page.get_attribute("#notification-bell", "aria-expanded") == "false"

    # The Notifications page: the list and the mail preference, then the workspace read.
    member.page.click("#notification-bell")
    member.page.click("#notification-all")
    member.page.wait_for_selector("#notification-preferences", timeout=TIMEOUT_MS)
    assert member.page.locator("#notification-page-list li.unread").count() == 2
    member.page.check("#notification-mail-daily")
    member.page.click("#notification-mail-save")
    _wait_for_text(member, "#notification-mail-saved", "Enregistré.")
    assert_accessible(member.page, "notifications page (fr)")
    member.page.locator("#notification-page-list a").first.click()
    member.page.wait_for_selector("#workspace-title", timeout=TIMEOUT_MS)
    member.page.locator("#notification-count").wait_for(state="hidden", timeout=TIMEOUT_MS)
    _wait_for_title(member, "Paravent")
    assert member.page.is_hidden(nav_badge)
    assert admin.page.is_hidden("#notification-count")
    preferences = member.page.evaluate(
        "async () => (await fetch('/api/notifications/preferences')).json()")
    assert preferences == {"mail": "daily", "language": "fr"}

    # A document request addressed to B, while B is back on Home.
    flows.go_home(member)
    admin.page.fill("#request-what", REQUEST)
    flows.fill_date(admin, "request-due", datetime.date.today() + datetime.timedelta(days=7))
    admin.page.select_option("#request-to", label=MEMBER.name)
    admin.page.click("#request-submit")
    asked = admin.page.locator("#request-list li", has_text=REQUEST)
    assert asked.locator("mark.mention").inner_text(timeout=TIMEOUT_MS) == f"@{MEMBER.name}"
    _wait_for_text(member, "#notification-count", "1")
    _wait_for_title(member, "(1) Paravent")
    _bell_shows(member, f"{ADMIN.name} vous demande un document dans {WORKSPACE}")
    assert member.console_errors == [] and admin.console_errors == []

    # B was mailed through the real SMTP server, A never; no mail says anything but that
    # something waits in that workspace.
    mails = smtp_server.mailbox.wait_for(MEMBER.email, 1)
    assert mails and smtp_server.mailbox.to(ADMIN.email) == []
    for mail in mails:
        assert mail["Subject"] in ("New activity is waiting for you in Paravent",
                                   "Du nouveau vous attend dans Paravent")
        text = mail["Subject"] + mail.get_content()
        assert f"{server.url}#/w/{workspace_id}" in text
        for revealing in (PATIENT, FIRST_COMMENT, SECOND_COMMENT, REQUEST, ADMIN.name,
                          MEMBER.name, WORKSPACE, "mention", "document"):
            assert revealing not in text
