"""What the crypto worker holds between requests: the unlocked keys, and exchanges in progress.

Nothing here is ever returned to the UI as such; `lock()` forgets all of it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity.certificates import RevocationCertificate, UserCertificate
from pycrypto_wasm.identity.keybundle import KeyBundle
from pycrypto_wasm.identity.sas import ClaimerExchange, GreeterExchange
from pycrypto_wasm.identity.trust import CertificateChecks, DirectoryEntry
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.service.params import NoKeysError, RequestError
from pycrypto_wasm.signing import SigningKey, VerifyKey
from pycrypto_wasm.workspace.blocks import BlockRef
from pycrypto_wasm.workspace.checkpoint import checkpoint_key
from pycrypto_wasm.workspace.freshness import Answer
from pycrypto_wasm.workspace.history import History
from pycrypto_wasm.workspace.keys import Keyring
from pycrypto_wasm.workspace.own_state import OwnState
from pycrypto_wasm.workspace.search_index import SearchIndex


class UnverifiedUserError(CryptoError):
    """Someone whose certificate this browser has not verified (or could not)."""

    code = "unverified_user"


class FreshnessUnknownError(CryptoError):
    """No evidence the server cannot forge says this browser sees the workspace's latest state
    (service/freshness.py): nothing new is sealed in it until there is, or the user goes on."""

    code = "freshness_unknown"


@dataclass
class Claim:
    """An invitee's side of an invitation: its new bundle and the SAS exchange."""

    bundle: KeyBundle
    exchange: ClaimerExchange | None = None
    confirmed: bool = False


@dataclass
class Transfer:
    """A file being uploaded or downloaded: where it belongs and its blocks' references."""

    workspace_id: str
    file_id: str
    name: str
    mime: str
    size: int
    dossier_id: str | None
    blocks: list[BlockRef | None] = field(default_factory=list, repr=False)
    # For a file filed from a drop box: where it came from (service/dropbox.py), kept in its
    # manifest so every version says it was received from outside.
    outside: dict[str, Any] | None = None
    # For a download link's file (service/share_links.py): its organization, which a recipient
    # without an account knows from the link rather than from a keyring.
    organization: str | None = None


@dataclass
class HeldHistory:
    """A workspace's verified history, and why it cannot be trusted past a point (if so)."""

    history: History
    problem: str | None = None
    broken_at: int | None = None
    length: int = 0
    # The lowest version my own state may have: what this browser remembered with the head, or
    # what my own signed entries carry.
    own_state_floor: int = 0
    # When this browser first verified the present head (its own clock).
    verified_at: int = 0
    # My checkpoint of the history at its head (workspace/checkpoint.py), when there is a new
    # one to keep.
    checkpoint: bytes | None = field(default=None, repr=False)


