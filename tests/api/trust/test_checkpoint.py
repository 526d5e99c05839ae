"""History checkpoints (pycrypto_wasm/workspace/checkpoint.py): a browser that verified a
workspace's history opens it again fetching and verifying only the entries after its
checkpoint, and a server that rolls the history back or rewrites it before the checkpoint is
caught as it is without one; a checkpoint altered or of someone else is refused (the whole
history is verified instead). Real server, each member's crypto worker under CPython."""

from __future__ import annotations

import zlib

import pytest

from pycrypto_wasm import canonical, envelope, hashing
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.workspace import checkpoint as checkpoint_format
from pycrypto_wasm.workspace.log import entry_hash, place_entry
from tests.api.trust.conftest import DOSSIER
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import MemberBrowser, WorkerError


def _comment(committee, dossier_id: str, text: str) -> int:
    return committee.owner.append(committee.workspace_id, "comment",
                                  {"dossier_id": dossier_id, "text": text})


def _opened(browser: MemberBrowser, workspace_id: str) -> tuple[dict, int]:
    """What opening the workspace shows, and how many log entries it fetched."""
    before = browser.entries_fetched
    opened = browser.open(workspace_id)
    return opened, browser.entries_fetched - before


def _shown(opened: dict) -> dict:
    return {name: opened[name] for name in ("role", "members", "key_index", "workflow", "name")}


def test_second_open_fetches_and_verifies_only_the_new_entries(committee):
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    for index in range(5):
        _comment(committee, dossier, f"Avis {index}")
    reader = committee.reader
    reader.checkpoints.clear()
    first, fetched = _opened(reader, workspace_id)
    length = first["chain"]["head"]["seq"]
    assert fetched == length and first["chain"]["checkpoint"]["seq"] == length

    again, fetched = _opened(reader, workspace_id)
    assert fetched == 1  # the checkpoint's own head, to check it is still the served one
    assert again["chain"]["verified"] and again["chain"]["head"] == first["chain"]["head"]
    assert again["chain"]["checkpoint"] is None  # nothing new: the kept one still holds

    for index in range(3):
        _comment(committee, dossier, f"Suite {index}")
    newcomer = committee.organization.member()
    committee.owner.verify_directory()
    committee.owner.share(workspace_id, newcomer.user_id, "reader")
    reader.verify_directory()
    later, fetched = _opened(reader, workspace_id)
    assert fetched == 1 + 4
    assert reader.worker._state.histories[workspace_id].history.base.chain.length == length
    assert later["chain"]["verified"] and later["chain"]["head"]["seq"] == length + 4
    # What it shows is what a browser verifying the whole history shows.
    fresh = MemberBrowser(reader.person)
    assert _shown(later) == _shown(fresh.open(workspace_id))
    assert fresh.entries_fetched == length + 4


def test_a_history_rolled_back_before_the_checkpoint_is_caught(committee):
    server = MaliciousServer(committee.organization.app)
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    decision = _comment(committee, dossier, "Avis favorable")
    reader = committee.reader
    assert reader.open(workspace_id)["chain"]["checkpoint"]["seq"] == decision
    server.drop_log_from(workspace_id, decision)
    reader.remembered.clear()  # the checkpoint alone catches it

    chain = reader.open(workspace_id)["chain"]
    assert not chain["verified"]
    assert (f"ends at entry {decision - 1}, but this browser verified it up to entry "
            f"{decision}: entries {decision} to {decision} were removed") in chain["problem"]
    with pytest.raises(WorkerError) as refused:
        reader.call("log.append", workspace_id=workspace_id, kind="comment",
                    content={"dossier_id": dossier, "text": "Vu"})
    assert refused.value.code == "untrusted_history"


