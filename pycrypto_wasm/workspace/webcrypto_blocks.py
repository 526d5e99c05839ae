"""File blocks, format 2: AES-256-GCM and SHA-256, as the browser's WebCrypto runs them natively.

Format 1 (`blocks.encrypt_block`) seals each block with libsodium.js in WebAssembly, which limits
transfers to what one thread can encrypt and hash. Format 2 keeps the same guarantees with
primitives every browser runs natively: each block has its own random 256-bit key, and is stored
as `0x02 || nonce (12) || AES-256-GCM ciphertext and tag (16)` with associated data
`associated_data_prefix(...) || block index (8 bytes, big-endian)`, which binds it to its
organization, workspace, file and position. Its id is the SHA-256 of the stored bytes, checked
before decrypting. The last block is padded with zeros so that the stored size of the whole file
is its Padmé length (or the last block is full), hiding the file's exact size.

This module owns the format's layout; the encryption itself runs in the crypto worker's
JavaScript (web/worker/block-cipher.js), checked against CPython's `cryptography` by the
cross-runtime vectors.
"""

from __future__ import annotations

from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.framing import frame
from pycrypto_wasm.workspace.blocks import BLOCK_SIZE, BlockRef

FORMAT = 2
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
DIGEST_SIZE = 32
INDEX_SIZE = 8


def associated_data_prefix(*, organization: str, workspace: str, file_id: str) -> bytes:
    """What every block of a file binds as associated data, before its index."""
    context = Context(purpose="file-block", organization=organization, workspace=workspace,
                      object_id=file_id)
    return frame(FORMAT, context.to_bytes())


def associated_data(prefix: bytes, index: int) -> bytes:
    """The associated data of block `index` of the file whose prefix is `prefix`."""
    return prefix + index.to_bytes(INDEX_SIZE, "big")


def padme(length: int) -> int:
    """Padmé (Nikitin et al., PETS 2019): `length` rounded up so that it leaks O(log log) bits."""
    if length < 2:
        return length
    exponent = length.bit_length() - 1
    low_bits = exponent - exponent.bit_length()
    mask = (1 << low_bits) - 1
    return (length + mask) & ~mask


def block_count(size: int) -> int:
    """How many blocks a file of `size` bytes has (an empty file has one, empty)."""
    return max(1, -(-size // BLOCK_SIZE))


def padded_last_block(size: int) -> int:
    """How long the last block's plaintext is once padded, for a file of `size` bytes."""
    before_last = (block_count(size) - 1) * BLOCK_SIZE
    return min(BLOCK_SIZE, padme(size) - before_last)


def padded_sizes(refs: list[BlockRef], size: int) -> list[int]:
    """The padded plaintext length of each block of a file of `size` bytes."""
    return [padded_last_block(size) if index == len(refs) - 1 else ref.size
            for index, ref in enumerate(refs)]


def block_ref(*, key: bytes, digest: bytes, size: int) -> BlockRef:
    """The manifest's reference to a format-2 block the worker encrypted with `key`."""
    if len(key) != KEY_SIZE or len(digest) != DIGEST_SIZE:
        raise MalformedError("a format-2 block needs a 32-byte key and a 32-byte SHA-256 digest")
    return BlockRef(digest.hex(), key, size, digest, FORMAT)
