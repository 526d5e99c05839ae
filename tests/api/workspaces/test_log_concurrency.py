"""The log's order under concurrent writers, on both engines: two members writing the same entry
at once get one 201 and one 409 `stale_log`, and a seq taken by a writer that bypasses the
server's write order is stale too, never stored twice."""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from api.identity.sessions import COOKIE
from api.storage.engine import Connection
from api.storage.sqlstore import open_store
from api.storage.workspaces import StaleLogError
from e2e.harness.server import serving_in_thread
from tests.api.conftest import database_of

DOSSIER_ID = "d-" + "2" * 24


def _until_blocked(db: Connection, others: int) -> None:
    """Wait until `others` PostgreSQL backends of this database wait for a lock. (On SQLite a
    second writer cannot start its transaction at all until the first one ends.)"""
    if db.dialect != "postgresql":
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        waiting = db.execute("select count(*) from pg_stat_activity where datname = "
                             "current_database() and wait_event_type = 'Lock'").fetchone()[0]
        if waiting >= others:
            return
        time.sleep(0.02)
    raise AssertionError("the writer never waited for the uncommitted entry")


def test_log_same_seq_from_two_members_at_once_one_wins(workspace, config):
    members = [workspace.add("contributor") for _ in range(2)]
    seq = len(workspace.log()) + 1
    bodies = [workspace.entry(member, "comment", content={"dossier_id": DOSSIER_ID,
                                                          "text": f"avis {n}"})
              for n, member in enumerate(members)]
    assert [body["seq"] for body in bodies] == [seq, seq]
    start = threading.Barrier(len(members))

    with serving_in_thread(workspace.owner.person.client.application) as port:
        def post(member_and_body: tuple[Any, dict[str, Any]]) -> tuple[int, str | None]:
            member, body = member_and_body
            connection = http.client.HTTPConnection("127.0.0.1", port)
            headers = {"Cookie": f"{COOKIE}={member.person.client.get_cookie(COOKIE).value}",
                       "Origin": config.public_origin, "Content-Type": "application/json"}
            try:
                start.wait()
                connection.request("POST", f"{workspace.url}/log", body=json.dumps(body),
                                   headers=headers)
                response = connection.getresponse()
                reply = json.loads(response.read() or b"{}")
                return response.status, reply.get("error", {}).get("code")
            finally:
                connection.close()

        with ThreadPoolExecutor(len(members)) as pool:
            outcomes = list(pool.map(post, zip(members, bodies, strict=True)))

    assert sorted(outcomes, key=lambda outcome: outcome[0]) == [(201, None), (409, "stale_log")]
    winner = bodies[[status for status, _ in outcomes].index(201)]
    stored = workspace.owner.person.client.get(f"{workspace.url}/log?after={seq - 1}").json
    assert [(entry["seq"], entry["entry"]) for entry in stored["entries"]] == [
        (seq, winner["entry"])]


def test_log_seq_taken_by_a_writer_outside_the_write_order_is_stale(workspace, config):
    seq = len(workspace.log()) + 1
    author = workspace.owner.person.user_id

    def row(entry: bytes) -> dict[str, Any]:
        return {"workspace_id": workspace.workspace_id, "seq": seq, "kind": "comment",
                "author_id": author, "entry": entry, "created_at": time.time()}

    store = open_store(config, across_threads=True)
    with database_of(config) as intruder, ThreadPoolExecutor(1) as pool:
        intruder.execute("begin")
        intruder.execute("insert into log_entries values (?, ?, ?, ?, ?, ?)",
                         list(row(b"intruder").values()))
        appended = pool.submit(store.workspaces.append_log, row(b"server"))
        _until_blocked(intruder, others=1)
        intruder.execute("commit")
        with pytest.raises(StaleLogError):
            appended.result(timeout=10)
    try:
        assert [entry["entry"] for entry in store.workspaces.log(workspace.workspace_id,
                                                                 after=seq - 1)] == [b"intruder"]
    finally:
        store.close()
