"""Mailing what is due, from one background greenlet per server process, running while mails
wait: every few seconds it claims the recipients whose grouping delay has passed (atomically,
in one write transaction, so two processes sharing the database never mail the same
notification), mails each one once about all of their waiting spaces, and marks the rows
mailed. A mail that cannot be sent is tried
again a window later; rows claimed by a process that died are claimed again after
`STALE_CLAIM_SECONDS`.

Grouping: a first notification waits `mail_group_seconds` (`--mail-group-minutes`) so that
what follows it goes in the same mail; after a mail, the next waits a window: the same delay
for "grouped", a day for "daily"; "never" mails nothing.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from collections.abc import Callable

from flask import Flask

from api.notifications.mail_text import notification_mail
from api.notifications.smtp import SmtpUrlError, send, sender_address
from api.realtime.background import start_task_once
from api.storage.faults import database_error_types

logger = logging.getLogger("paravent.notifications")
DAY_SECONDS = 24 * 3600
STALE_CLAIM_SECONDS = 10 * 60
LONGEST_TICK_SECONDS = 15.0
SHORTEST_TICK_SECONDS = 0.2
STARTED = "paravent_mail_sender"


def send_due(app: Flask) -> int:
    """Mail every recipient who is due now; returns how many mails went."""
    config = app.config["PARAVENT"]
    pool = app.extensions["paravent_store_pool"]
    store = pool.take()
    sent = 0
    try:
        now = time.time()
        claim = secrets.token_hex(16)
        due = store.notifications.claim_due_mail(
            claim, now, config.mail_group_seconds,
            {"grouped": config.mail_group_seconds, "daily": DAY_SECONDS},
            now - STALE_CLAIM_SECONDS)
        for mail in due:
            message = notification_mail(
                sender=sender_address(config), recipient=mail.email, language=mail.language,
                origin=config.public_origin, workspace_ids=mail.workspace_ids)
            try:
                send(config, message)
            except (OSError, smtplib.SMTPException, SmtpUrlError) as error:
                logger.warning("a notification mail could not be sent (%s: %s); it will be "
                               "tried again", type(error).__name__, error)
                store.notifications.unclaim(claim, mail.user_id)
                continue
            store.notifications.mailed(claim, mail.user_id, time.time())
            sent += 1
    finally:
        pool.give_back(store)
    return sent


def _tick_seconds(app: Flask) -> float:
    group = app.config["PARAVENT"].mail_group_seconds
    return min(max(group / 4, SHORTEST_TICK_SECONDS), LONGEST_TICK_SECONDS)


def _pending(app: Flask) -> bool:
    pool = app.extensions["paravent_store_pool"]
    store = pool.take()
    try:
        return store.notifications.has_pending_mail()
    finally:
        pool.give_back(store)


def _send_while_pending(app: Flask, sleep: Callable[[float], None]) -> None:
    """Mail what is due every tick until nothing waits to be mailed, then stop (the next
    notification starts the sender again: it checks the flag after storing its rows, and the
    sender looks for rows once more after clearing the flag, so none is left behind)."""
    while True:
        sleep(_tick_seconds(app))
        try:
            send_due(app)
            if _pending(app):
                continue
            app.extensions[STARTED] = False
            if not _pending(app):
                return
            app.extensions[STARTED] = True
        except database_error_types() as error:  # the database is down: try again next time
            logger.warning("notification mails: %s", error)


def start_sender(app: Flask) -> None:
    """Start this process's sender, once (`app` may be Flask's `current_app` proxy)."""
    start_task_once(app, STARTED, _send_while_pending)


def start_sender_if_pending(app: Flask) -> None:
    """At start-up: start the sender if mails wait (from before a restart); otherwise the first
    notification starts it."""
    if _pending(app):
        start_sender(app)
