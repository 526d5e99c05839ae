"""The notification mail's words, in the recipient's language: that something waits, and a link
to each space. Nothing else: no names, no numbers, no kinds, no counts."""

from __future__ import annotations

from email.message import EmailMessage

SUBJECTS = {
    "en": "New activity is waiting for you in Paravent",
    "fr": "Du nouveau vous attend dans Paravent",
}
OPEN_LINES = {"en": "Open it in Paravent:", "fr": "Ouvrez-le dans Paravent :"}
SETTINGS_LINES = {
    "en": "You choose how often Paravent mails you on its Notifications page.",
    "fr": "Vous choisissez la fréquence de ces messages sur la page Notifications de Paravent.",
}
LANGUAGES = tuple(SUBJECTS)


def subject(language: str) -> str:
    return SUBJECTS.get(language, SUBJECTS["en"])


def space_link(origin: str, workspace_id: str) -> str:
    return f"{origin}/#/w/{workspace_id}"


def notification_mail(*, sender: str, recipient: str, language: str, origin: str,
                      workspace_ids: list[str]) -> EmailMessage:
    language = language if language in SUBJECTS else "en"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject(language)
    links = "\n".join(space_link(origin, workspace_id) for workspace_id in workspace_ids)
    message.set_content(f"{subject(language)}.\n\n{OPEN_LINES[language]}\n{links}\n\n"
                        f"{SETTINGS_LINES[language]}\n")
    return message
