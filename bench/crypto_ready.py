"""Time to a usable page and to encryption ready: our app against a bare page that only loads the
same Pyodide in a module worker, and a plain static page.

Two moments of one load of the app. Usable: the first screen (the passkey sign-in) is drawn and
its button can be clicked; a click made before the crypto worker is ready runs the passkey
ceremony at once and waits for the worker only to unwrap the keys (`e2e/test_shell.py` checks
it signs in). Crypto ready: `<html data-crypto-state=ready>`, the worker's Python restored and
its self-test passed. Cold: a fresh browser context (empty HTTP cache, Cache Storage and
compiled-wasm cache) per load. Warm: a reload in a context that has loaded the page once, as on
a committee's shared workstation. Times are read in the page's own clock from the navigation (a
mutation observer added before the page's scripts). Loads alternate between the pages; the
medians are compared.
For the app, the crypto worker's own marks (`performance.mark` in web/worker/) say where a
start's time went, from the navigation.
Targets (issue 25): usable warm <= 0.8 s and cold <= 1.5 s; crypto ready is printed beside it.
"""

from __future__ import annotations

import json
import statistics
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Browser, Page, Worker

from bench.served import BenchServer

RUNS = 5
TIMEOUT_MS = 120_000
TARGETS = {"cold": 1.5, "warm": 0.8}
APP_USABLE = "#sign-in-passkey:enabled"
APP_READY = "html[data-crypto-state=ready]"
BASELINE_READY = "html[data-state=ready]"
# Notes, in the page's own clock (from the navigation), when each of these first matches; read
# after Playwright saw them (its own waiting adds tens of milliseconds, and a reload returns only
# at the load event).
SEEN = """(() => {
  const wanted = WANTED;
  const seen = {};
  globalThis.benchSeen = seen;
  const look = () => {
    for (const [name, selector] of Object.entries(wanted)) {
      if (!(name in seen) && document.querySelector(selector)) {
        seen[name] = performance.now() / 1000;
      }
    }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
  look();
})()""".replace("WANTED", json.dumps(
    {"usable": APP_USABLE, "ready": APP_READY, "baseline": BASELINE_READY}))
# The worker's marks, in the page's clock: its time origin is when the page created it.
WORKER_MARKS = """(pageOrigin) => Object.fromEntries([['worker created', 0],
  ...performance.getEntriesByType('mark').map((mark) => [mark.name, mark.startTime])]
  .map(([name, at]) => [name, (performance.timeOrigin - pageOrigin + at) / 1000]))"""
PHASES = ("worker created", "worker-evaluated", "boot-message", "snapshot-bytes",
          "python-started", "selftest-done")


def _crypto_worker(workers: list[Worker]) -> Worker | None:
    return next((worker for worker in reversed(workers) if "crypto-worker" in worker.url), None)


def _navigate(page: Page, url: str, *, reload: bool) -> None:
    if reload:
        page.reload()
    else:
        page.goto(url)


def _time_app(page: Page, url: str, *, reload: bool) -> dict[str, Any]:
    workers: list[Worker] = []

    def created(worker: Worker) -> None:
        workers.append(worker)

    page.on("worker", created)
    _navigate(page, url, reload=reload)
    page.wait_for_selector(APP_USABLE, timeout=TIMEOUT_MS)
    page.wait_for_selector(APP_READY, timeout=TIMEOUT_MS)
    seen = page.evaluate("globalThis.benchSeen")
    page.remove_listener("worker", created)
    worker = _crypto_worker(workers)
    marks = {} if worker is None else worker.evaluate(
        WORKER_MARKS, page.evaluate("performance.timeOrigin"))
    return {"usable": seen["usable"], "ready": seen["ready"], "marks": marks}


def _time_baseline(page: Page, url: str, *, reload: bool) -> float:
    _navigate(page, url, reload=reload)
    page.wait_for_selector(BASELINE_READY, timeout=TIMEOUT_MS)
    return float(page.evaluate("globalThis.benchSeen.baseline"))


def _medians(loads: list[dict[str, Any]]) -> dict[str, Any]:
    names = {name for load in loads for name in load["marks"]}
    marks = {name: statistics.median(load["marks"][name] for load in loads
                                     if name in load["marks"]) for name in sorted(names)}
    return {"usable": statistics.median(load["usable"] for load in loads),
            "ready": statistics.median(load["ready"] for load in loads), "marks": marks}


def measure(browser: Browser, served: BenchServer) -> dict[str, Any]:
    baselines = {
        "bare": f"{served.url}bench/bare.html?assets={quote(served.manifest.base)}",
        "static": f"{served.url}bench/static.html",
    }
    app: dict[str, list[dict[str, Any]]] = {"cold": [], "warm": []}
    samples: dict[str, list[float]] = {f"{name}_{kind}": [] for name in baselines
                                       for kind in ("cold", "warm")}
    for _ in range(RUNS):
        context = browser.new_context()
        context.add_init_script(SEEN)
        page = context.new_page()
        app["cold"].append(_time_app(page, served.url, reload=False))
        app["warm"].append(_time_app(page, served.url, reload=True))
        context.close()
        for name, url in baselines.items():
            context = browser.new_context()
            context.add_init_script(SEEN)
            page = context.new_page()
            samples[f"{name}_cold"].append(_time_baseline(page, url, reload=False))
            samples[f"{name}_warm"].append(_time_baseline(page, url, reload=True))
            context.close()
    return {**{f"app_{kind}": _medians(loads) for kind, loads in app.items()},
            **{name: statistics.median(values) for name, values in samples.items()}}


def _phases(marks: dict[str, float]) -> str:
    return ", ".join(f"{name} {marks[name]:.2f}" for name in PHASES if name in marks)


def _cache_reads(marks: dict[str, float]) -> str:
    """How long each asset took to come out of Cache Storage and to be hashed."""
    spans = []
    for name in marks:
        if name.startswith("cache-read "):
            asset = name.removeprefix("cache-read ")
            began = marks.get(f"cache-match-start {asset}")
            hashed = marks.get(f"cache-hashed {asset}")
            if began is not None and hashed is not None:
                spans.append(f"{asset} {marks[name] - began:.2f}+{hashed - marks[name]:.2f}")
    return ", ".join(spans)


def report(result: dict[str, Any]) -> list[str]:
    lines = [f"start of the app: usable (sign-in drawn, clickable) and crypto ready (median of "
             f"{RUNS}, seconds from the navigation)"]
    for kind, target in TARGETS.items():
        app = result[f"app_{kind}"]
        bare, static = result[f"bare_{kind}"], result[f"static_{kind}"]
        verdict = "meets" if app["usable"] <= target else "MISSES"
        lines.append(
            f"  {kind:5}: usable {app['usable']:5.2f} ({verdict} target <= {target:.1f} s)  "
            f"crypto ready {app['ready']:5.2f}  bare Pyodide {bare:5.2f} "
            f"(ready {app['ready'] / bare:4.2f}x)  static page {static:5.2f}"
        )
        lines.append(f"         worker: {_phases(app['marks'])}")
        if reads := _cache_reads(app["marks"]):
            lines.append(f"         Cache Storage read+hash: {reads}")
    return lines

