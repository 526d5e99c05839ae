"""Time to a usable page: our app against a bare page that only loads the same Pyodide in a
module worker, and a plain static page.

The app is usable when its crypto worker is ready and the first screen (the passkey sign-in) is
drawn. Cold: a fresh browser context (empty HTTP cache, no compiled-wasm cache) per load. Warm: a
reload in a context that has loaded the page once, as on a committee's shared workstation.
Loads alternate between the pages; the medians are compared.
Targets: warm (cached) <= 1.0 s, cold (fresh) <= 2.0 s; printed beside both baselines.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import quote

from playwright.sync_api import Browser

from bench.served import BenchServer

RUNS = 5
TIMEOUT_MS = 120_000
TARGETS = {"cold": 2.0, "warm": 1.0}
APP_USABLE = "html[data-crypto-state=ready] #sign-in-passkey"


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
        "app": (served.url, APP_USABLE),
        "bare": (
            f"{served.url}bench/bare.html?assets={quote(served.manifest.base)}",
            "html[data-state=ready]",
        ),
        "static": (f"{served.url}bench/static.html", "html[data-state=ready]"),
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
    lines = [f"time to a usable page: crypto ready and sign-in drawn (median of {RUNS}, seconds)"]
    for kind, target in TARGETS.items():
        app, bare, static = (result[f"{name}_{kind}"] for name in ("app", "bare", "static"))
        verdict = "meets" if app <= target else "MISSES"
        lines.append(
            f"  {kind:5}: app {app:5.2f}  bare Pyodide {bare:5.2f} (app {app / bare:4.2f}x)  "
            f"static page {static:5.2f}  ({verdict} target <= {target:.1f} s)"
        )
    return lines
