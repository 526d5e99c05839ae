"""The log's chain: a verifier names the entry where dropping, reordering or altering breaks it;
members decrypt the content, nobody else can."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import DecryptionError
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import BrokenChainError, open_entry, verify_chain
from tests.audit.organization import ORGANIZATION, WORKSPACE, committee


def _verify(team, entries):
    return verify_chain(entries, organization=ORGANIZATION, workspace=WORKSPACE,
                        author_key=team.verify_key_of)


def test_log_chain_verifies_and_members_read_it():
    team = committee()
    entries = _verify(team, team.log)
    assert [(e.seq, e.kind, e.author) for e in entries] == [
        (1, "review", "u-nord"), (2, "comment", "u-sud"), (3, "decision", "u-nord")]
    assert open_entry(entries[1], team.keyring)["text"] == "Bilan social à jour ?"
    outsider = Keyring.new(ORGANIZATION, WORKSPACE)
    with pytest.raises(DecryptionError):
        open_entry(entries[1], outsider)


@pytest.mark.parametrize(("tamper", "position", "reason"), [
    (lambda log: [log[0], log[2]], 2, "missing or out of order"),
    (lambda log: [log[0], log[2], log[1]], 2, "missing or out of order"),
    (lambda log: [log[0], log[1][:-5] + bytes([log[1][-5] ^ 1]) + log[1][-4:], log[2]], 2,
     "altered"),
    (lambda log: log[1:], 1, "missing or out of order"),
])
def test_log_chain_names_where_it_breaks(tamper, position, reason):
    team = committee()
    with pytest.raises(BrokenChainError, match=reason) as caught:
        _verify(team, tamper(team.log))
    assert caught.value.position == position


def test_log_entry_replaced_by_a_valid_one_from_another_chain_is_caught():
    team, other = committee(), committee()
    other.keys, other.certificates = team.keys, team.certificates
    with pytest.raises(BrokenChainError) as caught:
        _verify(team, [team.log[0], other.log[1], team.log[2]])
    assert caught.value.position == 2
