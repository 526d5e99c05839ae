"""Writes of log format 4 through the real API, on both engines: members writing at once after
the same head are all placed (201, no conflict) in a chain every member verifies; a write
whose head is before a membership change gets 409 `stale_log`; a write that is not one is 400."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.workspace.log import entry_hash, write_entry
from tests.api.workspaces.conftest import Member, Workspace

DOSSIER_ID = "d-" + "3" * 24


def _write(workspace: Workspace, member: Member, text: str,
           head: tuple[int, bytes] | None = None) -> dict[str, Any]:
    """A comment naming `head` (the log as served now, unless given)."""
    if head is None:
        stored = workspace.log()
        head = (len(stored), entry_hash(stored[-1]))
    written = write_entry(workspace.keyring, member.signing, author=member.person.user_id,
                          head=head, kind="comment",
                          content={"dossier_id": DOSSIER_ID, "text": text})
    return {"head": head[0], "kind": "comment", "entry": to_b64(written)}


def test_writers_after_the_same_head_are_all_placed(workspace):
    members = [workspace.add("contributor") for _ in range(4)]
    bodies = [_write(workspace, member, f"avis {n}") for n, member in enumerate(members)]
    start = threading.Barrier(len(members))

    def post(member_and_body: tuple[Member, dict[str, Any]]) -> int:
        member, body = member_and_body
        start.wait()
        return member.person.client.post(f"{workspace.url}/log", json=body).status_code

    with ThreadPoolExecutor(len(members)) as pool:
        statuses = list(pool.map(post, zip(members, bodies, strict=True)))
    assert statuses == [201] * len(members)
    history = workspace.history(members[0])
    assert history.forgeries == {}
    assert [entry.kind for entry in history.entries[-4:]] == ["comment"] * 4
    assert {entry.named_head for entry in history.entries[-4:]} == {len(history.entries) - 4}


def test_a_write_before_a_membership_change_is_stale_and_one_after_it_is_placed(workspace):
    writer = workspace.add("contributor")
    stale = _write(workspace, writer, "avant")
    workspace.add("reader")
    refused = writer.person.client.post(f"{workspace.url}/log", json=stale)
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "stale_log")
    placed = writer.person.client.post(f"{workspace.url}/log",
                                       json=_write(workspace, writer, "après"))
    assert placed.status_code == 201
    assert workspace.history(writer).forgeries == {}


def test_a_write_that_names_no_head_or_another_kind_is_refused(workspace):
    writer = workspace.add("contributor")
    before = workspace.log()
    body = _write(workspace, writer, "x")
    wrong_kind = writer.person.client.post(f"{workspace.url}/log",
                                           json={**body, "kind": "review"})
    assert wrong_kind.status_code == 400
    garbage = writer.person.client.post(f"{workspace.url}/log", json={
        "kind": "comment", "entry": to_b64(bytes([4]) + b"not a signed object")})
    assert garbage.status_code == 400
    beyond = writer.person.client.post(f"{workspace.url}/log", json=_write(
        workspace, writer, "y", head=(99, bytes(32))))
    assert (beyond.status_code, beyond.json["error"]["code"]) == (409, "stale_log")
    assert workspace.log() == before
