"""Workspace keys: random 32-byte keys numbered by index, a new index on every member removal.

A member receives each key as an addressed message (signed by the granter, sealed to the member)
bound to the workspace and the key's index, so a server cannot hand a member a key of another
workspace or pass an old key off as the newest. A keyring holds the keys a member can read with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycrypto_wasm import addressed
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError, MalformedError
from pycrypto_wasm.random import random_key
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.signing import SigningKey, VerifyKey


class UnknownKeyError(CryptoError, LookupError):
    """The keyring has no key of this index: never granted to this member, or removed."""

    code = "unknown_key"


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

    @classmethod
    def new(cls, organization: str, workspace: str) -> Keyring:
        return cls(organization, workspace, {0: random_key()})

    @property
    def newest(self) -> int:
        if not self.keys:
            raise UnknownKeyError(f"no key of workspace {self.workspace} was granted")
        return max(self.keys)

    def key(self, index: int) -> bytes:
        try:
            return self.keys[index]
        except KeyError as error:
            raise UnknownKeyError(
                f"key {index} of workspace {self.workspace} was not granted to you"
            ) from error

    def rotate(self) -> int:
        """Add a fresh key (after a member's removal); new writes use it."""
        index = self.newest + 1
        self.keys[index] = random_key()
        return index

    def accept(self, grant_message: bytes, *, index: int, granter: VerifyKey,
               recipient: PrivateKey) -> None:
        """Add a granted key, if it really is key `index` of this workspace from `granter`."""
        key = addressed.receive(
            recipient, granter, grant_context(self.organization, self.workspace, index),
            grant_message,
        )
        if len(key) != sizes.AEAD_KEY:
            raise MalformedError("a workspace key is 32 bytes")
        self.keys[index] = key
