"""The crypto worker's RPC service: `CryptoService`, with one module of methods per domain."""

from pycrypto_wasm.service.core import CryptoService

__all__ = ["CryptoService"]
