"""Encrypted file transfer against plain transfer of the same bytes, to the same server.

In the real app (bootstrapped with a virtual passkey, one workspace), a 256 MiB file on disk is
picked in a file input, then sent unencrypted (PUT in 512 KiB chunks, four in flight, to a
baseline route that stores them as blocks are stored) and fetched back the same way; then
uploaded through the crypto worker (encrypted 512 KiB blocks, the same request pattern) and
downloaded the way a user does, streamed through the downloads service worker to the browser's
download manager. The saved file must match the original. The ratio of throughputs is printed,
with Chromium's peak memory growth during each transfer over its memory when that transfer began
(proportional set size, so memory shared between its processes counts once). Much of it is
garbage the JavaScript engines have not collected yet: the plain baseline grows too.
Target: encrypted at least 70% of plain, memory growth under 256 MiB.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import Browser, Page

from api.identity.bootstrap import new_bootstrap_link
from api.storage.sqlite import SqliteStore
from bench.served import BenchServer
from e2e.harness import flows
from e2e.harness.browser import open_user_browser

SIZE = 256 * 1024 * 1024
CHUNK = 512 * 1024

PICK_FILE = """() => {
  const input = document.createElement("input");
  input.type = "file"; input.id = "bench-file"; input.hidden = true;
  document.body.append(input);
}"""

PLAIN = """
async (chunk) => {
  const file = document.querySelector('#bench-file').files[0];
  const timed = async (job) => { const start = performance.now(); await job();
    return (performance.now() - start) / 1000; };
  const parallel = async (count, job) => { let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < count) { const index = next; next += 1; await job(index); } })); };
  const chunks = Math.ceil(file.size / chunk);
  return {
    plain_upload: await timed(() => parallel(chunks, (i) => fetch(`/bench/plain/${i}`,
      { method: 'PUT', body: file.slice(i * chunk, (i + 1) * chunk) }))),
    plain_download: await timed(() => parallel(chunks, async (i) =>
      (await fetch(`/bench/plain/${i}`)).arrayBuffer())),
  };
}
"""

UPLOAD = """
async (workspaceId) => {
  const base = document.body.dataset.assetBase;
  const { cryptoClient } = await import(`${base}web/crypto-client.js`);
  const file = document.querySelector('#bench-file').files[0];
  const start = performance.now();
  await cryptoClient().upload(file, workspaceId, null, () => {}).promise;
  return (performance.now() - start) / 1000;
}
"""

DOWNLOAD = """
(count) => { const frame = document.createElement('iframe');
  frame.hidden = true; frame.src = `/bench/plain-file/${count}`; document.body.append(frame); }
"""

DOWNLOAD = """
async (workspaceId) => {
  const base = document.body.dataset.assetBase;
  const { saveDownload } = await import(`${base}web/downloads.js`);
  const listing = await (await fetch(`/api/workspaces/${workspaceId}/documents?kind=file`)).json();
  window.benchDownload = saveDownload(workspaceId, listing.documents[0], () => {});
}
"""


def _chromium_pss_kib() -> int:
    """Chromium's memory: the proportional set size of its processes (shared pages, such as
    the buffers its processes pass data through, counted once rather than once per process)."""
    total = 0
    for process in Path("/proc").glob("[0-9]*"):
        try:
            if not (process / "comm").read_text().startswith("chrom"):
                continue
            rollup = (process / "smaps_rollup").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in rollup.splitlines()
                      if line.startswith("Pss:"))
    return total


class PeakMemory:
    """Samples Chromium's memory in the background: its peak growth over the start."""

    def __init__(self) -> None:
        self.start = _chromium_pss_kib()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, _chromium_pss_kib())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_kib(self) -> int:
        return self.peak - self.start


def _random_file(folder: Path) -> Path:
    path = folder / "bench.bin"
    with path.open("wb") as file:
        for _ in range(SIZE // CHUNK):
            file.write(os.urandom(CHUNK))
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _timed_download(page: Page, script: str, argument: object) -> tuple[Path, float]:
    """Runs `script`, which starts a download; the saved file and the seconds until complete."""
    started = time.perf_counter()
    with page.expect_download(timeout=600_000) as download:
        page.evaluate(script, argument)
    saved = Path(download.value.path())
    return saved, time.perf_counter() - started


def measure(browser: Browser, served: BenchServer) -> dict:
    store = SqliteStore(served.config.database_path)
    link = new_bootstrap_link(store.identity, "Bench", served.config.public_origin)
    store.close()
    user = open_user_browser(browser)
    flows.bootstrap(user, link, flows.ADMIN)
    page = user.page
    workspace_id = flows.create_workspace(user, "Bench")
    with tempfile.TemporaryDirectory(prefix="paravent-bench-file-") as folder:
        source = _random_file(Path(folder))
        page.evaluate(PICK_FILE)
        page.set_input_files("#bench-file", source)
        with PeakMemory() as plain_memory:
            result = page.evaluate(PLAIN, CHUNK)
        with PeakMemory() as upload_memory:
            result["encrypted_upload"] = page.evaluate(UPLOAD, workspace_id)
        with PeakMemory() as download_memory:
            saved, result["encrypted_download"] = _timed_download(page, DOWNLOAD, workspace_id)
            page.evaluate("() => window.benchDownload")
        result["identical"] = _sha256(saved) == _sha256(source)
    user.close()
    return {**result, "bytes": SIZE,
            "growth_pss_kib": {"plain": plain_memory.growth_kib, "upload": upload_memory.growth_kib,
                               "download": download_memory.growth_kib}}


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
    for phase, growth_kib in result["growth_pss_kib"].items():
        growth = growth_kib / 1024
        verdict = "meets" if growth < 256 else "MISSES"
        lines.append(f"  Chromium memory growth, {phase:8}: {growth:5.0f} MiB"
                     f" ({verdict} target < 256 MiB)")
    return lines
