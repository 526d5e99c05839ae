"""Debian's headless Chromium through Playwright, with one virtual passkey authenticator per user.

Each simulated user gets a browser context of their own (their own cookies and cache) and a CDP
virtual authenticator with PRF, as a roaming key or phone passkey would be. Every request the
page or its workers make is recorded; `offline_violations` lists any that left the loopback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOOPBACK_HOSTS


@dataclass
class UserBrowser:
    """One simulated user: a context, a page, and the page's virtual authenticator."""

    context: BrowserContext
    page: Page
    cdp: CDPSession
    authenticator_id: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    workers: list[str] = field(default_factory=list)

    def credentials(self) -> list[dict[str, Any]]:
        reply = self.cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id}
        )
        return reply["credentials"]

    def lose_passkeys(self) -> None:
        """The person loses every passkey on this authenticator."""
        self.cdp.send("WebAuthn.clearCredentials", {"authenticatorId": self.authenticator_id})

    def offline_violations(self) -> list[str]:
        return [url for url in self.requests if not is_loopback(url)]

    def close(self) -> None:
        self.context.close()


def open_user_browser(browser: Browser, *, prf: bool = True, large_blob: bool = False,
                      **context_options: Any) -> UserBrowser:
    """A fresh context and page with a CTAP2 virtual authenticator (PRF unless `prf=False`;
    a large blob store if `large_blob`)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "ctap2Version": "ctap2_1",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "hasPrf": prf,
                "hasLargeBlob": large_blob,
                "automaticPresenceSimulation": True,
            }
        },
    )
    user = UserBrowser(context, page, cdp, authenticator["authenticatorId"])
    context.on("request", lambda request: user.requests.append(request.url))
    page.on("console", lambda message: _record_console(user, message.type, message.text))
    page.on("pageerror", lambda error: user.console_errors.append(f"pageerror: {error}"))
    page.on("worker", lambda worker: user.workers.append(worker.url))
    return user


def _record_console(user: UserBrowser, kind: str, text: str) -> None:
    if kind == "error":
        user.console_errors.append(text)


def wait_for_crypto_ready(page: Page, timeout_ms: float = 60_000) -> None:
    """Wait until the crypto worker is ready; fail with the page's message if it errs."""
    page.wait_for_selector(
        "html[data-crypto-state=ready], html[data-crypto-state=error]", timeout=timeout_ms
    )
    if page.get_attribute("html", "data-crypto-state") == "error":
        raise AssertionError(f"the crypto worker failed: {page.inner_text('#crypto-error')}")
