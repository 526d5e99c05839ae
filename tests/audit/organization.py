"""A small organization for log tests: a root key, two certified members, and a workspace whose
log holds its whole history: created by u-nord (owner), u-sud added as contributor, then a
dossier taken to its decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pycrypto_wasm import hashing
from pycrypto_wasm.identity.certificates import ROOT_SIGNER, UserCertificate
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey, VerifyKey
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import GENESIS, entry_hash, seal_entry
from pycrypto_wasm.workspace.workflow import DEFAULT_WORKFLOW

ORGANIZATION = "o-test"
WORKSPACE = "w-test"


@dataclass
class Committee:
    root: SigningKey = field(default_factory=SigningKey.generate)
    keys: dict[str, SigningKey] = field(default_factory=dict)
    certificates: dict[str, bytes] = field(default_factory=dict)
    keyring: Keyring = field(default_factory=lambda: Keyring.new(ORGANIZATION, WORKSPACE))
    log: list[bytes] = field(default_factory=list)

    def certify(self, user_id: str, name: str, site: str, profile: str = "member") -> None:
        key = SigningKey.generate()
        self.keys[user_id] = key
        self.certificates[user_id] = UserCertificate(
            organization=ORGANIZATION, user_id=user_id, display_name=name,
            email=f"{user_id}@chu.example", site=site, profile=profile,
            verify_key=key.verify_key.key, public_key=PrivateKey.generate().public_key.key,
            signed_by=ROOT_SIGNER, issued_at=1).sign(self.root)

    def verify_key_of(self, user_id: str) -> VerifyKey:
        return self.keys[user_id].verify_key

    def append(self, author: str, kind: str, content: dict[str, Any] | None = None,
               public: dict[str, Any] | None = None,
               anchors: dict[str, Any] | None = None) -> bytes:
        prev = entry_hash(self.log[-1]) if self.log else GENESIS
        entry = seal_entry(self.keyring, self.keys[author], author=author, seq=len(self.log) + 1,
                           prev=prev, kind=kind, content=content, public=public,
                           anchors=anchors)
        self.log.append(entry)
        return entry


def committee(people: Committee | None = None) -> Committee:
    """The committee's workspace and log (5 entries); with `people`, the same root and members
    (their keys and certificates) write a log of their own."""
    team = Committee()
    if people is None:
        team.certify("u-nord", "Dr Claire Nord", "CHU Nord")
        team.certify("u-sud", "Mme Inès Sud", "CHU Sud")
    else:
        team.root, team.keys, team.certificates = people.root, people.keys, people.certificates
    team.append("u-nord", "workspace_created", public={
        "key_check": team.keyring.check(0), "version": 1,
        "hash": hashing.blake2b(b"the first workspace manifest"), "workflow": DEFAULT_WORKFLOW})
    team.append("u-nord", "member_set", public={"user_id": "u-sud", "role": "contributor"})
    team.append("u-nord", "review", {"dossier_id": "d-1", "note": ""})
    team.append("u-sud", "comment", {"dossier_id": "d-1", "text": "Bilan social à jour ?"})
    team.append("u-nord", "decision", {
        "dossier_id": "d-1", "outcome": "accepted", "reasons": "Critères remplis",
        "conditions": "", "participants": ["u-nord", "u-sud"]})
    return team
