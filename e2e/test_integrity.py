"""A server (or anything in between) that alters our code or the crypto worker's Python snapshot
is refused: Subresource Integrity on the page's scripts, and the worker's own checks against the
manifest."""

from __future__ import annotations

from e2e.harness.browser import wait_for_crypto_ready


def _serve_altered(user, pattern, alter):
    def handle(route):
        response = route.fetch()
        route.fulfill(response=response, body=alter(response.body()))

    user.context.route(pattern, handle)


def test_integrity_altered_page_script_is_not_run(server, user):
    _serve_altered(user, "**/web/app.js", lambda body: body + b"\nconsole.log('injected');")
    user.page.goto(server.url)
    user.page.wait_for_timeout(1500)
    assert user.page.get_attribute("html", "data-crypto-state") == "loading"
    assert any("integrity" in error for error in user.console_errors), user.console_errors


def test_integrity_altered_crypto_snapshot_puts_the_worker_in_error(server, user):
    _serve_altered(user, "**/snapshots/*.bin", lambda body: body[:-1] + bytes([body[-1] ^ 1]))
    user.page.goto(server.url)
    user.page.wait_for_selector("html[data-crypto-state=error]", timeout=60_000)
    assert "Encryption could not start" in user.page.inner_text("#crypto-message")
    assert user.page.is_visible("#crypto-error")


def test_integrity_unaltered_page_still_boots_with_routing(server, user):
    _serve_altered(user, "**/web/app.js", lambda body: body)
    user.page.goto(server.url)
    wait_for_crypto_ready(user.page)
