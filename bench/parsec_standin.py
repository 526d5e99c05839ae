"""A Parsec-like native upload, the baseline the browser's encrypted upload is held against.

What Parsec's desktop client (3.x, Python and Rust, no browser) does per 512 KiB block of a
file, as far as the transport and the crypto go: the block encrypted with a fresh secret key
(XSalsa20-Poly1305, libsodium's secretbox), its SHA-256 taken for the file manifest, and one
`block_create` request per block, signed by the device (Ed25519 over the request body), a few
requests at once. Here in CPython with PyNaCl (libsodium), four threads, each on its own
kept-alive HTTP/1.1 connection, to the same server the browser uses: each block is POSTed to the
bench's plain block route (`bench/served.py`), which stores it as a block is stored. What this
leaves out in Parsec's favour: the server's check of the signature and its database row per
block; in its disfavour: nothing of Rust's speed (the crypto is libsodium's either way).
"""

from __future__ import annotations

import hashlib
import http.client
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from nacl.secret import SecretBox
from nacl.signing import SigningKey
from nacl.utils import random

BLOCK = 512 * 1024
CONNECTIONS = 4


def upload(url: str, path: Path) -> float:
    """Seconds to upload the file at `path` to the server at `url` as Parsec's client would."""
    parts = urlsplit(url)
    device = SigningKey.generate()
    lock = threading.Lock()
    failures: list[str] = []
    count = -(-path.stat().st_size // BLOCK)
    taken = iter(range(count))

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port)
        with path.open("rb") as file:
            while True:
                with lock:
                    index = next(taken, None)
                if index is None or failures:
                    break
                file.seek(index * BLOCK)
                cleartext = file.read(BLOCK)
                hashlib.sha256(cleartext).digest()
                sealed = SecretBox(random(SecretBox.KEY_SIZE)).encrypt(cleartext)
                signature = device.sign(sealed).signature
                connection.request("PUT", f"/bench/plain/{index}", body=bytes(sealed), headers={
                    "Content-Type": "application/msgpack", "Signature": signature.hex()})
                response = connection.getresponse()
                response.read()
                if response.status != 201:
                    failures.append(f"block {index}: HTTP {response.status}")
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"the Parsec-like upload failed: {failures[0]}")
    return time.perf_counter() - started
