"""Several writers of one workspace at once (log format 4): each write names the head its writer
verified and the server places it. Random interleavings give every client the same verified
state with nothing lost; a server that reorders or forks the history is caught wherever that
contradicts a head a writer named or a client remembered; a server that places a write past its
author's removal, or past a key rotation, is caught by name; a revoked author's write is
confirmed only by a later write whose writer had seen it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pycrypto_wasm import canonical
from pycrypto_wasm.identity.certificates import RevocationCertificate
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.workspace.history import History, RolledBackHistoryError, replay
from pycrypto_wasm.workspace.log import (
    VERSION,
    BrokenChainError,
    LogEntry,
    entry_hash,
    open_entry,
    place_entry,
    verify_chain,
    write_claims,
    write_entry,
)
from tests.audit.organization import ORGANIZATION, WORKSPACE, Committee, committee

WRITERS = ("u-nord", "u-sud", "u-est")


@dataclass
class Server:
    """An honest server's log: writes placed at the end unless their named head is before a
    membership, key or settings entry (then 409, the writer reads again and re-seals)."""

    team: Committee
    writes: list[bytes] = field(default_factory=list)
    conflicts: int = 0

    @property
    def log(self) -> list[bytes]:
        return self.team.log

    def place(self, written: bytes) -> bool:
        claims = write_claims(written)
        ordering = ("workspace_created", "member_set", "member_removed", "settings")
        if any(entry.kind in ordering for entry in self.verified()[claims.head_seq:]):
            self.conflicts += 1
            return False
        prev = entry_hash(self.log[-1])
        self.log.append(place_entry(written, seq=len(self.log) + 1, prev=prev))
        self.writes.append(written)
        return True

    def verified(self) -> list[LogEntry]:
        return _chain(self.team, self.log)


def _chain(team: Committee, stored: list[bytes]) -> list[LogEntry]:
    return verify_chain(stored, organization=ORGANIZATION, workspace=WORKSPACE,
                        author_key=team.verify_key_of)


def _replayed(team: Committee, stored: list[bytes]) -> History:
    directory = verify_directory(team.root.verify_key, ORGANIZATION, team.certificates)
    return replay(_chain(team, stored), organization=ORGANIZATION, workspace=WORKSPACE,
                  directory=directory)


def _team() -> Committee:
    """The committee's log (format 3, as older clients wrote it) and a third member."""
    team = committee()
    team.certify("u-est", "Dr Paul Est", "CHU Est")
    team.append("u-nord", "member_set", public={"user_id": "u-est", "role": "contributor"})
    return team


def _write(team: Committee, author: str, head: History, kind: str = "comment",
           **public: object) -> bytes:
    team.keyring.current = head.key_index
    text = f"{author} after {head.head[0]}"
    return write_entry(team.keyring, team.keys[author], author=author, head=head.head,
                       kind=kind, content={"dossier_id": "d-1", "text": text},
                       public=dict(public) or None)


# An interleaving: each step, a writer either reads the log (verifies it, remembers its head) or
# writes after the head it verified last; the owner sometimes changes a role.
STEPS = st.lists(st.tuples(st.sampled_from(WRITERS), st.sampled_from(("read", "write",
                                                                      "write", "role"))),
                 min_size=1, max_size=20)


