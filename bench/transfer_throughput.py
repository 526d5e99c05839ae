"""Encrypted file transfer against plain transfer of the same bytes, to the same server.

In the real app (bootstrapped with a virtual passkey, one workspace), a 256 MiB file made in the
page is uploaded and downloaded through the crypto worker (encrypted 512 KiB blocks, four in
flight, each block checked on the way back), and the same bytes are PUT and GET unencrypted in
512 KiB chunks, four in flight, to a baseline route that stores them the same way. The ratio of
throughputs is printed, with the peak resident memory of Chromium's processes during each.
Target: encrypted at least 70% of plain, memory under 256 MiB.
"""

from __future__ import annotations

import threading
from pathlib import Path

from playwright.sync_api import Browser

from api.identity.bootstrap import new_bootstrap_link
from api.storage.sqlite import SqliteStore
from bench.served import BenchServer
from e2e.harness import flows
from e2e.harness.browser import open_user_browser

SIZE = 256 * 1024 * 1024
CHUNK = 512 * 1024

TRANSFERS = """
async ([workspaceId, size, chunk]) => {
  const base = document.body.dataset.assetBase;
  const { cryptoClient } = await import(`${base}web/crypto-client.js`);
  const data = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(data.subarray(offset, offset + 65536));
  }
  const file = new File([data], 'bench.bin', { type: 'application/octet-stream' });
  const timed = async (job) => { const start = performance.now(); await job();
    return (performance.now() - start) / 1000; };
  const parallel = async (count, job) => { let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < count) { const index = next; next += 1; await job(index); } })); };
  const chunks = Math.ceil(size / chunk);
  const result = {};
  result.plain_upload = await timed(() => parallel(chunks, (i) => fetch(`/bench/plain/${i}`,
    { method: 'PUT', body: file.slice(i * chunk, (i + 1) * chunk) })));
  result.plain_download = await timed(() => parallel(chunks, async (i) =>
    (await fetch(`/bench/plain/${i}`)).arrayBuffer()));
  result.encrypted_upload = await timed(() =>
    cryptoClient().upload(file, workspaceId, null, () => {}).promise);
  const listing = await (await fetch(`/api/workspaces/${workspaceId}/documents?kind=file`)).json();
  let blob;
  result.encrypted_download = await timed(async () => {
    ({ blob } = await cryptoClient().download(workspaceId, listing.documents[0], () => {}));
  });
  result.identical = blob.size === size;
  return result;
}
"""


def _chromium_rss_kib() -> int:
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if "chromium" in text.split("\n", 1)[0] or "\nName:\tchrom" in text:
            for line in text.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


class PeakMemory:
    """Samples Chromium's total resident memory in the background."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, _chromium_rss_kib())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(browser: Browser, served: BenchServer) -> dict:
    store = SqliteStore(served.config.database_path)
    link = new_bootstrap_link(store.identity, "Bench", served.config.public_origin)
    store.close()
    user = open_user_browser(browser)
    flows.bootstrap(user, link, flows.ADMIN)
    user.page.fill("#workspace-name", "Bench")
    user.page.click("#workspace-create")
    user.page.wait_for_selector("#workspace-title", timeout=60_000)
    workspace_id = user.page.url.rsplit("/", 1)[1]
    idle = _chromium_rss_kib()
    with PeakMemory() as memory:
        timings = user.page.evaluate(TRANSFERS, [workspace_id, SIZE, CHUNK])
    user.close()
    return {**timings, "bytes": SIZE, "idle_rss_kib": idle, "peak_rss_kib": memory.peak}


def report(result: dict) -> list[str]:
    mb = result["bytes"] / 1e6
    lines = [f"file transfer of {result['bytes'] // 2**20} MiB (MB/s; identical after "
             f"download: {result['identical']})"]
    for direction in ("upload", "download"):
        plain = mb / result[f"plain_{direction}"]
        encrypted = mb / result[f"encrypted_{direction}"]
        verdict = "meets" if encrypted / plain >= 0.7 else "MISSES"
        lines.append(f"  {direction:8}: encrypted {encrypted:7.1f}  plain {plain:7.1f}  "
                     f"ratio {encrypted / plain:5.2f} ({verdict} target >= 0.70)")
    growth = (result["peak_rss_kib"] - result["idle_rss_kib"]) / 1024
    verdict = "meets" if growth < 256 else "MISSES"
    lines.append(f"  Chromium memory growth at peak: {growth:.0f} MiB ({verdict} target < 256 MiB;"
                 f" the page itself holds the 256 MiB test file)")
    return lines
