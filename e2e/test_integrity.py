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


CACHED = """async (suffix) => {
  const cache = await caches.open('paravent-assets');
  for (let tries = 0; tries < 300; tries += 1) {
    const request = (await cache.keys()).find((cached) => cached.url.endsWith(suffix));
    if (request) { return request.url; }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${suffix} was not kept in Cache Storage within 30 s`);
}"""

ALTER_CACHED = """async (url) => {
  const cache = await caches.open('paravent-assets');
  const cached = await cache.match(url);
  const bytes = new Uint8Array(await cached.arrayBuffer());
  bytes[bytes.length - 1] ^= 1;
  await cache.put(url, new Response(bytes, { headers: cached.headers }));
}"""

BOOTED_FROM = """async () => {
  const { cryptoClient } = await import(`${document.body.dataset.assetBase}web/crypto-client.js`);
  return cryptoClient().detail.boot;
}"""


def _count_requests(user, pattern) -> list[str]:
    seen = []

    def count(route):
        seen.append(route.request.url)
        route.continue_()

    user.context.route(pattern, count)
    return seen


def test_integrity_reload_restores_python_from_the_cached_snapshot(server, user):
    fetched = _count_requests(user, "**/snapshots/*.bin")
    user.page.goto(server.url)
    wait_for_crypto_ready(user.page)
    user.page.evaluate(CACHED, ".bin")
    user.page.reload()
    wait_for_crypto_ready(user.page)
    assert len(fetched) == 1


def test_integrity_altered_cached_snapshot_is_fetched_anew_and_checked(server, user):
    fetched = _count_requests(user, "**/snapshots/*.bin")
    user.page.goto(server.url)
    wait_for_crypto_ready(user.page)
    user.page.evaluate(ALTER_CACHED, user.page.evaluate(CACHED, ".bin"))
    user.page.reload()
    wait_for_crypto_ready(user.page)
    assert len(fetched) == 2


def test_integrity_altered_cached_wasm_fails_its_read_and_the_worker_starts_from_the_server(
        server, user):
    fetched = _count_requests(user, "**/pyodide.asm.wasm")
    user.page.goto(server.url)
    wait_for_crypto_ready(user.page)
    user.page.evaluate(ALTER_CACHED, user.page.evaluate(CACHED, ".wasm"))
    user.page.reload()
    wait_for_crypto_ready(user.page)
    assert len(fetched) == 2
    assert user.page.evaluate(BOOTED_FROM) == "snapshot"
