"""The app shell: loads offline from our server only, renders at once, speaks French and English,
and brings the crypto worker and the realtime connection up; the sign-in screen is usable before
the worker is ready."""

from __future__ import annotations

from playwright.sync_api import Route

from e2e.harness import flows
from e2e.harness.browser import wait_for_crypto_ready
from e2e.harness.flows import TIMEOUT_MS

FORGET_CACHED_ASSETS = "() => caches.delete('paravent-assets')"


def test_shell_crypto_worker_reaches_ready_offline(server, user):
    response = user.page.goto(server.url)
    assert user.page.is_visible("header .brand")
    assert user.page.get_attribute("html", "data-crypto-state") in {"loading", "ready"}
    wait_for_crypto_ready(user.page)
    user.page.wait_for_selector("#sign-in-passkey")
    assert any(url.endswith("/web/worker/crypto-worker.js") for url in user.workers)
    assert user.requests and not user.offline_violations()
    assert user.console_errors == []
    policy = response.headers["content-security-policy"]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_shell_realtime_connects_over_websocket(server, user):
    user.page.goto(server.url)
    status = user.page.locator("#connection-status[data-state=connected]")
    status.wait_for(timeout=15_000)
    assert status.get_attribute("data-transport") == "websocket"
    assert status.inner_text() == "Connected"


def test_shell_switches_to_french_and_remembers_it(server, user):
    user.page.goto(server.url)
    wait_for_crypto_ready(user.page)
    user.page.select_option("#language-select", "fr")
    assert user.page.inner_text("#sign-in-passkey").startswith("Se connecter avec une clé")
    assert user.page.get_attribute("html", "lang") == "fr"
    user.page.reload()
    wait_for_crypto_ready(user.page)
    assert user.page.inner_text("#view h1") == "Se connecter à Paravent"


def test_shell_follows_a_french_browser(server, new_user):
    user = new_user(locale="fr-FR")
    user.page.goto(server.url)
    assert user.page.get_attribute("html", "lang") == "fr"
    assert user.page.inner_text("label.language-switch span") == "Langue"


def test_shell_keyboard_reaches_skip_link_then_language(server, user):
    user.page.goto(server.url)
    user.page.keyboard.press("Tab")
    assert user.page.evaluate("document.activeElement.className") == "skip-link"
    assert user.page.is_visible(".skip-link")
    user.page.keyboard.press("Tab")
    assert user.page.evaluate("document.activeElement.id") == "language-select"


def test_shell_virtual_authenticator_starts_empty_with_prf(user):
    assert user.credentials() == []


def test_shell_sign_in_clicked_before_the_worker_is_ready_waits_and_signs_in(server, organization):
    admin, _, _ = organization
    fingerprint = flows.fingerprint(admin)
    flows.sign_out(admin)
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    admin.context.route("**/vendor/pyodide/pyodide.asm.wasm", hold)
    admin.page.evaluate(FORGET_CACHED_ASSETS)
    admin.page.reload()

    admin.page.click("#sign-in-passkey", timeout=TIMEOUT_MS)
    admin.page.wait_for_timeout(1000)
    assert held, "the worker did not ask for Pyodide's wasm"
    assert admin.page.get_attribute("html", "data-crypto-state") == "loading"
    assert admin.page.locator("[role=alert]:not([hidden])").count() == 0
    for route in held:
        route.continue_()
    admin.page.locator("#signed-in-as").wait_for(timeout=TIMEOUT_MS)
    assert admin.page.get_attribute("html", "data-crypto-state") == "ready"
    assert flows.fingerprint(admin) == fingerprint