def _reordered(server: MaliciousServer, workspace_id: str, first: int) -> None:
    """The server places the writes at `first` and `first + 1` the other way round: a chain
    every signature and placement of which verifies, but not the one browsers verified."""
    rows = server.sql("select seq, entry from log_entries where workspace_id = ? and seq >= ? "
                      "order by seq", [workspace_id, first - 1])
    prev = entry_hash(bytes(rows[0][1]))
    writes = [canonical.decode(bytes(entry)[1:])["write"] for _, entry in rows[1:]]
    for seq, write in zip((first, first + 1), reversed(writes), strict=True):
        stored = place_entry(write, seq=seq, prev=prev)
        server.sql("update log_entries set entry = ? where workspace_id = ? and seq = ?",
                   [stored, workspace_id, seq])
        prev = entry_hash(stored)


def test_a_history_rewritten_before_the_checkpoint_is_caught(committee):
    server = MaliciousServer(committee.organization.app)
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    # Two comments written on the same head (neither writer had seen the other's).
    owner = committee.owner
    first, last = (owner.api("POST", f"/api/workspaces/{workspace_id}/log", owner.call(
        "log.append", workspace_id=workspace_id, kind="comment",
        content={"dossier_id": dossier, "text": text}))["seq"]
        for text in ("Premier avis", "Second avis"))
    reader = committee.reader
    assert reader.open(workspace_id)["chain"]["checkpoint"]["seq"] == last
    _reordered(server, workspace_id, first)
    assert MemberBrowser(committee.contributor.person).open(workspace_id)["chain"]["verified"]
    reader.remembered.clear()

    chain = reader.open(workspace_id)["chain"]
    assert not chain["verified"]
    assert f"differs, at or before entry {last}, from the one this browser verified" \
        in chain["problem"]


def test_a_tampered_checkpoint_or_someone_elses_is_refused(committee):
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    _comment(committee, dossier, "Avis")
    reader, contributor = committee.reader, committee.contributor
    kept = reader.open(workspace_id)["chain"]["checkpoint"]
    listing = reader.api("GET", f"/api/workspaces/{workspace_id}")
    request = {"workspace_id": workspace_id, "grants": listing["grants"],
               "manifest": listing["manifest"], "manifest_version": listing["manifest_version"],
               "entries": reader.log_entries(workspace_id, kept["seq"] - 1)}
    sealed = bytearray(kept["sealed"])
    sealed[-1] ^= 1  # in its records
    state_altered = bytearray(kept["sealed"])
    state_altered[40] ^= 1  # in its state
    for checkpoint in ({**kept, "sealed": bytes(sealed)},
                       {**kept, "sealed": bytes(state_altered)},
                       {**kept, "seq": kept["seq"] - 1}):
        with pytest.raises(WorkerError) as refused:
            reader.call("workspace.open", **request, checkpoint=checkpoint)
        assert refused.value.code == "checkpoint_unusable"
        assert "checkpoint of the workspace's history was refused" in refused.value.message
    with pytest.raises(WorkerError) as refused:
        contributor.call("workspace.open", **{**request, "grants": contributor.api(
            "GET", f"/api/workspaces/{workspace_id}")["grants"]}, checkpoint=kept)
    assert refused.value.code == "checkpoint_unusable"

    # Sealed with my key, but its content does not inflate.
    with pytest.raises(WorkerError) as refused:
        reader.call("workspace.open", **request, checkpoint={**kept, "sealed": _uncompressed(
            kept["sealed"], reader, workspace_id, kept["seq"], version=5)})
    assert refused.value.code == "checkpoint_unusable" and "inflate" in refused.value.message

    # The page then drops it and verifies the whole history.
    reader.checkpoints[workspace_id] = {**kept, "sealed": bytes(sealed)}
    opened, fetched = _opened(reader, workspace_id)
    assert opened["chain"]["verified"] and fetched == 1 + kept["seq"]  # then the whole log
    assert reader.checkpoints[workspace_id]["sealed"] != kept["sealed"]


