"""One API request's round trip on the production server: on a kept-alive connection (as a
browser sends a page's requests, six connections for dozens of requests) against a new
connection per request, measured in the same run.

A response goes out in more than one write; if the server let Nagle's algorithm hold the second
one back until the client acknowledged the first (which a client delays by up to 40 ms), every
request after the first on a connection would wait that long: 44 ms per request here before the
server set TCP_NODELAY. Target: a request on a kept-alive connection costs no more than one on a
new connection (median).
"""

from __future__ import annotations

import http.client
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Browser

from bench.served import BenchServer

REQUESTS = 200
PATH = "/api/session"


def _median_ms(send: Callable[[], None]) -> float:
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        send()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(browser: Browser, served: BenchServer) -> dict:
    del browser  # the browser's connections behave as this client's kept-alive one
    address = urlsplit(served.url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    kept = http.client.HTTPConnection(host, port, timeout=10)

    def on_kept() -> None:
        kept.request("GET", PATH)
        kept.getresponse().read()

    def on_new() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        try:
            connection.request("GET", PATH)
            connection.getresponse().read()
        finally:
            connection.close()

    try:
        return {"requests": REQUESTS, "kept_alive_ms": _median_ms(on_kept),
                "new_connection_ms": _median_ms(on_new)}
    finally:
        kept.close()


def report(result: dict) -> list[str]:
    kept, new = result["kept_alive_ms"], result["new_connection_ms"]
    verdict = "meets" if kept <= new else "MISSES"
    return [f"API round trip ({PATH}, median of {result['requests']}, production server)",
            f"  kept-alive connection {kept:6.2f} ms  new connection per request {new:6.2f} ms  "
            f"ratio {kept / new:5.2f} ({verdict} target <= 1.00)"]
