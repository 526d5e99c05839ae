"""File blocks: a file is split into blocks, each encrypted with its own random key.

This module owns block format 1 (libsodium's XChaCha20-Poly1305 envelope, BLAKE2b ids), which
files uploaded before format 2 (`webcrypto_blocks`) still use, and the manifest's reference to a
block of either format. The keys, sizes and digests of the blocks are listed in the file's
manifest (itself encrypted and signed), so the server stores only ciphertext blocks it cannot
read. A block's ciphertext is bound to its file and index: a block swapped between files or
positions, or altered in any byte, is refused, by name, before anything is shown.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from pycrypto_wasm import envelope, hashing
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import CryptoError, MalformedError, UnsupportedVersionError
from pycrypto_wasm.random import random_key

BLOCK_SIZE = 512 * 1024
FORMAT = 1
KNOWN_FORMATS = (1, 2)


class TamperedBlockError(CryptoError, ValueError):
    """A stored block is not the one the file manifest lists."""

    code = "tampered_block"


@dataclass(frozen=True)
class BlockRef:
    """What the file manifest says about one block. Format 1 references carry no `format`."""

    block_id: str
    key: bytes
    size: int
    digest: bytes
    format: int = FORMAT

    def to_value(self) -> dict[str, Any]:
        value = {"block_id": self.block_id, "key": self.key, "size": self.size,
                 "digest": self.digest}
        return value if self.format == FORMAT else {**value, "format": self.format}

    @classmethod
    def from_value(cls, value: Any) -> BlockRef:
        try:
            ref = cls(value["block_id"], value["key"], value["size"], value["digest"],
                      value.get("format", FORMAT))
        except (AttributeError, KeyError, TypeError) as error:
            raise MalformedError("not a block reference") from error
        if ref.format not in KNOWN_FORMATS:
            raise UnsupportedVersionError(f"block format {ref.format} is not known")
        return ref


def block_context(organization: str, workspace: str, file_id: str, index: int) -> Context:
    return Context(purpose="file-block", organization=organization, workspace=workspace,
                   object_id=file_id, block_index=index)


def encrypt_block(plaintext: bytes, *, organization: str, workspace: str, file_id: str,
                  index: int) -> tuple[BlockRef, bytes]:
    """Block `index` of a file, encrypted under a fresh key: (its reference, its ciphertext)."""
    key = random_key()
    ciphertext = envelope.seal(
        key, block_context(organization, workspace, file_id, index), plaintext
    )
    digest = hashing.blake2b(ciphertext)
    return BlockRef(digest.hex(), key, len(plaintext), digest), ciphertext


def decrypt_block(ref: BlockRef, ciphertext: bytes, *, organization: str, workspace: str,
                  file_id: str, index: int) -> bytes:
    """The plaintext of a stored format-1 block, checked against its reference first."""
    where = f"block {index} of file {file_id}"
    if ref.format != FORMAT:
        raise UnsupportedVersionError(f"{where} is in format {ref.format}, read by the worker")
    if not hmac.compare_digest(hashing.blake2b(ciphertext), ref.digest):
        raise TamperedBlockError(f"{where} was altered or replaced on the server")
    plaintext = envelope.open_(
        ref.key, block_context(organization, workspace, file_id, index), ciphertext
    )
    if len(plaintext) != ref.size:
        raise TamperedBlockError(f"{where} has the wrong size")
    return plaintext
