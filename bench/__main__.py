"""`python -m bench [ready|aead|transfer|storage|members|result_batch|history_open|search|
board|round_trip]` (or `make bench`): runs benchmarks, prints ratios (`result_batch --count N`
sends N results instead of 500).

With no argument every benchmark runs, each on a server of its own (a fresh data folder: the lab
`result_batch` sets up is not in `board`'s count). Results are also written to
bench/results/latest.json.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import (
    aead_throughput,
    board,
    crypto_ready,
    history_open,
    home_members,
    result_batch,
    round_trip,
    search,
    storage_transfer,
    transfer_throughput,
)
from bench.served import bench_server
from e2e.harness.browser import launch_chromium

RESULTS = Path(__file__).resolve().parent / "results"


BENCHMARKS = {"ready": crypto_ready, "aead": aead_throughput, "transfer": transfer_throughput,
              "storage": storage_transfer, "members": home_members,
              "result_batch": result_batch, "history_open": history_open, "search": search,
              "board": board, "round_trip": round_trip}


def main(names: list[str]) -> None:
    chosen = {name: BENCHMARKS[name] for name in names or BENCHMARKS}
    results = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        machine = f"{platform.platform()}, Chromium {browser.version}"
        for name, module in chosen.items():
            with bench_server() as served:
                results[name] = module.measure(browser, served)
        browser.close()
    print(f"Paravent benchmarks on {machine}")
    for name, module in chosen.items():
        print("\n".join(module.report(results[name])))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps({"machine": machine, **results}, indent=2))


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv[1:]):
        sys.exit(__doc__)
    names = [name for name in sys.argv[1:] if not name.startswith("--") and not name.isdigit()]
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s) {sorted(unknown)}; choose from {sorted(BENCHMARKS)}")
    main(names)
