"""Notifications: telling a member that something waits for them in a space, in the app (a list
with unread counts, live over Socket.IO) and by e-mail (grouped, through the deployment's SMTP
server), without the server ever holding what it is about.

A row says who is told, about which space (and which item in it, by id), of which kind, by
whom and when; never any content, which the server does not have. The mail says only that
something waits, with a link to each space. `records.py` creates them, `routes.py` serves them,
`sender.py` mails what is due, `mail_text.py` writes the mail, `smtp.py` sends it.
"""

from __future__ import annotations

from flask import Flask

from api.notifications import routes
from api.notifications.sender import start_sender_if_pending


def init_notifications(app: Flask) -> None:
    app.register_blueprint(routes.blueprint)
    start_sender_if_pending(app)