def _run(steps: list[tuple[str, str]]) -> tuple[Server, dict[str, History]]:
    """Play the steps against an honest server; a writer whose write conflicts reads the log
    again and re-seals it, as the worker does on 409."""
    server = Server(_team())
    seen = {writer: _replayed(server.team, server.log) for writer in WRITERS}
    roles = iter(["reader", "contributor"] * 20)
    for writer, action in steps:
        if action == "role" and writer == "u-nord":
            role = next(roles)

            def make(head: History, role: str = role) -> bytes:
                return _write(server.team, "u-nord", head, "member_set", user_id="u-est",
                              role=role)
        elif action != "read" and seen[writer].members.get(writer) != "reader":
            def make(head: History, writer: str = writer) -> bytes:
                return _write(server.team, writer, head)
        else:
            seen[writer] = _replayed(server.team, server.log)
            continue
        while not server.place(make(seen[writer])):
            seen[writer] = _replayed(server.team, server.log)
            if seen[writer].members.get(writer) == "reader":
                break  # the worker refuses what the role it now has does not allow
    return server, seen


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
def test_any_interleaving_gives_every_client_the_same_verified_state(steps):
    server, seen = _run(steps)
    final = {writer: _replayed(server.team, server.log) for writer in WRITERS}
    heads = {history.head for history in final.values()}
    assert len(heads) == 1
    reference = final["u-nord"]
    for writer, history in final.items():
        assert history.members == reference.members
        assert history.forgeries.keys() == reference.forgeries.keys()
        history.check_remembered(*seen[writer].head)
    assert reference.forgeries == {}
    # Nothing lost: every accepted write is in the log once, in the order placed, readable.
    placed = [entry for entry in reference.entries if entry.format == VERSION]
    assert [_placed_write(stored) for stored in server.log[len(_team().log):]] == server.writes
    assert len(placed) == len(set(server.writes)) == len(server.writes)
    comments = [open_entry(entry, server.team.keyring)["text"] for entry in placed
                if entry.kind == "comment"]
    assert len(comments) == sum(1 for entry in placed if entry.kind == "comment")
    # Comments never conflict with each other: only a write whose writer had not seen a role
    # change placed after its head is refused (and re-sealed).
    role_changes = sum(1 for writer, action in steps if (writer, action) == ("u-nord", "role"))
    assert server.conflicts <= role_changes * len(WRITERS)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS, st.data())
def test_a_reordered_history_is_caught_where_it_contradicts_a_named_or_remembered_head(
        steps, data):
    server, seen = _run(steps)
    base = len(_team().log)
    if len(server.log) - base < 2:
        return
    first = data.draw(st.integers(base + 1, len(server.log) - 1))
    second = data.draw(st.integers(first + 1, len(server.log)))
    writes = [bytes(_placed_write(stored)) for stored in server.log[base:]]
    order = list(range(len(writes)))
    order[first - base - 1], order[second - base - 1] = (order[second - base - 1],
                                                         order[first - base - 1])
    tampered = list(server.log[:base])
    for index in order:
        tampered.append(place_entry(writes[index], seq=len(tampered) + 1,
                                    prev=entry_hash(tampered[-1])))
    named = [write_claims(writes[index]).head_seq for index in order[first - base - 1:]]
    contradicts_a_writer = any(head >= first for head in named)
    if contradicts_a_writer:
        with pytest.raises(BrokenChainError) as caught:
            _chain(server.team, tampered)
        assert caught.value.position >= first
        return
    # A valid other order of concurrent writes, except for clients that verified past `first`.
    for history in seen.values():
        replayed = _replayed(server.team, tampered)
        if history.head[0] >= first:
            with pytest.raises(RolledBackHistoryError):
                replayed.check_remembered(*history.head)
        else:
            replayed.check_remembered(*history.head)


def _placed_write(stored: bytes) -> bytes:
    assert stored[0] == VERSION
    return canonical.decode(stored[1:])["write"]


def _with_removal(team: Committee) -> tuple[Server, dict[str, bytes]]:
    """u-est and u-sud each write after the same head; the owner then removes u-est and moves
    to key 1, placed first: an honest server refuses both late writes (409)."""
    server = Server(team)
    before = _replayed(team, server.log)
    late = {author: _write(team, author, before) for author in ("u-est", "u-sud")}
    index, check = team.keyring.next_key()
    assert server.place(_write(team, "u-nord", before, "member_removed", user_id="u-est",
                               key_index=index, key_check=check))
    for written in late.values():
        assert not server.place(written)
    return server, late


