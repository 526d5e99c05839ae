"""libsodium's sizes for the primitives Paravent uses, in bytes (same on every runtime)."""

from typing import Final

AEAD_KEY: Final = 32
AEAD_NONCE: Final = 24
AEAD_TAG: Final = 16

SIGN_SEED: Final = 32
SIGN_PUBLIC_KEY: Final = 32
SIGN_SECRET_KEY: Final = 64
SIGNATURE: Final = 64

BOX_SEED: Final = 32
BOX_PUBLIC_KEY: Final = 32
BOX_SECRET_KEY: Final = 32
BOX_SEAL_OVERHEAD: Final = 48

HASH: Final = 32
HASH_MIN: Final = 16
HASH_MAX: Final = 64
HASH_KEY_MIN: Final = 16
HASH_KEY_MAX: Final = 64

KDF_KEY: Final = 32
KDF_CONTEXT: Final = 8
KDF_SUBKEY_MIN: Final = 16
KDF_SUBKEY_MAX: Final = 64
PWHASH_SALT: Final = 16
PWHASH_MIN: Final = 16
PWHASH_MAX: Final = 64
# Argon2id's bounds in libsodium (opslimit 1 is allowed for Argon2id; memlimit in bytes).
PWHASH_OPSLIMIT_MIN: Final = 1
PWHASH_OPSLIMIT_MAX: Final = 2**32 - 1
PWHASH_MEMLIMIT_MIN: Final = 8192
PWHASH_MEMLIMIT_MAX: Final = 2**31

# Subkey ids cross the JavaScript bridge as numbers, which are exact up to 2**53 - 1.
KDF_SUBKEY_ID_MAX: Final = 2**53 - 1
