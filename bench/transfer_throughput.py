"""Encrypted file transfer against plain transfer of the same bytes, to the same server.

In the real app (bootstrapped with a virtual passkey, one workspace), a 256 MiB file on disk is
picked in a file input. The plain baseline moves it as a server without encryption would: one
PUT of the whole file (stored in 512 KiB chunks, as blocks are stored), then one streamed
response saved by the browser's download manager. The encrypted transfers are the app's own:
uploaded through the crypto worker (encrypted 512 KiB blocks, several per request, a few
requests at once) and downloaded the way a user does (after the page has read the history that
records the upload: blocks read in streamed responses of many blocks, checked and decrypted in
the worker, handed block by block to the downloads service worker, which streams them to the
download manager). Each saved file must match the original. For reference, the plain bytes
are also sent and fetched (into memory) in 512 KiB requests, eight at once: how the app sent
and fetched blocks before it put many blocks in each request.

Throughput is the median of three alternating rounds. Memory is measured in a fourth round of
its own, with a 1 GiB file, because sampling it costs CPU the transfers compete for: Chromium's
peak memory growth during each transfer over its memory when that transfer began (proportional
set size, so memory shared between its processes counts once). Much of it is garbage the
JavaScript engines have not collected yet: the plain baseline grows too.
Targets: encrypted at least 125 MB/s up and 145 MB/s down, and at least half of plain; memory
growth under 256 MiB for the 1 GiB file.
"""

from __future__ import annotations

import hashlib
import math
import os
import statistics
import tempfile
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from playwright.sync_api import Browser, Page

from api.identity.bootstrap import new_bootstrap_link
from api.storage.sqlstore import open_store
from bench import parsec_standin, upload_breakdown
from bench.served import CHUNK, BenchServer
from e2e.harness import flows
from e2e.harness.browser import UserBrowser, open_user_browser

SIZE = 256 * 1024 * 1024
MEMORY_SIZE = 1024 * 1024 * 1024  # the file of the memory round
TARGET_MB_S = {"upload": 125, "download": 145}
TARGET_RATIO = 0.5
TARGET_PARSEC_RATIO = 1.5  # encrypted upload against the Parsec-like native upload
IN_FLIGHT = 8  # chunked requests at once, as the crypto worker sent single blocks
ROUNDS = 3

PICK_FILE = """() => {
  const input = document.createElement("input");
  input.type = "file"; input.id = "bench-file"; input.hidden = true;
  document.body.append(input);
}"""

PLAIN = """
async ([chunk, inFlight]) => {
  const file = document.querySelector('#bench-file').files[0];
  const timed = async (job) => { const start = performance.now(); await job();
    return (performance.now() - start) / 1000; };
  const parallel = async (count, job) => { let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) { const index = next; next += 1; await job(index); } })); };
  const chunks = Math.ceil(file.size / chunk);
  return {
    chunked_upload: await timed(() => parallel(chunks, (i) => fetch(`/bench/plain/${i}`,
      { method: 'PUT', body: file.slice(i * chunk, (i + 1) * chunk) }))),
    chunked_fetch: await timed(() => parallel(chunks, async (i) =>
      (await fetch(`/bench/plain/${i}`)).arrayBuffer())),
    plain_upload: await timed(async () => {
      const response = await fetch('/bench/plain/file', { method: 'PUT', body: file });
      if (!response.ok) { throw new Error(`plain upload: HTTP ${response.status}`); } }),
  };
}
"""

PLAIN_DOWNLOAD = """
([chunk]) => {
  const file = document.querySelector('#bench-file').files[0];
  const link = document.createElement('a');
  link.href = `/bench/plain/file?chunks=${Math.ceil(file.size / chunk)}&size=${file.size}`;
  link.download = 'plain.bin';
  link.click();
}
"""

UPLOAD = """
async (workspaceId) => {
  const base = document.body.dataset.assetBase;
  const { cryptoClient } = await import(`${base}web/crypto-client.js`);
  const file = document.querySelector('#bench-file').files[0];
  const start = performance.now();
  const uploaded = await cryptoClient().upload(file, workspaceId, null, () => {}).promise;
  return { seconds: (performance.now() - start) / 1000, documentId: uploaded.document_id };
}
"""

DOWNLOAD = """
async ([workspaceId, documentId]) => {
  const base = document.body.dataset.assetBase;
  const { saveDownload } = await import(`${base}web/downloads.js`);
  const { loadLog } = await import(`${base}web/log.js`);
  await loadLog(workspaceId);
  const listing = await (await fetch(`/api/workspaces/${workspaceId}/documents?kind=file`)).json();
  const uploaded = listing.documents.find((item) => item.document_id === documentId);
  await saveDownload(workspaceId, uploaded, () => {});
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


def random_file(folder: Path, size: int) -> Path:
    path = folder / f"bench-{size}.bin"
    with path.open("wb") as file:
        for _ in range(size // CHUNK):
            file.write(os.urandom(CHUNK))
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _timed_download(page: Page, script: str, argument: object) -> tuple[str, float]:
    """Runs `script`, which starts a download (and fails if the download does): the saved
    file's SHA-256 and the seconds until it was complete. The saved copy is deleted."""
    started = time.perf_counter()
    with page.expect_download(timeout=600_000) as download:
        page.evaluate(script, argument)
    saved = Path(download.value.path())
    seconds = time.perf_counter() - started
    digest = sha256(saved)
    download.value.delete()
    return digest, seconds


def _sampled(sampling: bool) -> AbstractContextManager[PeakMemory | None]:
    return PeakMemory() if sampling else nullcontext()