@dataclass
class WorkerState:
    signing_key: SigningKey | None = field(default=None, repr=False)
    encryption_key: PrivateKey | None = field(default=None, repr=False)
    bundle: KeyBundle | None = field(default=None, repr=False)
    greetings: dict[str, GreeterExchange] = field(default_factory=dict, repr=False)
    claim: Claim | None = field(default=None, repr=False)
    directory: MutableMapping[str, DirectoryEntry] = field(default_factory=dict, repr=False)
    # What the server claims of each user of the directory (to search it before checking).
    directory_claims: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    # Certificate signatures this worker checked (by signer key and hash): each is checked once.
    certificate_checks: CertificateChecks = field(default_factory=CertificateChecks, repr=False)
    keyrings: dict[str, Keyring] = field(default_factory=dict, repr=False)
    transfers: dict[str, Transfer] = field(default_factory=dict, repr=False)
    # The directory's signed certificates and revocations as verified (for audit exports).
    signed_certificates: dict[str, bytes] = field(default_factory=dict, repr=False)
    signed_revocations: dict[str, bytes] = field(default_factory=dict, repr=False)
    # Revocations found in the histories this worker verified (whatever the server lists): the
    # directory and every grant believe them too.
    learned_revocations: dict[str, bytes] = field(default_factory=dict, repr=False)
    # Per workspace: its verified history (members, keys, settings, documents, the log's head).
    histories: dict[str, HeldHistory] = field(default_factory=dict, repr=False)
    # Per workspace: my checkpoint as `directory.wanted` opened it (its seq and sealed bytes,
    # and the state it holds), for the `workspace.open` that follows with the same checkpoint
    # (service/history.py `checkpoint_of`): opened once, not twice.
    opened_checkpoints: dict[str, tuple[tuple[int, bytes], History]] = field(
        default_factory=dict, repr=False)
    # Per workspace: my own state (read markers) as far as I know it, at the highest version
    # the server showed or took this session (an older one served later is a rollback).
    own_states: dict[str, OwnState] = field(default_factory=dict, repr=False)
    # Workspaces whose latest state this worker has evidence of (a remembered head, created
    # here, a member's signed answer, or the user chose to go on), and questions asked.
    fresh: set[str] = field(default_factory=set, repr=False)
    freshness_nonces: dict[str, bytes] = field(default_factory=dict, repr=False)
    going_on: set[str] = field(default_factory=set, repr=False)
    # Per workspace: a member's signed head that contradicts what the server serves, and their
    # name; every later sync of that workspace is checked against it.
    witnessed: dict[str, tuple[Answer, str]] = field(default_factory=dict, repr=False)
    # What this worker decrypted, indexed for search (service/search.py), and the workspaces'
    # names: memory only, forgotten with the keys.
    search: SearchIndex = field(default_factory=SearchIndex, repr=False)
    search_workspaces: dict[str, str] = field(default_factory=dict, repr=False)
    # Drop boxes (service/dropbox.py): deposits this page is sending (no account needed), and
    # deposits a member's worker opened and verified, by deposit id.
    sending_deposits: dict[str, Any] = field(default_factory=dict, repr=False)
    opened_deposits: dict[str, Any] = field(default_factory=dict, repr=False)
    # Per workspace: the categories of its results this worker read or was given sealed
    # (workspace/result_categories.py), by dossier id, with the hash of the version read.
    result_categories: dict[str, dict[str, tuple[bytes, str]]] = field(
        default_factory=dict, repr=False)
    # Download links this page opened as their recipient (service/share_links.py), by link id.
    opened_links: dict[str, Any] = field(default_factory=dict, repr=False)

    # The key of my checkpoints (workspace/checkpoint.py), derived once per unlock.
    _checkpoint_key: bytes | None = field(default=None, init=False, repr=False)

    def unlock(self, bundle: KeyBundle) -> None:
        self.bundle = bundle
        self.signing_key = bundle.signing_key
        self.encryption_key = bundle.encryption_key
        self._checkpoint_key = None

    def checkpoint_key(self) -> bytes:
        """The key my checkpoints are sealed under, from my key bundle's encryption seed."""
        if self._checkpoint_key is None:
            self._checkpoint_key = checkpoint_key(self.identity().encryption_seed)
        return self._checkpoint_key

    def keys(self) -> tuple[SigningKey, PrivateKey]:
        if self.signing_key is None or self.encryption_key is None:
            raise NoKeysError("no keys are unlocked in this browser")
        return self.signing_key, self.encryption_key

    def identity(self) -> KeyBundle:
        if self.bundle is None:
            raise NoKeysError("sign in with your passkey to unlock your keys")
        return self.bundle

    def certificate_of(self, user_id: str) -> UserCertificate:
        """A member's certificate, as the verified directory knows it (`directory.verify`)."""
        entry = self.directory.get(user_id)
        if entry is None or entry.certificate is None:
            raise UnverifiedUserError(f"{user_id} has no verified certificate")
        return entry.certificate

    def display_name(self, user_id: str) -> str:
        """A user's verified name, or their id when this browser has no verified certificate."""
        entry = self.directory.get(user_id)
        return entry.certificate.display_name if entry and entry.certificate else user_id

    def revocation_of(self, user_id: str) -> RevocationCertificate | None:
        """The user's revocation, if this worker verified one from any signed source."""
        entry = self.directory.get(user_id)
        return entry.revocation if entry else None

    def learn_revocation(self, user_id: str, revocation: RevocationCertificate,
                         signed: bytes) -> bool:
        """Believe a verified revocation found in a history; whether it was news."""
        entry = self.directory.get(user_id)
        self.learned_revocations.setdefault(user_id, signed)
        if entry is None or entry.revocation is not None:
            return False
        self.directory[user_id] = DirectoryEntry(user_id, entry.certificate, entry.problem,
                                                 revocation)
        self.signed_revocations[user_id] = signed
        return True

    def verify_key_of(self, user_id: str) -> VerifyKey:
        return VerifyKey(self.certificate_of(user_id).verify_key)

    def require_fresh(self, workspace_id: str) -> None:
        if workspace_id not in self.fresh and workspace_id not in self.going_on:
            raise FreshnessUnknownError(
                f"this browser cannot confirm it sees the latest state of workspace "
                f"{workspace_id}: a member online or your passkey must confirm it first, or "
                "you go on knowingly")

    def organization_of(self, transfer: Transfer) -> str:
        """The organization a transfer's blocks are bound to."""
        return transfer.organization or self.keyring(transfer.workspace_id).organization

    def keyring(self, workspace_id: str) -> Keyring:
        ring = self.keyrings.get(workspace_id)
        if ring is None:
            raise RequestError(f"workspace {workspace_id} is not open in this browser")
        return ring

    def lock(self) -> None:
        self.directory.clear()
        self.keyrings.clear()
        self.transfers.clear()
        self.signed_certificates.clear()
        self.signed_revocations.clear()
        self.learned_revocations.clear()
        self.histories.clear()
        self.opened_checkpoints.clear()
        self.own_states.clear()
        self.opened_links.clear()
        self.fresh.clear()
        self.freshness_nonces.clear()
        self.going_on.clear()
        self.witnessed.clear()
        self.search.clear()
        self.search_workspaces.clear()
        self.result_categories.clear()
        self.sending_deposits.clear()
        self.opened_deposits.clear()
        self.signing_key = None
        self.encryption_key = None
        self._checkpoint_key = None
        self.bundle = None
        self.greetings.clear()
        self.claim = None