def _placed_anyway(server: Server, written: bytes) -> int:
    """A malicious server places the write at the end all the same."""
    server.log.append(place_entry(written, seq=len(server.log) + 1,
                                  prev=entry_hash(server.log[-1])))
    return len(server.log)


def test_a_write_placed_after_its_authors_removal_is_caught_by_name():
    team = _team()
    server, late = _with_removal(team)
    seq = _placed_anyway(server, late["u-est"])
    history = _replayed(team, server.log)
    forgery = history.forgeries[seq]
    assert (forgery.author, forgery.kind) == ("u-est", "comment")
    assert "u-est is not a member at this point" in forgery.describe()
    assert "u-est" not in history.members


def test_a_write_placed_after_a_key_rotation_under_the_superseded_key_is_caught_by_name():
    team = _team()
    server, late = _with_removal(team)
    seq = _placed_anyway(server, late["u-sud"])
    history = _replayed(team, server.log)
    assert history.key_index == 1
    forgery = history.forgeries[seq]
    assert (forgery.author, forgery.kind) == ("u-sud", "comment")
    assert "sealed under key 0, not under the current key 1" in forgery.describe()


def test_a_fork_is_caught_once_a_writer_of_the_other_branch_writes():
    """The server hides u-sud's comment from u-nord (a fork) and shows u-nord's writes after
    it in u-sud's branch: u-nord's second write names a head of u-nord's branch, which is not
    on u-sud's chain."""
    team = _team()
    server = Server(team)
    common = list(server.log)
    assert server.place(_write(team, "u-sud", _replayed(team, common)))
    nord_branch = list(common)
    first = _write(team, "u-nord", _replayed(team, nord_branch))
    nord_branch.append(place_entry(first, seq=len(nord_branch) + 1,
                                   prev=entry_hash(nord_branch[-1])))
    _placed_anyway(server, first)
    _chain(team, server.log)  # u-nord's first write named the common head: it fits both
    _placed_anyway(server, _write(team, "u-nord", _replayed(team, nord_branch)))
    with pytest.raises(BrokenChainError, match="other than this history's") as caught:
        _chain(team, server.log)
    assert caught.value.position == len(server.log)


def test_a_write_placed_twice_is_caught():
    team = _team()
    server = Server(team)
    written = _write(team, "u-sud", _replayed(team, server.log))
    assert server.place(written)
    _placed_anyway(server, written)
    with pytest.raises(BrokenChainError, match="repeats entry") as caught:
        _chain(team, server.log)
    assert caught.value.position == len(server.log)


def test_a_revoked_authors_write_is_confirmed_only_by_a_later_write_that_had_seen_it():
    """u-est writes, then is revoked (dated a minute from now). u-sud's write placed after it
    but naming an earlier head does not confirm u-est's came first (u-sud had not seen it);
    u-nord's write naming a head past it does."""
    team = _team()
    team.certify("u-admin", "M. Paul Admin", "CHU Nord", profile="admin")
    revocation = RevocationCertificate(organization=ORGANIZATION, user_id="u-est",
                                       revoked_by="u-admin", revoked_at=int(time.time()) + 60)
    signed = revocation.sign(team.keys["u-admin"])
    server = Server(team)
    before = _replayed(team, server.log)
    assert server.place(_write(team, "u-est", before))
    assert server.place(_write(team, "u-sud", before))

    def replayed() -> History:
        directory = verify_directory(team.root.verify_key, ORGANIZATION, team.certificates,
                                     {"u-est": signed})
        return replay(_chain(team, server.log), organization=ORGANIZATION,
                      workspace=WORKSPACE, directory=directory)

    by_revoked = len(server.log) - 1
    assert list(replayed().unconfirmed) == [by_revoked]
    assert server.place(_write(team, "u-nord", _replayed(team, server.log)))
    assert replayed().unconfirmed == {}
