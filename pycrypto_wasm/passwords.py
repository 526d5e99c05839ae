"""Human-chosen passwords made costly to guess: one Argon2id per guess, the same everywhere.

Every format that takes a password (download links, drop links) stretches it here, with the
parameters those formats' version bytes fix: libsodium's crypto_pwhash ALG_ARGON2ID13,
opslimit 3, memlimit 64 MiB, 32 bytes out, the password as NFC-normalized UTF-8. Identical
under CPython (PyNaCl) and Pyodide (libsodium.js), checked by the cross-runtime vectors.
"""

from __future__ import annotations

import unicodedata

from pycrypto_wasm import backend

ARGON2ID_OPSLIMIT = 3
ARGON2ID_MEMLIMIT = 64 * 1024 * 1024
STRETCHED_SIZE = 32


def stretch_password(password: str, salt: bytes) -> bytes:
    """Argon2id of the password with the fixed parameters above (`salt`: 16 bytes)."""
    return backend.pwhash_argon2id(STRETCHED_SIZE,
                                   unicodedata.normalize("NFC", password).encode("utf-8"),
                                   salt, ARGON2ID_OPSLIMIT, ARGON2ID_MEMLIMIT)
