"""Membership that stays true live on every open page: while an administrator and a member both
have a workspace and a dossier open, the administrator certifies a third person and shares the
workspace with them; both pages, without reloading, offer the newcomer in the @mention list, the
decision's participants and the dossier's reviewers, list them as a member and name them (not
by id) when they view the dossier; the member's comment in progress is kept. When the
administrator removes the newcomer, every open page drops them and the newcomer's page says
they were removed. A member whose role is lowered to reader sees their new role and loses what
it does not allow (saving, deciding, uploading) at once."""

from __future__ import annotations

from e2e.harness import flows
from e2e.harness.browser import UserBrowser
from e2e.harness.flows import MEMBER, Person

TIMEOUT_MS = 30_000
WORKSPACE = "Commission live"
PATIENT = "M. Paul Témoin"
NEWCOMER = Person("Mme Rose Nouvelle", "rose@chu-est.example", "CHU Est")
DRAFT = "Avis en cours de rédaction"


def _open_dossier(user: UserBrowser) -> None:
    flows.open_workspace(user, WORKSPACE)
    user.page.locator(f"#dossier-table tr:has-text('{PATIENT}') button").click()
    user.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)


PLACES = ("mention", "participants", "reviewers", "members")


def _offered(user: UserBrowser, name: str) -> dict[str, bool]:
    """Where the page offers the person `name`: the mention list, the decision's participants,
    the dossier's reviewers, the member list."""
    places = {"mention": f"#comment-mention option:has-text('{name}')",
              "participants": f"#decision-form label.participant:has-text('{name}')",
              "reviewers": f"#dossier-reviewers label:has-text('{name}')",
              "members": f"#member-list li:has-text('{name}')"}
    return {place: user.page.locator(selector).count() > 0 for place, selector in places.items()}


def _wait_offered(user: UserBrowser, name: str, offered: bool) -> None:
    user.page.locator(f"#comment-mention option:has-text('{name}')").wait_for(
        state="attached" if offered else "detached", timeout=TIMEOUT_MS)
    assert _offered(user, name) == dict.fromkeys(PLACES, offered)


def _change_role(admin: UserBrowser, user_id: str, role: str) -> None:
    """The admin changes a member's role through the page's own workspace client (a new signed
    member entry in the history; the page has no control for this yet)."""
    workspace_id = flows.workspace_id(admin)
    admin.page.evaluate(
        """async ([workspaceId, userId, role]) => {
          const workspaces = await import(`${document.body.dataset.assetBase}web/workspaces.js`);
          await workspaces.shareWorkspace(workspaceId, userId, role);
        }""",
        [workspace_id, user_id, role])


def test_shared_and_removed_member_shows_live_on_every_open_page(organization, new_user):
    admin, member, _ = organization
    flows.certified_member(admin, member, MEMBER)
    flows.go_home(admin)
    flows.create_workspace(admin, WORKSPACE)
    flows.share_workspace(admin, MEMBER, "manager")
    flows.new_dossier(admin, PATIENT)
    admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}') button").click()
    admin.page.click("#status-actions .move-review")
    _open_dossier(member)
    member.page.wait_for_selector("#decision-form", timeout=TIMEOUT_MS)
    member.page.fill("#comment-text", DRAFT)

    # The newcomer joins the organization after the member's page was drawn.
    newcomer = new_user()
    flows.go_home(admin)
    flows.certified_member(admin, newcomer, NEWCOMER)
    _open_dossier(admin)
    admin.page.wait_for_selector("#decision-form", timeout=TIMEOUT_MS)
    assert _offered(member, NEWCOMER.name)["mention"] is False

    flows.share_workspace(admin, NEWCOMER, "contributor")
    _wait_offered(admin, NEWCOMER.name, True)
    _wait_offered(member, NEWCOMER.name, True)
    assert member.page.input_value("#comment-text") == DRAFT

    flows.open_dossier(admin, PATIENT)
    _open_dossier(newcomer)
    for page in (admin.page, member.page):
        presence = page.locator(f"#presence:has-text('{NEWCOMER.name} ({NEWCOMER.site})')")
        presence.wait_for(timeout=TIMEOUT_MS)
        assert "u-" not in presence.inner_text()
        assert "?" not in presence.inner_text()

    flows.workspace_tab(admin, "members")
    admin.page.locator(f"#member-list li:has-text('{NEWCOMER.name}') button.danger").click()
    flows.confirm(admin)
    _wait_offered(admin, NEWCOMER.name, False)
    _wait_offered(member, NEWCOMER.name, False)
    member.page.locator(f"#presence:not(:has-text('{NEWCOMER.name}'))").wait_for(timeout=TIMEOUT_MS)
    assert member.page.input_value("#comment-text") == DRAFT
    removed = newcomer.page.locator("#workspace-removed")
    removed.wait_for(timeout=TIMEOUT_MS)
    assert "You were removed from this workspace" in removed.inner_text()

    writing = "#dossier-save, #dossier-new, #decision-form, #file-input"
    assert member.page.locator(writing).count() == 4
    _change_role(admin, flows.user_id(member), "reader")
    member.page.locator("#read-only-notice").wait_for(timeout=TIMEOUT_MS)
    assert member.page.inner_text("#workspace-role") == "Your role: Reader"
    member.page.locator("#decision-not-allowed").wait_for(timeout=TIMEOUT_MS)
    assert member.page.locator(writing).count() == 0
    admin.page.locator(f"#member-list li:has-text('{MEMBER.name}'):has-text('Reader')").wait_for(
        timeout=TIMEOUT_MS)
