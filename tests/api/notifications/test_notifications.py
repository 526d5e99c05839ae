"""Notifications through the real API, a real SMTP server (aiosmtpd on loopback) and both
engines: a mention notifies exactly the member it names, in the app (live, with unread counts)
and by one grouped mail that says only that something waits; "never" mails nothing; reading
first cancels the mail; non-members cannot be notified; two processes never mail twice; with no
SMTP server the console says whom it would have mailed. Nothing a patient could be recognised
by reaches a mail or the notification tables."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from api.notifications.sender import STARTED, send_due
from api.realtime.channel import socketio_of
from e2e.harness.services.smtp import Mailbox
from tests.api.conftest import database_of
from tests.api.identity.conftest import make_app
from tests.api.notifications.conftest import GROUP_SECONDS

pytestmark = pytest.mark.usefixtures("no_mail_left_behind")
DOSSIER_ID = "d-" + "4" * 24
# What the comment and the request say: the server must never hold any of it.
PATIENT_MARKERS = ("MARQUEUR-PATIENT", "Lefebvre", "1941-05-12", "ECH-2026-00417", "urgent")
COMMENT = ("Mme MARQUEUR-PATIENT Lefebvre, née le 1941-05-12, échantillon ECH-2026-00417, "
           "urgent : @[Mme Bernard](u-x) pouvez-vous relire ?")
# Long enough for the grouping delay, a window and the sender's tick to pass.
SETTLE_SECONDS = 3 * GROUP_SECONDS


def _team(workspace: Any) -> tuple[Any, Any]:
    organization = workspace.organization
    bernard = workspace.add("contributor", organization.member(
        display_name="Mme Bernard", email="bernard@chu.example"))
    carrel = workspace.add("contributor", organization.member(
        display_name="M. Carrel", email="carrel@chu.example"))
    return bernard, carrel


def _comment(workspace: Any, text: str = COMMENT) -> None:
    owner = workspace.owner
    response = owner.person.client.post(f"{workspace.url}/log", json=workspace.entry(
        owner, "comment", content={"dossier_id": DOSSIER_ID, "text": text}))
    assert response.status_code == 201, response.json


def _notify(workspace: Any, who: Any, user_ids: list[str], kind: str = "mention") -> Any:
    return who.person.client.post(f"{workspace.url}/notifications", json={
        "kind": kind, "user_ids": user_ids, "item_id": DOSSIER_ID})


def _mention(workspace: Any, member: Any) -> None:
    """The owner's browser posts a comment mentioning `member`, then asks to notify them."""
    _comment(workspace)
    response = _notify(workspace, workspace.owner, [member.person.user_id])
    assert response.status_code == 201, response.json
    assert response.json == {"notified": 1}


def _listing(member: Any) -> dict[str, Any]:
    response = member.person.client.get("/api/notifications")
    assert response.status_code == 200, response.json
    return response.json


def _body(message: Any) -> str:
    return message.get_content()


def _stored_notifications(config: Any) -> list[dict[str, Any]]:
    with database_of(config) as db:
        return [row for table in ("notifications", "notification_preferences",
                                  "notification_mailings")
                for row in db.query(f"select * from {table}")]


