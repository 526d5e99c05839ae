"""Search in the browser (issue 24): the header's field finds a patient by name, a field's value
and a comment across the user's workspaces while typing, in English and French, and a result
opens its dossier."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from e2e.harness import flows
from e2e.harness.browser import UserBrowser
from e2e.harness.flows import ADMIN
from e2e.harness.server import ServerProcess

TIMEOUT_MS = 30_000


@pytest.mark.parametrize("language", ["en", "fr"])
def test_search_finds_a_patient_across_workspaces_while_typing(
        server: ServerProcess, new_user: Callable[..., UserBrowser], language: str):
    admin = new_user(locale="fr-FR" if language == "fr" else "en-GB")
    flows.bootstrap(admin, server.bootstrap_link(f"CHU Recherche {language}"), ADMIN)
    flows.create_workspace(admin, "Commission Nord")
    flows.new_dossier(admin, "Mme Hélène Dupont")
    flows.go_home(admin)
    flows.create_workspace(admin, "Commission Sud")
    flows.new_dossier(admin, "M. Paul Duplessis")
    flows.go_home(admin)

    field = admin.page.locator("#search-field")
    field.click()
    field.press_sequentially("dup", delay=60)
    results = admin.page.locator("#search-results li")
    results.filter(has_text="Duplessis").wait_for(timeout=TIMEOUT_MS)
    results.filter(has_text="Dupont").wait_for(timeout=TIMEOUT_MS)
    field.press_sequentially(" hél", delay=60)
    admin.page.wait_for_function(
        "document.querySelectorAll('#search-results li').length === 1", timeout=TIMEOUT_MS)
    only = results.first.inner_text()
    assert "Mme Hélène Dupont" in only and "Commission Nord" in only
    assert ("Dossier" in only) and (("in Commission Nord" in only) if language == "en"
                                    else ("dans Commission Nord" in only))
    results.first.locator("a").click()
    admin.page.locator("#breadcrumb-current", has_text="Mme Hélène Dupont").wait_for(
        timeout=TIMEOUT_MS)
