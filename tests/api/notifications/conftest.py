"""A real SMTP server on loopback (aiosmtpd), started once per test run, that keeps every
message it receives; and the API tests' configuration pointed at it, with the grouping delay
shortened to a second."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from api.config import DEFAULT_MAX_REQUEST_BYTES, Config
from api.notifications.sender import STARTED
from tests.api.conftest import database_of
from tests.api.workspaces.conftest import organization, workspace  # noqa: F401

GROUP_SECONDS = 1.0


class Mailbox:
    """aiosmtpd's handler: every message delivered, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def wait_for(self, address: str, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages to `address`, once there are `count` of them (or the timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.to(address)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    """(its smtp:// URL, its mailbox), for the whole run."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", mailbox
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[str, Mailbox]) -> Mailbox:
    """The run's mailbox, emptied for this test."""
    smtp_server[1].messages.clear()
    return smtp_server[1]


@pytest.fixture
def config(config: Config, smtp_server: tuple[str, Mailbox]) -> Config:
    return replace(config, max_request_bytes=DEFAULT_MAX_REQUEST_BYTES, smtp_url=smtp_server[0],
                   smtp_from="paravent@chu.example", mail_group_seconds=GROUP_SECONDS)


@pytest.fixture
def no_mail_left_behind(app: Flask, config: Config) -> Iterator[None]:
    """After each test, whatever it left waiting is no longer to be mailed, and the app's sender
    has stopped, before the database and the SMTP server it used go away."""
    yield
    with database_of(config) as db:
        db.execute("update notifications set mail_state = 'none' "
                   "where mail_state in ('pending', 'claimed')")
    deadline = time.monotonic() + 10
    while app.extensions.get(STARTED) and time.monotonic() < deadline:
        time.sleep(0.05)
