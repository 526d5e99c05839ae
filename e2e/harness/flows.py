"""What a person does in the identity screens, as reusable steps for the end-to-end tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from playwright.sync_api import Locator

from e2e.harness.browser import UserBrowser, wait_for_crypto_ready

TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    site: str


ADMIN = Person("Dr Claire Admin", "claire@chu-nord.example", "CHU Nord")
MEMBER = Person("Mme Inès Durand", "ines@chu-sud.example", "CHU Sud")


def _fill_person(user: UserBrowser, person: Person) -> None:
    user.page.fill("#field-display_name", person.name)
    user.page.fill("#field-email", person.email)
    user.page.fill("#field-site", person.site)


def keep_recovery_code(user: UserBrowser) -> str:
    """Read the recovery code shown once, tick 'stored' and continue."""
    code = user.page.locator("#recovery-code").inner_text(timeout=TIMEOUT_MS)
    user.page.check("#recovery-stored")
    user.page.click("#recovery-done")
    return code


def bootstrap(user: UserBrowser, link: str, admin: Person) -> str:
    """Create the organization from its bootstrap link; returns the admin's recovery code."""
    user.page.goto(link)
    wait_for_crypto_ready(user.page)
    _fill_person(user, admin)
    user.page.click("#create-organization")
    code = keep_recovery_code(user)
    user.page.wait_for_selector("#my-fingerprint", timeout=TIMEOUT_MS)
    return code


def fingerprint(user: UserBrowser) -> str:
    user.page.goto(user.page.url.split("#")[0] + "#/")
    return user.page.locator("#my-fingerprint").inner_text(timeout=TIMEOUT_MS)


def invite(admin: UserBrowser, person: Person, profile: str = "member") -> str:
    """Create an invitation from the Invitations page; returns the link to send."""
    page = admin.page
    go_to(admin, "invitations")
    _fill_person(admin, person)
    page.select_option("#field-profile", profile)
    page.click("#invite-submit")
    return page.locator("#invitation-link").inner_text(timeout=TIMEOUT_MS)


def start_greeting(admin: UserBrowser) -> None:
    admin.page.click("#greet-link")
    admin.page.wait_for_selector("#sas-status", timeout=TIMEOUT_MS)


def claim(invitee: UserBrowser, link: str) -> str:
    """Open the invitation, create the passkey and keys; returns the recovery code."""
    invitee.page.goto(link)
    wait_for_crypto_ready(invitee.page)
    invitee.page.click("#join-create-passkey")
    return keep_recovery_code(invitee)


def codes(admin: UserBrowser, invitee: UserBrowser) -> tuple[str, str]:
    """The code each side shows (admin's, invitee's) once the exchange ran."""
    return (
        admin.page.locator("#my-sas-code").inner_text(timeout=TIMEOUT_MS),
        invitee.page.locator("#my-sas-code").inner_text(timeout=TIMEOUT_MS),
    )


def type_code(user: UserBrowser, code: str) -> None:
    user.page.fill("#sas-typed-code", code)
    user.page.click("#sas-confirm")


def confirm_codes(admin: UserBrowser, invitee: UserBrowser, *, admin_first: bool = False) -> None:
    """Each person types the code the other's page shows: the invitee first (or the admin
    first), the second only once the first one's check passed."""
    admin_code, invitee_code = codes(admin, invitee)
    steps = [(invitee, admin_code), (admin, invitee_code)]
    (first, first_code), (second, second_code) = reversed(steps) if admin_first else steps
    type_code(first, first_code)
    first.page.locator("#sas-confirm").wait_for(state="detached", timeout=TIMEOUT_MS)
    type_code(second, second_code)


def confirm(user: UserBrowser) -> None:
    """Answers the page's confirmation dialog (of a delete, a revocation...) with Confirm."""
    user.page.locator("#confirm-dialog button.confirm-ok").click()


def sign_out(user: UserBrowser) -> None:
    user.page.click("#sign-out")
    user.page.wait_for_selector("#sign-in-passkey", timeout=TIMEOUT_MS)


def sign_in(user: UserBrowser) -> None:
    """Sign in (or unlock a locked session) with the passkey."""
    user.page.click("#sign-in-passkey, #unlock-passkey")
    user.page.wait_for_selector("#my-fingerprint, #people-title, [role=alert]:not([hidden])",
                                timeout=TIMEOUT_MS)


def certified_member(admin: UserBrowser, invitee: UserBrowser, person: Person,
                     profile: str = "member", *, admin_first: bool = False) -> str:
    """Invite `person`, run the whole SAS check; returns the newcomer's recovery code."""
    link = invite(admin, person, profile)
    start_greeting(admin)
    recovery = claim(invitee, link)
    confirm_codes(admin, invitee, admin_first=admin_first)
    admin.page.wait_for_selector("#sas-done", timeout=TIMEOUT_MS)
    invitee.page.wait_for_selector("#my-fingerprint", timeout=TIMEOUT_MS)
    return recovery


