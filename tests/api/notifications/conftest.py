"""The API tests' configuration pointed at the run's SMTP server (aiosmtpd on loopback, started
once per run: the root conftest.py), with the grouping delay shortened to a second; its mailbox
emptied for each test; and nothing left waiting to be mailed after one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask

from api.config import DEFAULT_MAX_REQUEST_BYTES, Config
from api.notifications.sender import STARTED
from e2e.harness.services.smtp import Mailbox, SmtpServer
from tests.api.conftest import database_of
from tests.api.workspaces.conftest import organization, workspace  # noqa: F401

GROUP_SECONDS = 1.0


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    """The run's mailbox, emptied for this test."""
    smtp_server.mailbox.messages.clear()
    return smtp_server.mailbox


@pytest.fixture
def config(config: Config, smtp_server: SmtpServer) -> Config:
    return replace(config, max_request_bytes=DEFAULT_MAX_REQUEST_BYTES, smtp_url=smtp_server.url,
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
