"""Sending a mail through the SMTP server the deployment names (`--smtp-url smtp://host:port` or
`smtps://…`, STARTTLS with `--smtp-starttls`, credentials from the URL or the environment), or,
when none is named, saying on the console whom it would have mailed, so `make run` works with no
mail server. TLS (smtps, STARTTLS) checks the server's certificate against the system's
authorities (`SSL_CERT_FILE` names others). Credentials never reach a log."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from api.config import Config

logger = logging.getLogger("paravent.notifications")
TIMEOUT_SECONDS = 30


class SmtpUrlError(ValueError):
    """An SMTP URL that is not smtp:// or smtps:// with a host."""


def sender_address(config: Config) -> str:
    return config.smtp_from or f"Paravent <paravent@{config.rp_id}>"


def send(config: Config, message: EmailMessage) -> None:
    """Send `message`, or log the line that says whom it would have gone to."""
    if not config.smtp_url:
        logger.info("would mail %s: %s", message["To"], message["Subject"])
        return
    url = urlsplit(config.smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise SmtpUrlError("the SMTP URL must be smtp://host:port or smtps://host:port")
    port = url.port or (465 if url.scheme == "smtps" else 25)
    # The server's certificate is checked against the system's authorities (smtplib alone
    # would not check it, and credentials would go to whoever answers).
    tls = ssl.create_default_context()
    user = unquote(url.username) if url.username else config.smtp_user
    password = unquote(url.password) if url.password else config.smtp_password
    if url.scheme == "smtps":
        server = smtplib.SMTP_SSL(url.hostname, port, timeout=TIMEOUT_SECONDS, context=tls)
    else:
        server = smtplib.SMTP(url.hostname, port, timeout=TIMEOUT_SECONDS)
    with server:
        if config.smtp_starttls and url.scheme == "smtp":
            server.starttls(context=tls)
        if user:
            server.login(user, password or "")
        server.send_message(message)
