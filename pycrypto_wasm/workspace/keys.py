"""Workspace keys: random 32-byte keys numbered by index, a new index on every member removal.

A member receives each key as an addressed message (signed by the granter, sealed to the member)
bound to the workspace and the key's index, so a server cannot hand a member a key of another
workspace. Which index is current, and a check value of each key, are announced by the
workspace's history (`history.py`): a granted key counts only if it matches the check value its
announcement carries, so neither a server nor anyone who signs a grant can slip in a key of
their own choosing, and new content is sealed under the key the history says is current, never
under whatever index is highest. A keyring holds the keys a member can read with.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from pycrypto_wasm import addressed, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError, MalformedError
from pycrypto_wasm.random import random_key
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.signing import SigningKey, VerifyKey


class SubstitutedKeyError(CryptoError, ValueError):
    """A granted key is not the one the workspace's history announced for its index."""

    code = "substituted_workspace_key"


class UnknownKeyError(CryptoError, LookupError):
    """The keyring has no key of this index: never granted to this member, or removed."""

    code = "unknown_key"


def key_check(organization: str, workspace: str, index: int, key: bytes) -> bytes:
    """A value that names key `index` of `workspace` without revealing it (BLAKE2b keyed with
    the key itself over where it belongs)."""
    return hashing.blake2b(grant_context(organization, workspace, index).to_bytes(), key=key)


def grant_context(organization: str, workspace: str, index: int) -> Context:
    return Context(purpose="workspace-key", organization=organization, workspace=workspace,
                   version=index)


def grant(granter: SigningKey, member: PublicKey, *, organization: str, workspace: str,
          index: int, key: bytes) -> bytes:
    """Key number `index` of `workspace`, for `member`, signed by `granter`."""
    return addressed.send(granter, member, grant_context(organization, workspace, index), key)


@dataclass
class Keyring:
    """The keys of one workspace that this member holds, by index."""

    organization: str
    workspace: str
    keys: dict[int, bytes] = field(default_factory=dict, repr=False)
    current: int = 0

    @classmethod
    def new(cls, organization: str, workspace: str) -> Keyring:
        return cls(organization, workspace, {0: random_key()})

    def check(self, index: int) -> bytes:
        """The check value of key `index`, for the history entry that announces it."""
        return key_check(self.organization, self.workspace, index, self.key(index))

    def key(self, index: int) -> bytes:
        try:
            return self.keys[index]
        except KeyError as error:
            raise UnknownKeyError(
                f"key {index} of workspace {self.workspace} was not granted to you"
            ) from error

    def next_key(self) -> tuple[int, bytes]:
        """A fresh key for the index after the current one (announced by a removal); it
        becomes current once the history records it."""
        index = self.current + 1
        self.keys[index] = random_key()
        return index, self.check(index)

    def accept(self, grant_message: bytes, *, index: int, granter: VerifyKey,
               recipient: PrivateKey, check: bytes) -> None:
        """Add a granted key, if it really is key `index` of this workspace from `granter` and
        the key the history announced for that index."""
        key = addressed.receive(
            recipient, granter, grant_context(self.organization, self.workspace, index),
            grant_message,
        )
        if len(key) != sizes.AEAD_KEY:
            raise MalformedError("a workspace key is 32 bytes")
        if not hmac.compare_digest(key_check(self.organization, self.workspace, index, key),
                                   check):
            raise SubstitutedKeyError(
                f"the key granted as key {index} of workspace {self.workspace} is not the key "
                "its history announced: a substituted key, refused")
        self.keys[index] = key
