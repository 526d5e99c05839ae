"""Time to crypto-ready: our app page against a bare page that only loads the same Pyodide.

Cold: a fresh browser context (empty HTTP cache) per load. Warm: a reload in a context that has
loaded the page once. Loads alternate between the two pages; the medians are compared.
Target: the app within 1.3x of bare Pyodide.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import quote

from playwright.sync_api import Browser

from bench.served import BenchServer

RUNS = 5
TIMEOUT_MS = 120_000


def _time_load(page, url: str, ready_selector: str, *, reload: bool = False) -> float:
    start = time.perf_counter()
    if reload:
        page.reload()
    else:
        page.goto(url)
    page.wait_for_selector(ready_selector, timeout=TIMEOUT_MS)
    return time.perf_counter() - start


def measure(browser: Browser, served: BenchServer) -> dict[str, float]:
    pages = {
        "app": (served.url, "html[data-crypto-state=ready]"),
        "bare": (
            f"{served.url}bench/bare.html?assets={quote(served.manifest.base)}",
            "html[data-state=ready]",
        ),
    }
    samples: dict[str, list[float]] = {f"{name}_{kind}": [] for name in pages
                                        for kind in ("cold", "warm")}
    for _ in range(RUNS):
        for name, (url, selector) in pages.items():
            context = browser.new_context()
            page = context.new_page()
            samples[f"{name}_cold"].append(_time_load(page, url, selector))
            samples[f"{name}_warm"].append(_time_load(page, url, selector, reload=True))
            context.close()
    return {name: statistics.median(values) for name, values in samples.items()}


def report(result: dict[str, float]) -> list[str]:
    lines = [f"time to crypto-ready (median of {RUNS}, seconds)"]
    for kind in ("cold", "warm"):
        app, bare = result[f"app_{kind}"], result[f"bare_{kind}"]
        verdict = "meets" if app / bare <= 1.3 else "MISSES"
        lines.append(
            f"  {kind:5}: app {app:6.2f}  bare Pyodide {bare:6.2f}  ratio {app / bare:5.2f}x "
            f"({verdict} target <= 1.30x)"
        )
    return lines
