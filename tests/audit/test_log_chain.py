"""The log's chain: a verifier names the entry where dropping, reordering or altering breaks it;
members decrypt the content, nobody else can; replaying it gives the workspace's members."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import DecryptionError
from pycrypto_wasm.identity.trust import verify_directory
from pycrypto_wasm.workspace.history import replay
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import BrokenChainError, open_entry, verify_chain
from tests.audit.organization import ORGANIZATION, WORKSPACE, committee
from tests.crypto.tampering import flip_byte


def _verify(team, entries):
    return verify_chain(entries, organization=ORGANIZATION, workspace=WORKSPACE,
                        author_key=team.verify_key_of)


def test_log_chain_verifies_and_members_read_it():
    team = committee()
    entries = _verify(team, team.log)
    assert [(e.seq, e.kind, e.author) for e in entries] == [
        (1, "workspace_created", "u-nord"), (2, "member_set", "u-nord"), (3, "review", "u-nord"),
        (4, "comment", "u-sud"), (5, "decision", "u-nord")]
    assert entries[1].public == {"user_id": "u-sud", "role": "contributor"}
    assert open_entry(entries[3], team.keyring)["text"] == "Bilan social à jour ?"
    outsider = Keyring.new(ORGANIZATION, WORKSPACE)
    with pytest.raises(DecryptionError):
        open_entry(entries[3], outsider)
    directory = verify_directory(team.root.verify_key, ORGANIZATION, team.certificates)
    history = replay(entries, organization=ORGANIZATION, workspace=WORKSPACE,
                     directory=directory)
    assert history.members == {"u-nord": "owner", "u-sud": "contributor"}
    assert history.forgeries == {}


@pytest.mark.parametrize(("tamper", "position", "reason"), [
    (lambda log: [*log[:3], log[4]], 4, "missing or out of order"),
    (lambda log: [*log[:3], log[4], log[3]], 4, "missing or out of order"),
    (lambda log: [*log[:3], flip_byte(log[3], -5), log[4]], 4, "altered"),
    (lambda log: log[1:], 1, "missing or out of order"),
])
def test_log_chain_names_where_it_breaks(tamper, position, reason):
    team = committee()
    with pytest.raises(BrokenChainError, match=reason) as caught:
        _verify(team, tamper(team.log))
    assert caught.value.position == position


def test_log_entry_replaced_by_a_valid_one_from_another_chain_is_caught():
    team = committee()
    other = committee(people=team)
    with pytest.raises(BrokenChainError, match="does not follow") as caught:
        _verify(team, [*team.log[:3], other.log[3], team.log[4]])
    assert caught.value.position == 4


def test_log_chain_a_changed_version_byte_keeps_the_anchors():
    """Format-2 logs stay readable (the vectors hold one); turning a format-3 entry's unsigned
    version byte into 2 does not strip the anchors its signature covers."""
    team = committee()
    team.append("u-sud", "comment", {"dossier_id": "d-1", "text": "Lu"},
                anchors={"own_state": 4})
    anchored = team.log[-1]
    assert anchored[0] == 3
    as_format_2 = [*team.log[:-1], bytes([2]) + anchored[1:]]
    assert _verify(team, team.log)[-1].anchors == {"own_state": 4}
    assert _verify(team, as_format_2)[-1].anchors == {"own_state": 4}
    with pytest.raises(BrokenChainError) as unknown:
        _verify(team, [bytes([5]) + team.log[0][1:]])
    assert "unknown format version 5" in str(unknown.value)
