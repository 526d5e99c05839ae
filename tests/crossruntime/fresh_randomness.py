"""Run by tests/crossruntime/test_snapshot.py under Pyodide: random bytes from the runtime."""

from __future__ import annotations

import json
import os

from pycrypto_wasm.random import random_bytes


def main(_input: str) -> str:
    return json.dumps({"random_bytes": random_bytes(16).hex(), "urandom": os.urandom(16).hex()})
