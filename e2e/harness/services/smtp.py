"""A real SMTP server on a free loopback port (aiosmtpd), keeping every message it receives,
parsed: for the tests that check what Paravent mails, and that it mails nothing else."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from e2e.harness.server import free_port


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


@dataclass(frozen=True)
class SmtpServer:
    port: int
    mailbox: Mailbox
    scheme: str = "smtp"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"


@contextmanager
def smtp_service(*, implicit_tls: ssl.SSLContext | None = None,
                 **options: Any) -> Iterator[SmtpServer]:
    """An SMTP server until the block ends: plain, over TLS from the first byte
    (`implicit_tls`), or with aiosmtpd's `options` (STARTTLS, authentication…)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(),
                            ssl_context=implicit_tls, **options)
    controller.start()
    try:
        yield SmtpServer(controller.port, mailbox, "smtps" if implicit_tls else "smtp")
    finally:
        controller.stop()
