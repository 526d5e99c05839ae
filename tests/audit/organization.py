"""A small organization for log tests: a root key, two certified members and a workspace key."""

from __future__ import annotations

from dataclasses import dataclass, field

from pycrypto_wasm.identity.certificates import ROOT_SIGNER, UserCertificate
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey, VerifyKey
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.log import GENESIS, entry_hash, seal_entry

ORGANIZATION = "o-test"
WORKSPACE = "w-test"


@dataclass
class Committee:
    root: SigningKey = field(default_factory=SigningKey.generate)
    keys: dict[str, SigningKey] = field(default_factory=dict)
    certificates: dict[str, bytes] = field(default_factory=dict)
    keyring: Keyring = field(default_factory=lambda: Keyring.new(ORGANIZATION, WORKSPACE))
    log: list[bytes] = field(default_factory=list)

    def certify(self, user_id: str, name: str, site: str) -> None:
        key = SigningKey.generate()
        self.keys[user_id] = key
        self.certificates[user_id] = UserCertificate(
            organization=ORGANIZATION, user_id=user_id, display_name=name,
            email=f"{user_id}@chu.example", site=site, profile="member",
            verify_key=key.verify_key.key, public_key=PrivateKey.generate().public_key.key,
            signed_by=ROOT_SIGNER, issued_at=1).sign(self.root)

    def verify_key_of(self, user_id: str) -> VerifyKey:
        return self.keys[user_id].verify_key

    def append(self, author: str, kind: str, content: dict) -> bytes:
        prev = entry_hash(self.log[-1]) if self.log else GENESIS
        entry = seal_entry(self.keyring, self.keys[author], author=author, seq=len(self.log) + 1,
                           prev=prev, kind=kind, content=content)
        self.log.append(entry)
        return entry


def committee() -> Committee:
    team = Committee()
    team.certify("u-nord", "Dr Claire Nord", "CHU Nord")
    team.certify("u-sud", "Mme Inès Sud", "CHU Sud")
    team.append("u-nord", "review", {"dossier_id": "d-1", "note": ""})
    team.append("u-sud", "comment", {"dossier_id": "d-1", "text": "Bilan social à jour ?"})
    team.append("u-nord", "decision", {
        "dossier_id": "d-1", "outcome": "accepted", "reasons": "Critères remplis",
        "conditions": "", "participants": ["u-nord", "u-sud"]})
    return team
