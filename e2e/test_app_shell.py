"""The app shell and its layout (issue 24, items 4 and 11), as a person sees it at 1366x768 and
1280x720 in en-US, en-GB and French: a left navigation and workspace tabs reached by keyboard,
each leaving focus on the new view's heading; a dossier opened as its own full-width page with a
breadcrumb back to the list; a file list whose columns (name, type, size, who, when, actions) all
show inside their panel; a save confirmed by a toast inside the window; no horizontal page
scroll and no panel whose content spills out of it; axe-core finds nothing on any of these
views."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.harness import flows
from e2e.harness.accessibility import assert_accessible
from e2e.harness.browser import UserBrowser, wait_for_crypto_ready
from e2e.harness.flows import ADMIN

TIMEOUT_MS = 30_000
SCREENS = [{"width": 1366, "height": 768}, {"width": 1280, "height": 720}]
PATIENT = "Mme Jeanne Écran"
FILE_COLUMNS = ["name", "type", "size", "who", "when", "actions"]
TEXTS = {
    "en-US": {"waiting": "What waits for me", "settings": "Settings", "saved": "created"},
    "en-GB": {"waiting": "What waits for me", "settings": "Settings", "saved": "created"},
    "fr-FR": {"waiting": "Ce qui m\u2019attend", "settings": "Paramètres", "saved": "créé"},
}
# Panels whose content is wider than they are (scrolled sideways inside a panel is allowed only
# within a .table-scroll), and the page's own horizontal scroll.
_SPILLS = """() => {
  const spills = [...document.querySelectorAll('.panel, .side-nav')]
    .filter((panel) => panel.offsetParent !== null && panel.scrollWidth > panel.clientWidth + 1)
    .map((panel) => panel.id || panel.className);
  const page = document.documentElement.scrollWidth - window.innerWidth;
  return { spills, page };
}"""


def _box(user: UserBrowser, selector: str) -> dict[str, float]:
    box = user.page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def _inside_width(user: UserBrowser, selector: str) -> None:
    """`selector` is shown and lies within the window's width."""
    box = _box(user, selector)
    width = user.page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box, width)


def _assert_fits(user: UserBrowser, where: str) -> None:
    """No horizontal page scroll, no panel whose content spills out of it."""
    fit = user.page.evaluate(_SPILLS)
    assert fit == {"spills": [], "page": 0}, (where, user.page.viewport_size, fit)


def _keyboard_to(user: UserBrowser, selector: str, heading: str) -> None:
    """Focus `selector` (a link or a tab), press Enter: focus lands on `heading`."""
    user.page.locator(selector).focus()
    user.page.keyboard.press("Enter")
    user.page.locator(f"{heading}:focus").wait_for(timeout=TIMEOUT_MS)


def _check_dossier_page(user: UserBrowser, where: str) -> None:
    """The open dossier fills the page's width beside the navigation; every file column shows
    within the documents panel."""
    page = _box(user, "#dossier-page")
    main = _box(user, "main")
    nav = _box(user, "#user-nav")
    assert page["x"] >= nav["x"] + nav["width"], (where, page, nav)
    assert page["width"] >= main["width"] - 64, (where, page, main)
    panel = _box(user, "#files-panel")
    row = "#file-list li[data-name='bilan-ecran.pdf']"
    for column in FILE_COLUMNS:
        cell = _box(user, f"{row} .file-{column}")
        right = panel["x"] + panel["width"]
        assert panel["x"] <= cell["x"] and cell["x"] + cell["width"] <= right, (
            where, column, cell, panel)
        _inside_width(user, f"{row} .file-{column}")
    _assert_fits(user, where)


