"""Encrypted file transfer with blocks on an S3-compatible object store (SeaweedFS on loopback)
against the same transfer with blocks in the local folder, in the same run.

Two servers, one per block store, each with its own signed-in admin and workspace; the same
64 MiB file is uploaded and downloaded through the browser as the app does (the transfer
benchmark's encrypted round), alternating between the two stores, three rounds each.
Target: S3 at least 0.8x the folder, each way.
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import Browser

from bench.served import BenchServer, bench_server
from bench.transfer_throughput import encrypted_round, random_file, sha256, signed_in_workspace
from e2e.harness.services.seaweedfs import SEAWEED_ACCESS, seaweedfs

SIZE = 64 * 1024 * 1024
ROUNDS = 3
TARGET = 0.8


def measure(browser: Browser, _served: BenchServer) -> dict:
    os.environ.update({name: os.environ.get(name, value)
                       for name, value in SEAWEED_ACCESS.items()})
    with (tempfile.TemporaryDirectory(prefix="paravent-bench-file-") as folder,
          seaweedfs() as endpoint,
          bench_server() as on_folder,
          bench_server(blocks="s3://paravent-bench", s3_endpoint=endpoint) as on_s3):
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
    return {"bytes": SIZE, "rounds": ROUNDS,
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
    return lines
