"""Where an encrypted upload's time goes: each step of it alone, with the CPU it costs.

On the page of the `transfer` bench (the file picked, the user signed in), each step runs over the
first `BLOCKS` 512 KiB blocks of the file, alone, and is timed with the CPU seconds Chromium's
processes (this run's browser only) and the server process spent on it, per block:

- `plain`: the bytes PUT in one request (the baseline: the server stores them as blocks);
- `read`: the file's stream cut into blocks, nothing else (web/worker/byte-reader.js);
- `seal`: read and encrypted as the worker does (web/worker/block-cipher.js, 28 at once);
- `post NxM`: random blocks framed as an upload frames them, sent in Blob bodies of N blocks,
  M at once, to a route that reads the body and drops it: what the request path costs, with
  no store; 16x2 is what web/worker/transfers.js sends, 8x3 what it sent before;
- `route`: the 16x2 bodies, of blocks named by their SHA-256, to the app's block upload route
  (checked, stored and recorded, rate limit and quota included);
- `app`: the app's whole upload through the crypto worker (as the `transfer` bench's rounds);
- `parsec`: the Parsec-like native upload (bench/parsec_standin.py), the bench's CPU as client.
The steps run on a machine that also runs the server and the browser: CPU per block, not wall
time, is what adds up; the sum over the steps of an upload says where the cores went.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from bench import parsec_standin
from bench.cpu_usage import CLIENT, _descendants, cpu_usage

BLOCKS = 256
BLOCK = 512 * 1024
# Step -> (blocks per request, requests at once) of the steps that send Blob bodies.
POSTED = {"post 8x3": (8, 3), "post 16x2": (16, 2), "route": (16, 2)}
STEPS = ("plain", "read", "seal", "post 8x3", "post 16x2", "route", "app", "parsec")

INSTALL = """
async ([blocks]) => {
  const base = document.body.dataset.assetBase;
  const { sealBlock } = await import(`${base}web/worker/block-cipher.js`);
  const { blocksOf } = await import(`${base}web/worker/byte-reader.js`);
  const { cryptoClient } = await import(`${base}web/crypto-client.js`);
  const BLOCK = 512 * 1024;
  const picked = () => document.querySelector('#bench-file').files[0].slice(0, blocks * BLOCK);
  const pool = async (count, width, job) => { let next = 0;
    await Promise.all(Array.from({ length: width }, async () => {
      while (next < count) { const index = next; next += 1; await job(index); } })); };
  const random = (size) => { const bytes = new Uint8Array(size);
    for (let at = 0; at < size; at += 65536) {
      crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536))); }
    return bytes; };
  let framed = [];
  const post = async (url, parts) => {
    const response = await fetch(url, { method: 'POST', body: new Blob(parts),
      headers: { 'Content-Type': 'application/octet-stream' } });
    if (!response.ok) { throw new Error(`${url}: HTTP ${response.status}`); } };
  const posted = (url, [perRequest, inFlight]) => pool(Math.ceil(framed.length / perRequest),
    inFlight, (request) =>
      post(url, framed.slice(request * perRequest, (request + 1) * perRequest).flat()));
  window.uploadStepPrepare = async () => {
    framed = [];
    for (let index = 0; index < blocks; index += 1) {
      const stored = random(BLOCK + 29);
      stored[0] = 2;
      const header = new Uint8Array(36);
      header.set(new Uint8Array(await crypto.subtle.digest('SHA-256', stored)));
      new DataView(header.buffer).setUint32(32, stored.length);
      framed.push([header, stored]);
    }
  };
  window.uploadStep = async (step, workspaceId, sending) => {
    const start = performance.now();
    if (step === 'plain') {
      const response = await fetch('/bench/plain/file', { method: 'PUT', body: picked() });
      if (!response.ok) { throw new Error(`plain: HTTP ${response.status}`); }
    } else if (step === 'read') {
      for await (const block of blocksOf(picked(), BLOCK)) { block.length; }
    } else if (step === 'seal') {
      const reader = blocksOf(picked(), BLOCK);
      await pool(blocks, 28, async (index) => { const { value } = await reader.next();
        await sealBlock(value, { prefix: new Uint8Array(40), index, paddedSize: value.length });
      });
    } else if (step === 'route') {
      await posted(`/api/workspaces/${workspaceId}/blocks`, sending);
    } else if (step.startsWith('post')) {
      await posted('/bench/discard', sending);
    } else if (step === 'app') {
      const file = new File([picked()], 'breakdown.bin');
      await cryptoClient().upload(file, workspaceId, null, () => {}).promise;
    }
    framed = [];
    return (performance.now() - start) / 1000;
  };
}
"""


def _descendants_named(test: Callable[[Path], bool]) -> list[int]:
    """This process's descendants (the browser, the server) for which `test` holds."""
    found = []
    for pid in _descendants(os.getpid()):
        try:
            if test(Path(f"/proc/{pid}")):
                found.append(pid)
        except OSError:
            continue
    return found


def _chromium() -> list[int]:
    return _descendants_named(lambda proc: (proc / "comm").read_text().startswith("chrom"))


def _server() -> list[int]:
    return _descendants_named(lambda proc: b"bench.served" in (proc / "cmdline").read_bytes())


def measure(page: Page, workspace_id: str, url: str, file: Path) -> dict:
    """Each step's seconds and CPU milliseconds per block (Chromium, server, this process)."""
    page.evaluate(INSTALL, [BLOCKS])
    head = file.with_name("breakdown-head.bin")
    with file.open("rb") as source, head.open("wb") as copy:
        copy.write(source.read(BLOCKS * BLOCK))
    steps = {}
    for step in STEPS:
        if step in POSTED:
            page.evaluate("() => window.uploadStepPrepare()")
        with cpu_usage({"chromium": _chromium, "server": _server}) as cpu:
            if step == "parsec":
                seconds = parsec_standin.upload(url, head)
            else:
                seconds = page.evaluate(
                    "([step, id, sending]) => window.uploadStep(step, id, sending)",
                    [step, workspace_id, POSTED.get(step)])
        steps[step] = {"seconds": seconds, "cpu_ms_per_block": cpu.per(BLOCKS),
                       "cores_busy": cpu.cores_busy}
    head.unlink()
    return {"blocks": BLOCKS, "steps": steps, "load": os.getloadavg()}


def report(result: dict) -> list[str]:
    mb = result["blocks"] * BLOCK / 1e6
    lines = [f"  where an upload's time goes ({result['blocks']} blocks of 512 KiB, each step "
             f"alone; CPU ms per block; load average {result['load'][0]:.1f}):"]
    for step, figures in result["steps"].items():
        cpu = figures["cpu_ms_per_block"]
        lines.append(f"    {step:9}: {mb / figures['seconds']:6.1f} MB/s  chromium "
                     f"{cpu['chromium']:5.2f}  server {cpu['server']:5.2f}  bench "
                     f"{cpu[CLIENT]:5.2f}  (machine {figures['cores_busy']:.2f} cores busy)")
    return lines