def _round(page: Page, workspace_id: str, expected: str, sampling: bool,
           parsec: tuple[str, Path] | None = None) -> dict:
    """One plain upload and download, the Parsec-like upload of the file at `parsec[1]` to
    `parsec[0]` (when given), then one encrypted upload and download: their seconds, whether
    the downloads matched, and (when `sampling`) each phase's memory growth."""
    memory = {}
    with _sampled(sampling) as memory["plain"]:
        result = page.evaluate(PLAIN, [CHUNK, IN_FLIGHT])
        plain_digest, plain_seconds = _timed_download(page, PLAIN_DOWNLOAD, [CHUNK])
    if parsec is not None:
        result["parsec_upload"] = parsec_standin.upload(*parsec)
    encrypted = encrypted_round(page, workspace_id, memory if sampling else None)
    return {**result, "plain_download": plain_seconds, **encrypted,
            "identical": encrypted["digest"] == plain_digest == expected,
            "growth_pss_kib": {phase: sampler.growth_kib for phase, sampler in memory.items()
                               if sampler is not None}}


def encrypted_round(page: Page, workspace_id: str, memory: dict | None = None) -> dict:
    """The picked file uploaded and downloaded as the app does: the seconds of each, the saved
    file's SHA-256; each phase's memory growth into `memory` when given."""
    with _sampled(memory is not None) as upload_memory:
        uploaded = page.evaluate(UPLOAD, workspace_id)
    with _sampled(memory is not None) as download_memory:
        digest, seconds = _timed_download(page, DOWNLOAD, [workspace_id, uploaded["documentId"]])
    if memory is not None:
        memory.update(upload=upload_memory, download=download_memory)
    return {"encrypted_upload": uploaded["seconds"], "encrypted_download": seconds,
            "digest": digest}


def signed_in_workspace(browser: Browser, served: BenchServer,
                        file: Path) -> tuple[UserBrowser, str]:
    """A new organization's admin signed in on `served`, a workspace of theirs, and `file`
    picked in the page."""
    store = open_store(served.config)
    link = new_bootstrap_link(store.identity, "Bench", served.config.public_origin)
    store.close()
    user = open_user_browser(browser)
    flows.bootstrap(user, link, flows.ADMIN)
    workspace_id = flows.create_workspace(user, "Bench")
    user.page.evaluate(PICK_FILE)
    user.page.set_input_files("#bench-file", file)
    return user, workspace_id


def measure(browser: Browser, served: BenchServer) -> dict:
    with tempfile.TemporaryDirectory(prefix="paravent-bench-file-") as folder:
        source = random_file(Path(folder), SIZE)
        expected = sha256(source)
        user, workspace_id = signed_in_workspace(browser, served, source)
        page = user.page
        timed = [_round(page, workspace_id, expected, sampling=False,
                        parsec=(served.url, source)) for _ in range(ROUNDS)]
        breakdown = upload_breakdown.measure(page, workspace_id, served.url, source)
        source.unlink()
        large = random_file(Path(folder), MEMORY_SIZE)
        page.set_input_files("#bench-file", large)
        sampled = _round(page, workspace_id, sha256(large), sampling=True)
    user.close()
    phases = ("plain_upload", "plain_download", "chunked_upload", "chunked_fetch",
              "parsec_upload", "encrypted_upload", "encrypted_download")
    return {**{phase: statistics.median(run[phase] for run in timed) for phase in phases},
            "rounds": ROUNDS, "bytes": SIZE, "memory_bytes": MEMORY_SIZE,
            "identical": all(run["identical"] for run in [*timed, sampled]),
            "growth_pss_kib": sampled["growth_pss_kib"], "breakdown": breakdown}


def report(result: dict) -> list[str]:
    mb = result["bytes"] / 1e6
    lines = [f"file transfer of {result['bytes'] // 2**20} MiB (median of {result['rounds']} "
             f"rounds, MB/s; identical after download: {result['identical']})"]
    for direction in ("upload", "download"):
        plain = mb / result[f"plain_{direction}"]
        encrypted = mb / result[f"encrypted_{direction}"]
        ratio = encrypted / plain
        fast = "meets" if encrypted >= TARGET_MB_S[direction] else "MISSES"
        near = "meets" if ratio >= TARGET_RATIO else "MISSES"
        lines.append(f"  {direction:8}: encrypted {encrypted:7.1f} ({fast} target >= "
                     f"{TARGET_MB_S[direction]})  plain {plain:7.1f}  ratio "
                     f"{math.floor(ratio * 100) / 100:5.2f} ({near} target >= {TARGET_RATIO:.2f})")
    parsec = mb / result["parsec_upload"]
    ratio = mb / result["encrypted_upload"] / parsec
    lines.append(f"  upload against the Parsec-like native client (bench/parsec_standin.py): "
                 f"{parsec:7.1f}  ratio {math.floor(ratio * 100) / 100:5.2f} ("
                 f"{'meets' if ratio >= TARGET_PARSEC_RATIO else 'MISSES'} target >= "
                 f"{TARGET_PARSEC_RATIO:.2f})")
    lines.append(f"  reference, plain in 512 KiB requests, 8 at once: upload "
                 f"{mb / result['chunked_upload']:5.1f}, download into memory (not saved) "
                 f"{mb / result['chunked_fetch']:5.1f}")
    for phase, growth_kib in result["growth_pss_kib"].items():
        growth = growth_kib / 1024
        verdict = ("baseline" if phase == "plain"
                   else "meets target < 256 MiB" if growth < 256 else "MISSES target < 256 MiB")
        lines.append(f"  Chromium memory growth, {result['memory_bytes'] // 2**20} MiB file, "
                     f"{phase:8}: {growth:5.0f} MiB ({verdict})")
    return lines + upload_breakdown.report(result["breakdown"])
