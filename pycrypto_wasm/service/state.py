"""What the crypto worker holds between requests: the unlocked keys, and exchanges in progress.

Nothing here is ever returned to the UI as such; `lock()` forgets all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycrypto_wasm.identity.keybundle import KeyBundle
from pycrypto_wasm.identity.sas import ClaimerExchange, GreeterExchange
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.service.params import NoKeysError
from pycrypto_wasm.signing import SigningKey


@dataclass
class Claim:
    """An invitee's side of an invitation: its new bundle and the SAS exchange."""

    bundle: KeyBundle
    exchange: ClaimerExchange | None = None
    confirmed: bool = False


@dataclass
class WorkerState:
    signing_key: SigningKey | None = field(default=None, repr=False)
    encryption_key: PrivateKey | None = field(default=None, repr=False)
    bundle: KeyBundle | None = field(default=None, repr=False)
    greetings: dict[str, GreeterExchange] = field(default_factory=dict, repr=False)
    claim: Claim | None = field(default=None, repr=False)

    def unlock(self, bundle: KeyBundle) -> None:
        self.bundle = bundle
        self.signing_key = bundle.signing_key
        self.encryption_key = bundle.encryption_key

    def keys(self) -> tuple[SigningKey, PrivateKey]:
        if self.signing_key is None or self.encryption_key is None:
            raise NoKeysError("no keys are unlocked in this browser")
        return self.signing_key, self.encryption_key

    def identity(self) -> KeyBundle:
        if self.bundle is None:
            raise NoKeysError("sign in with your passkey to unlock your keys")
        return self.bundle

    def lock(self) -> None:
        self.signing_key = None
        self.encryption_key = None
        self.bundle = None
        self.greetings.clear()
        self.claim = None