def go_home(user: UserBrowser) -> None:
    """Back to the home view, in the same page (the worker keeps its keys)."""
    go_to(user, "")


def go_to(user: UserBrowser, route: str) -> None:
    """To the view of `route` ("people", "invitations", "security"...), in the same page."""
    user.page.goto(user.page.url.split("#")[0] + f"#/{route}")


def workspace_tab(user: UserBrowser, tab: str) -> None:
    """Show tab `tab` (dossiers, activity, members, settings) of the open workspace."""
    user.page.click(f"#tab-{tab}")
    user.page.locator(f"#tab-panel-{tab}").wait_for(timeout=TIMEOUT_MS)


def workspace_id(user: UserBrowser) -> str:
    """The id of the workspace the page shows."""
    return user.page.url.split("#/w/", 1)[1].split("/")[0].split("?")[0]


def file_action(row: Locator, action: str) -> None:
    """Click `action` (a button class: preview, history, delete) in a file row's actions menu."""
    menu = row.locator("details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    row.locator(f".menu-items button.{action}").click()


def create_workspace(user: UserBrowser, name: str) -> str:
    """Create workspace `name` from the home view and open it; returns its id."""
    user.page.fill("#workspace-name", name)
    user.page.click("#workspace-create")
    user.page.wait_for_selector("#workspace-title", timeout=TIMEOUT_MS)
    return workspace_id(user)


def open_workspace(user: UserBrowser, name: str) -> None:
    go_home(user)
    user.page.click(f"#workspace-list a:has-text('{name}')")
    user.page.wait_for_selector("#workspace-title", timeout=TIMEOUT_MS)


def share_workspace(admin: UserBrowser, person: Person, role: str = "contributor") -> None:
    """Share the open workspace with `person` (certified), until their role shows verified."""
    workspace_tab(admin, "members")
    admin.page.select_option("#share-user", label=f"{person.name} — {person.site}")
    admin.page.select_option("#share-role", role)
    admin.page.click("#share-submit")
    admin.page.locator(f"#member-list li:has-text('{person.name}') .badge-verified").wait_for(
        timeout=TIMEOUT_MS)


def new_dossier(user: UserBrowser, patient: str) -> str:
    """Create a dossier in the open workspace, then back to the list; returns its id once it is
    listed."""
    user.page.click("#dossier-new")
    user.page.fill("#dossier-patient_name", patient)
    user.page.click("#dossier-save")
    # Saved, and open as the dossier it now is (its page names the patient).
    user.page.locator("#breadcrumb-current", has_text=patient).wait_for(timeout=TIMEOUT_MS)
    user.page.locator("#dossier-saved:not(:empty)").wait_for(timeout=TIMEOUT_MS)
    workspace_tab(user, "dossiers")
    row = user.page.locator(f"#dossier-table tr:has-text('{patient}')")
    row.wait_for(timeout=TIMEOUT_MS)
    return row.get_attribute("data-document-id")


def open_dossier(user: UserBrowser, patient: str) -> None:
    """Open `patient`'s dossier from the open workspace's list, until its page shows."""
    workspace_tab(user, "dossiers")
    user.page.click(f"#dossier-table tr:has-text('{patient}') button.open-dossier")
    user.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)


def user_id(user: UserBrowser) -> str:
    """The signed-in user's id, as the server's session names them."""
    return user.page.evaluate(
        "async () => (await (await fetch('/api/session')).json()).user.user_id")


def revoke(admin: UserBrowser, person: Person) -> None:
    """The admin revokes `person` from the directory on the People page."""
    go_to(admin, "people")
    admin.page.fill("#field-member-search", person.name)
    row = admin.page.locator(f"#directory tr:has-text('{person.name}')")
    row.locator(".badge-verified").wait_for(timeout=TIMEOUT_MS)
    row.locator("button.danger").click()
    confirm(admin)
    row.locator(".badge-revoked").wait_for(timeout=TIMEOUT_MS)


def fill_date(user: UserBrowser, field_id: str, date: datetime.date) -> None:
    """Type `date` into a day / month / year date field (`#field_id`), as a person would."""
    for part, value in (("day", date.day), ("month", date.month), ("year", date.year)):
        user.page.fill(f"#{field_id}-{part}", str(value))


def record_request_due(user: UserBrowser, dossier_id: str, what: str,
                       due: datetime.date) -> None:
    """Record, through the page's own log client, a document request due on `due`: a request
    made days ago that is overdue now (the form refuses due dates already past)."""
    user.page.evaluate(
        """async ([workspaceId, content]) => {
          const log = await import(`${document.body.dataset.assetBase}web/log.js`);
          await log.appendEntry(workspaceId, 'request', content);
        }""",
        [workspace_id(user), {"dossier_id": dossier_id, "what": what, "due": due.isoformat()}])