def test_a_write_naming_a_head_before_the_window_reads_the_whole_history(committee, monkeypatch):
    monkeypatch.setattr(checkpoint_format, "WINDOW", 2)
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    contributor, reader = committee.contributor, committee.reader
    contributor.read_log(workspace_id)
    # The contributor seals a comment on the head it verified, before three more entries.
    late = contributor.call("log.append", workspace_id=workspace_id, kind="comment",
                            content={"dossier_id": dossier, "text": "Écrit hors ligne"})
    for index in range(3):
        _comment(committee, dossier, f"Avis {index}")
    reader.open(workspace_id)
    contributor.api("POST", f"/api/workspaces/{workspace_id}/log", late)

    opened, fetched = _opened(reader, workspace_id)
    head = opened["chain"]["head"]["seq"]
    assert opened["chain"]["verified"] and fetched == 2 + head  # the tail, then the whole log
    assert reader.worker._state.histories[workspace_id].history.base.chain.length == 0


def test_a_revocation_concerning_the_checkpoint_reads_the_whole_history(committee):
    workspace_id = committee.workspace_id
    reader, contributor = committee.reader, committee.contributor
    reader.open(workspace_id)
    length = reader.checkpoints[workspace_id]["seq"]
    response = committee.organization.revoke(contributor.person)
    assert response.status_code == 200, response.json

    again, fetched = _opened(reader, workspace_id)
    assert fetched == 1 + length  # the checkpoint's head, then the whole log
    assert again["chain"]["verified"] and workspace_id not in reader.checkpoints
    assert [member["revoked"] for member in again["members"]
            if member["user_id"] == contributor.user_id] == [True]


def _uncompressed(sealed: bytes, browser: MemberBrowser, workspace_id: str, seq: int,
                  version: int = 4) -> bytes:
    """The checkpoint `sealed` as browsers sealed it before format 5 (`version` 4): its state
    and records encoded, not compressed (the state naming the records' envelope by its hash)."""
    bundle = browser.worker._state.bundle
    key = checkpoint_format.checkpoint_key(bundle.encryption_seed)
    place = (bundle.organization, workspace_id, bundle.user_id, seq)
    state_context = checkpoint_format._context(*place)
    records_context = checkpoint_format._context(*place, checkpoint_format.RECORDS_PURPOSE)
    body = unframe(sealed, version=5, min_body=4, what="checkpoint")
    size = int.from_bytes(body[:4], "big")
    state = canonical.decode(zlib.decompress(envelope.open_(key, state_context, body[4:4 + size])))
    records = envelope.seal(key, records_context, zlib.decompress(
        envelope.open_(key, records_context, body[4 + size:])))
    older = envelope.seal(key, state_context, canonical.encode(
        {**state, "records_hash": hashing.blake2b(records)}))
    return frame(version, len(older).to_bytes(4, "big"), older, records)


@pytest.mark.parametrize("kept_as", ["bytes", "text"])  # pages kept formats 1 and 2 as text
def test_a_checkpoint_of_the_previous_format_is_replaced_after_one_whole_read(committee, kept_as):
    workspace_id = committee.workspace_id
    dossier = committee.owner.save_dossier(workspace_id, DOSSIER)["document_id"]
    _comment(committee, dossier, "Avis")
    reader = committee.reader
    first, _ = _opened(reader, workspace_id)
    kept = first["chain"]["checkpoint"]
    assert kept["sealed"][0] == checkpoint_format.VERSION == 5
    older = _uncompressed(kept["sealed"], reader, workspace_id, kept["seq"])
    reader.checkpoints[workspace_id] = {**kept, "sealed": to_b64(older) if kept_as == "text"
                                        else older}
    reader.worker._state.histories.clear()

    opened, fetched = _opened(reader, workspace_id)
    assert opened["chain"]["verified"] and fetched == 1 + kept["seq"]  # refused, then whole
    assert _shown(opened) == _shown(first)
    assert reader.checkpoints[workspace_id]["sealed"][0] == 5
    again, fetched = _opened(reader, workspace_id)
    assert fetched == 1 and _shown(again) == _shown(first)
