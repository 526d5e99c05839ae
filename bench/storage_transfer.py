"""Encrypted file transfer with blocks on an S3-compatible object store (SeaweedFS on loopback)
against the same transfer with blocks in the local folder, in the same run.

Two servers, one per block store, each with its own signed-in admin and workspace; the same
64 MiB file is uploaded and downloaded through the browser as the app does (the transfer
benchmark's encrypted round), alternating between the two stores, three rounds each.
Target: S3 at least 0.8x the folder, each way.

Then each block store alone, called from this process as the server calls it (no browser, no
HTTP server): 128 blocks of 512 KiB written then read, four at once, with the CPU the caller and
SeaweedFS spent per block: what an object store costs a download or an upload on these cores.
"""

from __future__ import annotations

import hashlib
import math
import os
import statistics
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from api.storage.blocks import BlockStore
from api.storage.blocks.folder import FolderBlockStore
from api.storage.blocks.s3 import S3BlockStore
from bench.cpu_usage import CLIENT, cpu_usage
from bench.served import BenchServer, bench_server
from bench.transfer_throughput import encrypted_round, random_file, sha256, signed_in_workspace
from e2e.harness.services.seaweedfs import SEAWEED_ACCESS, SeaweedFS, seaweedfs_service

SIZE = 64 * 1024 * 1024
ROUNDS = 3
TARGET = 0.8
ALONE_BLOCKS = 128
BLOCK = 512 * 1024
AT_ONCE = 4


def _store_alone(store: BlockStore, service: SeaweedFS | None) -> dict[str, float]:
    """MB/s of `ALONE_BLOCKS` puts then gets, `AT_ONCE` at a time, and the CPU milliseconds per
    block of this process (the caller: the server's part) and of SeaweedFS."""
    blocks = [bytes([2]) + os.urandom(BLOCK - 1) for _ in range(ALONE_BLOCKS)]
    named = [(hashlib.sha256(data).hexdigest(), data) for data in blocks]
    parts = {"seaweedfs": lambda: [service.process.pid]} if service and service.process else {}
    result: dict[str, float] = {}
    calls: dict[str, Any] = {"put": lambda item: store.put("alone", *item),
                             "get": lambda item: store.get("alone", item[0])}
    with ThreadPoolExecutor(AT_ONCE) as pool:
        for name, call in calls.items():
            with cpu_usage(parts) as usage:
                list(pool.map(call, named))
            per_block = usage.per(ALONE_BLOCKS)
            result[f"{name}_mb_per_s"] = ALONE_BLOCKS * BLOCK / 1e6 / usage.wall_seconds
            result[f"{name}_caller_cpu_ms"] = per_block[CLIENT]
            result[f"{name}_seaweedfs_cpu_ms"] = per_block.get("seaweedfs", 0.0)
    return result


def measure(browser: Browser, _served: BenchServer) -> dict:
    os.environ.update({name: os.environ.get(name, value)
                       for name, value in SEAWEED_ACCESS.items()})
    with (tempfile.TemporaryDirectory(prefix="paravent-bench-file-") as folder,
          seaweedfs_service() as service,
          bench_server() as on_folder,
          bench_server(blocks="s3://paravent-bench", s3_endpoint=service.endpoint) as on_s3):
        source = random_file(Path(folder), SIZE)
        expected = sha256(source)
        sessions = {name: signed_in_workspace(browser, served, source)
                    for name, served in (("folder", on_folder), ("s3", on_s3))}
        runs: dict[str, list[dict]] = {name: [] for name in sessions}
        for _ in range(ROUNDS):
            for name, (user, workspace_id) in sessions.items():
                runs[name].append(encrypted_round(user.page, workspace_id))
        for user, _ in sessions.values():
            user.close()
        s3 = S3BlockStore("s3://paravent-alone", endpoint=service.endpoint,
                          access_key_id=SEAWEED_ACCESS["AWS_ACCESS_KEY_ID"],
                          secret_access_key=SEAWEED_ACCESS["AWS_SECRET_ACCESS_KEY"],
                          region=SEAWEED_ACCESS["AWS_DEFAULT_REGION"])
        s3.prepare()
        in_folder = FolderBlockStore(Path(folder) / "alone", block_bytes=2 * BLOCK)
        in_folder.prepare()
        alone = {"s3": _store_alone(s3, service), "folder": _store_alone(in_folder, None)}
    return {"bytes": SIZE, "rounds": ROUNDS, "alone": alone,
            "identical": all(run["digest"] == expected for each in runs.values() for run in each),
            **{f"{name}_{direction}": statistics.median(run[f"encrypted_{direction}"]
                                                        for run in each)
               for name, each in runs.items() for direction in ("upload", "download")}}


def report(result: dict) -> list[str]:
    mb = result["bytes"] / 1e6
    lines = [f"encrypted transfer of {result['bytes'] // 2**20} MiB, blocks on SeaweedFS (S3) "
             f"vs the local folder (median of {result['rounds']} rounds, MB/s; identical after "
             f"download: {result['identical']})"]
    for direction in ("upload", "download"):
        folder = mb / result[f"folder_{direction}"]
        s3 = mb / result[f"s3_{direction}"]
        ratio = s3 / folder
        verdict = "meets" if ratio >= TARGET else "MISSES"
        lines.append(f"  {direction:8}: S3 {s3:7.1f}  folder {folder:7.1f}  ratio "
                     f"{math.floor(ratio * 100) / 100:5.2f} ({verdict} target >= {TARGET:.2f})")
    lines.append(f"  each store alone ({ALONE_BLOCKS} blocks of {BLOCK // 1024} KiB, {AT_ONCE} "
                 "at once, no browser; CPU ms per block: the caller, as the server / SeaweedFS):")
    for name, alone in result["alone"].items():
        lines.append("    " + f"{name:6}: " + ", ".join(
            f"{call} {alone[f'{call}_mb_per_s']:6.1f} MB/s (CPU "
            f"{alone[f'{call}_caller_cpu_ms']:.2f} / {alone[f'{call}_seaweedfs_cpu_ms']:.2f})"
            for call in ("put", "get")))
    return lines