@pytest.mark.parametrize("locale", list(TEXTS))
def test_shell_navigation_tabs_dossier_page_and_layout(server, new_user, locale):
    texts = TEXTS[locale]
    admin = new_user(viewport=SCREENS[0], locale=locale)
    flows.bootstrap(admin, server.bootstrap_link(f"CHU Coque {locale}"), ADMIN)
    expect(admin.page.locator("#nav-waiting")).to_have_text(texts["waiting"])
    _assert_fits(admin, "home")
    assert_accessible(admin.page, f"{locale} home")

    # The left navigation, by keyboard: each page starts at its heading.
    _keyboard_to(admin, "#nav-people", "#people-title")
    assert admin.page.get_attribute("#nav-people", "aria-current") == "page"
    _assert_fits(admin, "people")
    assert_accessible(admin.page, f"{locale} people")
    _keyboard_to(admin, "#nav-invitations", "#invitations-page-title")
    _assert_fits(admin, "invitations")
    assert_accessible(admin.page, f"{locale} invitations")
    # Every other entry of the navigation leads to its page's heading too, with nothing spilling.
    for entry in ("nav-waiting", "nav-partners", "nav-board", "nav-send-results", "nav-policies",
                  "nav-security", "nav-settings"):
        _keyboard_to(admin, f"#{entry}", "#view h1")
        _assert_fits(admin, entry)
    _keyboard_to(admin, "#nav-home", "#me-title")

    workspace = f"Commission écran {locale}"
    workspace_id = flows.create_workspace(admin, workspace)
    link = f"#nav-workspaces a[href='#/w/{workspace_id}']"
    expect(admin.page.locator(link)).to_have_attribute("aria-current", "page", timeout=TIMEOUT_MS)

    # The workspace's tabs, by keyboard: one panel at a time, focus on its heading.
    for tab, heading in (("members", "#members-title"), ("activity", "#activity-title"),
                         ("settings", "#settings-title"), ("dossiers", "#dossiers-title")):
        _keyboard_to(admin, f"#tab-{tab}", heading)
        assert admin.page.get_attribute(f"#tab-{tab}", "aria-current") == "page"
        assert admin.page.locator(".tab-panel:not([hidden])").count() == 1
        _assert_fits(admin, f"tab {tab}")
        assert_accessible(admin.page, f"{locale} workspace tab {tab}")
    expect(admin.page.locator("#tab-settings")).to_have_text(texts["settings"])

    # A new dossier on its own page; its save confirmed by a toast inside the window.
    admin.page.click("#dossier-new")
    admin.page.fill("#dossier-patient_name", PATIENT)
    admin.page.click("#dossier-save")
    toast = admin.page.locator("#toasts .toast", has_text=texts["saved"])
    toast.wait_for(timeout=TIMEOUT_MS)
    box = toast.bounding_box()
    screen = admin.page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= screen["height"], box
    _inside_width(admin, "#toasts .toast")
    expect(admin.page.locator("#breadcrumb-current")).to_have_text(PATIENT, timeout=TIMEOUT_MS)
    assert admin.page.locator("#dossier-table").is_hidden()
    admin.page.set_input_files("#file-input", files=[{
        "name": "bilan-ecran.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4 " + b"x" * 900}])
    row = admin.page.locator("#file-list li[data-name='bilan-ecran.pdf']")
    row.wait_for(timeout=TIMEOUT_MS)
    expect(row.locator(".file-type")).to_have_text("PDF")
    for screen in SCREENS:
        admin.page.set_viewport_size(screen)
        _check_dossier_page(admin, f"dossier page {screen}")
    assert_accessible(admin.page, f"{locale} dossier page")

    # The file's other actions are in its menu; the breadcrumb leads back to the list.
    expect(row.locator("button.delete")).to_be_hidden()
    row.locator("details.menu summary").click()
    expect(row.locator("button.delete")).to_be_visible()
    assert_accessible(admin.page, f"{locale} file menu open")
    _keyboard_to(admin, "#breadcrumb-dossiers", "#dossiers-title")
    table = admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}')")
    expect(table).to_be_visible()
    for screen in SCREENS:
        admin.page.set_viewport_size(screen)
        _inside_width(admin, f"#dossier-table tr:has-text('{PATIENT}') td.status .status-badge")
        _assert_fits(admin, f"dossier list {screen}")


def test_settings_page_sets_the_language_and_the_mail_preference(server, new_user):
    admin = new_user(viewport=SCREENS[1], locale="en-GB")
    flows.bootstrap(admin, server.bootstrap_link("CHU Réglages"), ADMIN)
    _keyboard_to(admin, "#nav-settings", "#settings-title")
    assert admin.page.get_attribute("#nav-settings", "aria-current") == "page"
    assert_accessible(admin.page, "settings page")

    admin.page.select_option("#settings-language", "fr")
    expect(admin.page.locator("#settings-title")).to_have_text("Paramètres")
    expect(admin.page.locator("#nav-settings")).to_have_text("Paramètres")
    assert admin.page.input_value("#language-select") == "fr"
    admin.page.check("#notification-mail-never")
    admin.page.click("#notification-mail-save")
    expect(admin.page.locator("#notification-mail-saved")).to_have_text("Enregistré.")
    _assert_fits(admin, "settings page (fr)")
    assert_accessible(admin.page, "settings page (fr)")

    admin.page.goto(server.url)
    wait_for_crypto_ready(admin.page)
    flows.sign_in(admin)
    admin.page.click("#nav-settings")
    expect(admin.page.locator("#notification-mail-never")).to_be_checked(timeout=TIMEOUT_MS)
    assert admin.page.input_value("#settings-language") == "fr"
