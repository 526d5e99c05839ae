"""A user's own state in a workspace (today: up to which log entry they have read each dossier's
discussion), sealed so that only that user can read it; the server keeps it as one opaque blob.

Key: libsodium's KDF (keyed BLAKE2b) of the encryption seed of the user's key bundle, subkey 1,
context "pvownst1": only the bundle's holder derives it, and it is no key of any other purpose.

Format version 1: `0x01 || envelope` (envelope.py), bound to the organization, the workspace, the
user and the state's version N: the server stores version N + 1 only on top of N, so versions
only grow, and a blob cannot be served as another user's, another workspace's or another
version's. The sealed plaintext is the canonical `{"read_markers": {dossier_id: seq}}`, padded
(padding.py) so its size shows only a coarse size class of how many dossiers it lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycrypto_wasm import canonical, envelope, hashing, padding
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.framing import frame, unframe

VERSION = 1
KDF_CONTEXT = "pvownst1"
KDF_SUBKEY_ID = 1
PURPOSE = "own-state"


def state_key(encryption_seed: bytes) -> bytes:
    """The key of a user's own states, from the encryption seed of their key bundle."""
    return hashing.derive_subkey(encryption_seed, subkey_id=KDF_SUBKEY_ID, context=KDF_CONTEXT)


def _context(organization: str, workspace: str, user_id: str, version: int) -> Context:
    return Context(purpose=PURPOSE, organization=organization, workspace=workspace,
                   object_id=user_id, version=version)


@dataclass
class OwnState:
    """Version `version` of a user's state in one workspace: the read marker of each dossier."""

    version: int = 0
    read_markers: dict[str, int] = field(default_factory=dict)

    def mark_read(self, dossier_id: str, seq: int) -> None:
        """Move a dossier's marker to `seq`; markers only move forward."""
        self.read_markers[dossier_id] = max(seq, self.read_markers.get(dossier_id, 0))

    def merge(self, other: OwnState) -> None:
        """Take `other`'s version if newer, and each dossier's furthest marker of both."""
        self.version = max(self.version, other.version)
        for dossier_id, seq in other.read_markers.items():
            self.mark_read(dossier_id, seq)


def _markers(value: object) -> dict[str, int]:
    if not isinstance(value, dict) or not isinstance(markers := value.get("read_markers"), dict):
        raise MalformedError("not an own state")
    if not all(isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0
               for seq in markers.values()):
        raise MalformedError("an own state's read markers are whole numbers")
    return dict(markers)


def seal_state(key: bytes, state: OwnState, *, organization: str, workspace: str, user_id: str,
               nonce: bytes | None = None) -> bytes:
    """`state` sealed for its owner. `nonce` is for test vectors only: leave it random."""
    plaintext = padding.pad(canonical.encode({"read_markers": state.read_markers}))
    context = _context(organization, workspace, user_id, state.version)
    return frame(VERSION, envelope.seal(key, context, plaintext, nonce=nonce))


def open_state(key: bytes, sealed: bytes, *, version: int, organization: str, workspace: str,
               user_id: str) -> OwnState:
    """Version `version` of the user's state; DecryptionError if it is not exactly that."""
    body = unframe(sealed, version=VERSION, min_body=envelope.OVERHEAD, what="own state")
    context = _context(organization, workspace, user_id, version)
    plaintext = padding.unpad(envelope.open_(key, context, body))
    return OwnState(version, _markers(canonical.decode(plaintext)))