def test_a_mention_notifies_only_the_mentioned_member_live_and_by_one_grouped_mail(
        workspace: Any, app: Any, config: Any, mailbox: Mailbox) -> None:
    bernard, carrel = _team(workspace)
    listener = socketio_of(app).test_client(app, flask_test_client=bernard.person.client)
    listener.get_received()
    _mention(workspace, bernard)
    _mention(workspace, bernard)  # a second mention within the window: the same mail

    live = [event["args"][0] for event in listener.get_received()
            if event["name"] == "notification:new"]
    assert [(event["kind"], event["workspace_id"], event["item_id"], event["read"])
            for event in live] == [("mention", workspace.workspace_id, DOSSIER_ID, False)] * 2
    listed = _listing(bernard)
    assert [n["kind"] for n in listed["notifications"]] == ["mention", "mention"]
    assert listed["unread"] == {"total": 2, "workspaces": {workspace.workspace_id: 2}}
    assert _listing(carrel)["unread"] == {"total": 0, "workspaces": {}}
    assert _listing(workspace.owner)["notifications"] == []

    mails = mailbox.wait_for("bernard@chu.example", 1)
    time.sleep(SETTLE_SECONDS)
    assert len(mailbox.to("bernard@chu.example")) == 1 and mailbox.to("carrel@chu.example") == []
    (mail,) = mails
    assert mail["Subject"] == "New activity is waiting for you in Paravent"
    assert mail["From"] == "paravent@chu.example"
    body = _body(mail)
    assert f"{config.public_origin}/#/w/{workspace.workspace_id}" in body
    for revealing in (*PATIENT_MARKERS, "Dr Admin", "Bernard", "mention", DOSSIER_ID):
        assert revealing not in body and revealing not in mail["Subject"]

    rows = _stored_notifications(config)
    assert rows
    for row in rows:
        for value in row.values():
            for marker in PATIENT_MARKERS:
                assert marker not in str(value)


def test_the_mail_follows_the_recipients_language_and_never_means_no_mail(
        workspace: Any, config: Any, mailbox: Mailbox) -> None:
    bernard, carrel = _team(workspace)
    assert bernard.person.client.get("/api/notifications/preferences").json == {
        "mail": "grouped", "language": "en"}
    for member, mail in ((bernard, "never"), (carrel, "grouped")):
        saved = member.person.client.put("/api/notifications/preferences",
                                         json={"mail": mail, "language": "fr"})
        assert saved.status_code == 200, saved.json
    refused = bernard.person.client.put("/api/notifications/preferences",
                                        json={"mail": "hourly", "language": "fr"})
    assert refused.status_code == 400
    _mention(workspace, bernard)
    _mention(workspace, carrel)
    (mail,) = mailbox.wait_for("carrel@chu.example", 1)
    assert mail["Subject"] == "Du nouveau vous attend dans Paravent"
    time.sleep(SETTLE_SECONDS)
    assert mailbox.to("bernard@chu.example") == []
    assert _listing(bernard)["unread"]["total"] == 1  # still told in the app


def test_reading_the_space_first_marks_it_read_everywhere_and_cancels_the_mail(
        workspace: Any, app: Any, mailbox: Mailbox) -> None:
    bernard, _ = _team(workspace)
    other_tab = socketio_of(app).test_client(app, flask_test_client=bernard.person.client)
    _mention(workspace, bernard)
    other_tab.get_received()
    read = bernard.person.client.post("/api/notifications/read",
                                      json={"workspace_id": workspace.workspace_id})
    assert read.json == {"read": 1}
    assert [event["args"][0] for event in other_tab.get_received()
            if event["name"] == "notification:read"] == [
        {"workspace_id": workspace.workspace_id, "item_id": None}]
    listed = _listing(bernard)
    assert listed["unread"]["total"] == 0 and listed["notifications"][0]["read"] is True
    time.sleep(SETTLE_SECONDS)
    assert mailbox.to("bernard@chu.example") == []


def test_only_members_of_the_space_can_be_notified_by_its_members(
        workspace: Any, mailbox: Mailbox) -> None:
    bernard, _ = _team(workspace)
    outsider = workspace.organization.member(display_name="M. Dehors",
                                             email="dehors@chu.example")
    refused = _notify(workspace, workspace.owner, [bernard.person.user_id, outsider.user_id])
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "not_a_member")
    not_member = outsider.client.post(f"{workspace.url}/notifications", json={
        "kind": "mention", "user_ids": [bernard.person.user_id]})
    assert not_member.status_code == 404
    for body in ({"kind": "gossip", "user_ids": [bernard.person.user_id]},
                 {"kind": "mention", "user_ids": []},
                 {"kind": "mention", "user_ids": "everyone"},
                 {"kind": "mention", "user_ids": [bernard.person.user_id],
                  "item_id": "Lefebvre"}):
        response = workspace.owner.person.client.post(f"{workspace.url}/notifications",
                                                      json=body)
        assert response.status_code == 400, body
    assert _listing(bernard)["notifications"] == []
    time.sleep(SETTLE_SECONDS)
    assert mailbox.messages == []


