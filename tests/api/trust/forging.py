"""Entries an insider signs and a colluding server slips into a workspace's log."""

from __future__ import annotations

from typing import Any

from pycrypto_wasm.workspace.log import GENESIS, entry_hash, seal_entry
from tests.api.trust.malicious_server import MaliciousServer
from tests.member_browser import MemberBrowser


def slip_in(server: MaliciousServer, author: MemberBrowser, workspace_id: str, kind: str, *,
            content: dict[str, Any] | None = None, public: dict[str, Any] | None = None,
            key_index: int | None = None, written_at: int | None = None) -> int:
    """Append an entry `author` signs (with the keys they hold), after the log's real head;
    its position."""
    signing, keyring = author.stolen_keys(workspace_id)
    entries = server.sql("select entry from log_entries where workspace_id = ? order by seq",
                         [workspace_id])
    seq = len(entries) + 1
    prev = entry_hash(entries[-1][0]) if entries else GENESIS
    if key_index is not None:
        keyring.current = key_index
    entry = seal_entry(keyring, signing, author=author.user_id, seq=seq, prev=prev, kind=kind,
                       content=content, public=public, written_at=written_at)
    server.append_log(workspace_id, seq, kind, author.user_id, entry)
    return seq
