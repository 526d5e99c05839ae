"""AEAD throughput in the crypto worker: pycrypto_wasm's envelope against raw libsodium.js.

Both run in one Web Worker on 1 MiB chunks (see pages/aead-worker.js); the pycrypto_wasm side
includes the JS -> Python -> JS copies an upload pays. Target: at least 70% of raw libsodium.js.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from playwright.sync_api import Browser

from bench.served import BenchServer

TIMEOUT_MS = 300_000


def measure(browser: Browser, served: BenchServer) -> dict:
    context = browser.new_context()
    page = context.new_page()
    query = urlencode({"assets": served.manifest.base, "wheel": served.wheel, "rounds": 7})
    page.goto(f"{served.url}bench/aead.html?{query}")
    page.wait_for_selector("html[data-state=ready], html[data-state=error]", timeout=TIMEOUT_MS)
    result = json.loads(page.inner_text("#result"))
    context.close()
    if result["state"] != "ready":
        raise RuntimeError(f"AEAD benchmark failed in the browser: {result.get('error')}")
    return result


def report(result: dict) -> list[str]:
    speeds = result["mbPerSecond"]
    lines = ["AEAD XChaCha20-Poly1305 in the worker, 1 MiB chunks (median MB/s)"]
    for operation in ("encrypt", "decrypt"):
        raw, ours = speeds[f"raw_{operation}"], speeds[f"pycrypto_{operation}"]
        verdict = "meets" if ours / raw >= 0.7 else "MISSES"
        lines.append(
            f"  {operation}: pycrypto_wasm {ours:7.1f}  raw libsodium.js {raw:7.1f}  "
            f"ratio {ours / raw:5.2f} ({verdict} target >= 0.70)"
        )
    return lines
