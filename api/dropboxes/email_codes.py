"""Confirming a depositor's e-mail address: a six-digit code mailed through the deployment's
SMTP server (api/notifications/smtp.py), in the depositor's language; five tries, fifteen
minutes. The server learns the address (it mails it) and that the code came back; members see
"e-mail confirmed" only when the address the depositor sealed into the deposit is the one
confirmed here."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import smtplib
import time
from email.message import EmailMessage

from flask import current_app

from api.http.errors import ApiError
from api.notifications.smtp import SmtpUrlError, send, sender_address
from api.storage.pool import get_store

logger = logging.getLogger("paravent.dropboxes")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")
CODE_ID = re.compile(r"^c-[0-9a-f]{24}$")
CODE_SECONDS = 15 * 60
MAX_ATTEMPTS = 5
SUBJECTS = {"en": "Your Paravent drop-box code", "fr": "Votre code de dépôt Paravent"}
LINES = {
    "en": "Enter this code on the drop-box page to confirm your e-mail address: {code}\n\n"
          "If you did not ask for it, ignore this message.",
    "fr": "Saisissez ce code sur la page de dépôt pour confirmer votre adresse : {code}\n\n"
          "Si vous ne l'avez pas demandé, ignorez ce message.",
}


def _digest(code_id: str, code: str) -> str:
    return hashlib.sha256(f"{code_id}:{code}".encode()).hexdigest()


def mail_code(link_id: str, email: str, language: str) -> str:
    """Mail a fresh code to `email`; the id the depositor's page confirms it under."""
    if not EMAIL.fullmatch(email) or len(email) > 200:
        raise ApiError(400, "bad_email", "this is not an e-mail address")
    code = f"{secrets.randbelow(10**6):06d}"
    code_id = f"c-{secrets.token_hex(12)}"
    get_store().dropboxes.add_code({"id": code_id, "link_id": link_id, "email": email,
                                    "code_hash": _digest(code_id, code),
                                    "created_at": time.time(), "attempts": 0,
                                    "confirmed_at": None})
    language = language if language in SUBJECTS else "en"
    config = current_app.config["PARAVENT"]
    message = EmailMessage()
    message["From"] = sender_address(config)
    message["To"] = email
    message["Subject"] = SUBJECTS[language]
    message.set_content(LINES[language].format(code=code) + "\n")
    try:
        send(config, message)
    except (OSError, smtplib.SMTPException, SmtpUrlError) as error:
        logger.warning("could not mail a drop-box code: %s", type(error).__name__)
        raise ApiError(503, "mail_unavailable",
                       "the code could not be mailed; try again later") from error
    return code_id


def confirm_code(link_id: str, code_id: str, code: str) -> None:
    """Mark the address confirmed, or 400 `wrong_code` / 410 `code_expired`."""
    store = get_store().dropboxes
    row = store.code(code_id) if CODE_ID.fullmatch(code_id) else None
    if row is None or row["link_id"] != link_id:
        raise ApiError(404, "not_found", "no such confirmation code")
    if row["attempts"] >= MAX_ATTEMPTS or row["created_at"] + CODE_SECONDS < time.time():
        raise ApiError(410, "code_expired", "this code has expired: ask for a new one")
    if not secrets.compare_digest(row["code_hash"], _digest(code_id, code)):
        store.update_code(code_id, attempts=row["attempts"] + 1)
        raise ApiError(400, "wrong_code", "this is not the code that was mailed")
    store.update_code(code_id, confirmed_at=time.time())


def confirmed_email(link_id: str, code_id: object) -> str | None:
    """The address confirmed under `code_id` for this link, if it was."""
    if not isinstance(code_id, str) or not CODE_ID.fullmatch(code_id):
        return None
    row = get_store().dropboxes.code(code_id)
    if row is None or row["link_id"] != link_id or row["confirmed_at"] is None:
        return None
    return row["email"]
