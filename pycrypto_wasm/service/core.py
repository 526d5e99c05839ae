"""The crypto worker's RPC surface: what the browser UI may ask of the keys the worker holds.

The worker calls `CryptoService.handle(method, params)` for every UI request. Keys never leave
this object: replies carry public keys, fingerprints, certificates, wrapped bundles, ciphertexts
and the plaintexts the UI is meant to display; the exception, block keys for the worker's own
WebCrypto (`file_blocks.WORKER_ONLY`), the worker never forwards to the page. Expected
failures come back as `{"ok": False, "error": {code, message}}`, never as exceptions, so the UI
can show them. Plain Python: the tests drive it under CPython exactly as the worker does under
Pyodide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pycrypto_wasm import __version__, backend
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.service import (
    dropbox,
    file_blocks,
    files,
    freshness,
    identity,
    invitations,
    log,
    messages,
    named_users,
    own_state,
    receipts,
    results,
    search,
    share_links,
    workspaces,
)
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState

# Known answer from draft-irtf-cfrg-xchacha-03, appendix A.3.1 (also in tests/data/vectors.json).
_KAT_KEY = bytes(range(0x80, 0xA0))
_KAT_NONCE = bytes(range(0x40, 0x58))
_KAT_AAD = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
_KAT_PLAINTEXT = (
    b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
    b"future, sunscreen would be it."
)
_KAT_CIPHERTEXT = bytes.fromhex(
    "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa644"
    "0bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e"
    "3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
    "c0875924c1c7987947deafd8780acf49"
)

Method = Callable[[WorkerState, Params], Reply]


def _status(state: WorkerState, _params: Params) -> Reply:
    return {
        "version": __version__,
        "runtime": backend.RUNTIME_NAME,
        "has_keys": state.signing_key is not None,
    }


def _selftest(state: WorkerState, _params: Params) -> Reply:
    """Known-answer check of the AEAD path, so `ready` means the crypto really works."""
    ciphertext = backend.aead_encrypt(_KAT_PLAINTEXT, _KAT_AAD, _KAT_NONCE, _KAT_KEY)
    if ciphertext != _KAT_CIPHERTEXT:
        raise CryptoError("the cryptographic self-test failed on this runtime")
    return _status(state, {})


def _wipe(state: WorkerState, _params: Params) -> Reply:
    state.lock()
    return _status(state, {})


METHODS: dict[str, Method] = {
    "status": _status,
    "selftest": _selftest,
    "keys.wipe": _wipe,
    **messages.METHODS,
    **named_users.METHODS,
    **identity.METHODS,
    **invitations.METHODS,
    **workspaces.METHODS,
    **files.METHODS,
    **dropbox.METHODS,
    **file_blocks.METHODS,
    **log.METHODS,
    **own_state.METHODS,
    **freshness.METHODS,
    **results.METHODS,
    **receipts.METHODS,
    **share_links.METHODS,
    **search.METHODS,
}
# What these methods decrypt for the page also feeds the search index (in memory only).
METHODS.update(search.indexed(METHODS))


@dataclass
class CryptoService:
    """The worker's state and the methods the UI may call on it."""

    _state: WorkerState = field(default_factory=WorkerState, repr=False)

    def handle(self, method: str, params: Params | None = None) -> Reply:
        """Run one RPC request; the reply says `ok` with a result, or not with an error."""
        handler = METHODS.get(method)
        try:
            if handler is None:
                raise RequestError(f"unknown method {method!r}")
            return {"ok": True, "result": handler(self._state, dict(params or {}))}
        except CryptoError as error:
            return {"ok": False, "error": {"code": error.code, "message": str(error)}}