def test_two_processes_sharing_the_database_mail_each_notification_once(
        workspace: Any, app: Any, config: Any, mailbox: Mailbox) -> None:
    bernard, carrel = _team(workspace)
    other_process = make_app(config)
    for member in (bernard, carrel):
        response = _notify(workspace, workspace.owner, [member.person.user_id])
        assert response.status_code == 201
    time.sleep(GROUP_SECONDS)
    sent: list[int] = []
    senders = [threading.Thread(target=lambda a=a: sent.append(send_due(a)))
               for a in (app, other_process) for _ in range(3)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    time.sleep(SETTLE_SECONDS)
    assert len(mailbox.to("bernard@chu.example")) == 1
    assert len(mailbox.to("carrel@chu.example")) == 1


def test_with_no_smtp_server_the_console_says_whom_it_would_have_mailed(
        workspace: Any, app: Any, caplog: Any) -> None:
    bernard, _ = _team(workspace)
    app.config["PARAVENT"] = replace(app.config["PARAVENT"], smtp_url=None)
    caplog.set_level(logging.INFO, logger="paravent.notifications")
    _notify(workspace, workspace.owner, [bernard.person.user_id])
    line = "would mail bernard@chu.example: New activity is waiting for you in Paravent"
    deadline = time.monotonic() + 10
    while line not in caplog.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line in caplog.messages


def test_notifying_counts_against_the_writers_log_write_limit(workspace: Any, app: Any) -> None:
    bernard, _ = _team(workspace)
    app.config["PARAVENT"] = replace(app.config["PARAVENT"], log_writes_per_minute=3)
    answers = [_notify(workspace, workspace.owner, [bernard.person.user_id]).status_code
               for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    assert _listing(bernard)["unread"]["total"] == 3


def test_daily_mails_once_then_waits_a_day(workspace: Any, mailbox: Mailbox) -> None:
    bernard, _ = _team(workspace)
    bernard.person.client.put("/api/notifications/preferences",
                              json={"mail": "daily", "language": "en"})
    _mention(workspace, bernard)
    assert len(mailbox.wait_for("bernard@chu.example", 1)) == 1
    _mention(workspace, bernard)
    time.sleep(SETTLE_SECONDS)
    assert len(mailbox.to("bernard@chu.example")) == 1
    assert _listing(bernard)["unread"]["total"] == 2


def test_rows_a_dead_process_claimed_are_mailed_by_another(
        workspace: Any, app: Any, config: Any, mailbox: Mailbox) -> None:
    bernard, _ = _team(workspace)
    _notify(workspace, workspace.owner, [bernard.person.user_id])
    with database_of(config) as db:  # this app's sender has nothing left to do: it stops
        db.execute("update notifications set mail_state = 'none'")
    while app.extensions.get(STARTED):
        time.sleep(0.05)
    an_hour_ago = time.time() - 3600
    with database_of(config) as db:  # a process claimed them an hour ago and died
        db.execute("update notifications set mail_state = 'claimed', mail_claim = 'dead', "
                   "claimed_at = ?, created_at = ?", [an_hour_ago, an_hour_ago])
    make_app(config)  # another process starts: it finds mail waiting
    assert len(mailbox.wait_for("bernard@chu.example", 1)) == 1
    time.sleep(SETTLE_SECONDS)
    assert len(mailbox.to("bernard@chu.example")) == 1
