"""Signing out in one tab ends the session in the browser's other tabs at once (their socket is
told and closed by the server), which say why; the tab that signed out says nothing."""

from __future__ import annotations

from e2e.harness import flows
from e2e.harness.browser import wait_for_crypto_ready

TIMEOUT_MS = 30_000


def test_sign_out_in_one_tab_ends_the_session_in_the_others(server, organization):
    admin, _, _ = organization
    flows.fingerprint(admin)
    other_tab = admin.context.new_page()
    other_tab.goto(server.url)
    wait_for_crypto_ready(other_tab)
    other_tab.wait_for_selector("#unlock-passkey", timeout=TIMEOUT_MS)

    flows.sign_out(admin)

    alert = other_tab.locator("[role=alert]:not([hidden])")
    alert.wait_for(timeout=TIMEOUT_MS)
    assert "session has ended" in alert.inner_text()
    assert other_tab.locator("#sign-in-passkey").is_visible()
    assert admin.page.locator("[role=alert]:not([hidden])").count() == 0
