"""End-to-end fixtures: one real server (mailing through the run's SMTP server) and one Chromium
for the whole session, and a fresh browser context (with its own virtual passkey authenticator)
per simulated user.

A browser test that runs out of time waiting for the page is run once more (pytest-rerunfailures;
reported as a rerun in the summary): on CI's two shared cores a page under load sometimes misses
a 30 s wait that it meets in a few seconds alone. Any other failure, and a second timeout, fail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from e2e.harness import flows
from e2e.harness.browser import UserBrowser, launch_chromium, open_user_browser
from e2e.harness.server import ServerProcess
from e2e.harness.services.smtp import SmtpServer

HERE = Path(__file__).parent
MAIL_GROUP_MINUTES = "0.02"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["TimeoutError"]))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory,
           smtp_server: SmtpServer) -> Iterator[ServerProcess]:
    """The run's server; it mails notifications to the run's SMTP server, grouped by a second
    or so rather than minutes."""
    process = ServerProcess(tmp_path_factory.mktemp("server") / "data", environment={
        "PARAVENT_SMTP_URL": smtp_server.url, "PARAVENT_MAIL_GROUP_MINUTES": MAIL_GROUP_MINUTES,
    }).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_user(browser: Browser) -> Iterator[Callable[..., UserBrowser]]:
    """Opens simulated users; fails the test if any of their pages left the loopback."""
    users: list[UserBrowser] = []

    def open_user(**options: object) -> UserBrowser:
        user = open_user_browser(browser, **options)
        users.append(user)
        return user

    yield open_user
    violations = [url for user in users for url in user.offline_violations()]
    for user in users:
        user.close()
    assert not violations, f"pages requested non-loopback URLs: {violations}"


@pytest.fixture
def user(new_user: Callable[..., UserBrowser]) -> UserBrowser:
    return new_user()


@pytest.fixture
def organization(server: ServerProcess, new_user: Callable[..., UserBrowser]) -> tuple[
    UserBrowser, UserBrowser, str
]:
    """An admin who bootstrapped a fresh organization, an invitee's browser, and the admin's
    recovery code."""
    admin = new_user()
    recovery = flows.bootstrap(admin, server.bootstrap_link("CHU Test"), flows.ADMIN)
    return admin, new_user(), recovery
