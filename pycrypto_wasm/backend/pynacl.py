"""The CPython runtime of the backend: libsodium through PyNaCl's bindings.

Called only by `pycrypto_wasm.backend`, which has already checked every length.
"""

from __future__ import annotations

import nacl
from nacl import bindings
from nacl.exceptions import BadSignatureError, CryptoError

from pycrypto_wasm.backend import sizes

RUNTIME_NAME = f"PyNaCl {nacl.__version__}"


def random_bytes(size: int) -> bytes:
    return bindings.randombytes(size)


def aead_encrypt(message: bytes, aad: bytes, nonce: bytes, key: bytes) -> bytes:
    return bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(message, aad, nonce, key)


def aead_decrypt(ciphertext: bytes, aad: bytes, nonce: bytes, key: bytes) -> bytes | None:
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, aad, nonce, key)
    except CryptoError:
        return None


def sign_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    return bindings.crypto_sign_seed_keypair(seed)


def sign_detached(message: bytes, secret_key: bytes) -> bytes:
    return bindings.crypto_sign(message, secret_key)[: sizes.SIGNATURE]


def sign_verify_detached(signature: bytes, message: bytes, public_key: bytes) -> bool:
    try:
        bindings.crypto_sign_open(signature + message, public_key)
    except BadSignatureError:
        return False
    return True


def box_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    return bindings.crypto_box_seed_keypair(seed)


def box_seal(message: bytes, public_key: bytes) -> bytes:
    return bindings.crypto_box_seal(message, public_key)


def box_seal_open(ciphertext: bytes, public_key: bytes, secret_key: bytes) -> bytes | None:
    try:
        return bindings.crypto_box_seal_open(ciphertext, public_key, secret_key)
    except CryptoError:
        return None


def generichash(message: bytes, key: bytes | None, size: int) -> bytes:
    return bindings.crypto_generichash_blake2b_salt_personal(
        message, digest_size=size, key=key or b""
    )


def kdf_derive_from_key(size: int, subkey_id: int, context: bytes, key: bytes) -> bytes:
    # PyNaCl has no crypto_kdf binding; libsodium's crypto_kdf_blake2b_derive_from_key is exactly
    # keyed BLAKE2b of the empty message, salt = little-endian subkey id, personal = context.
    salt = subkey_id.to_bytes(8, "little") + bytes(8)
    personal = context + bytes(8)
    return bindings.crypto_generichash_blake2b_salt_personal(
        b"", digest_size=size, key=key, salt=salt, person=personal
    )


def pwhash_argon2id(size: int, password: bytes, salt: bytes, opslimit: int,
                    memlimit: int) -> bytes:
    return bindings.crypto_pwhash_alg(size, password, salt, opslimit, memlimit,
                                      bindings.crypto_pwhash_ALG_ARGON2ID13)
