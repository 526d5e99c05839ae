"""Opening a workspace, by the length of its history (issue 25, item 3): the first open verifies
and replays the whole history; the second, from the checkpoint the first one sealed, fetches
and verifies only what is new (here: the checkpoint's own head entry, nothing written since).

Measured on the client's CPython path, not in the browser: the member's crypto worker is the
same `pycrypto_wasm` service the page runs under Pyodide, driven as web/workspaces.js drives it
(`tests/member_browser.py`), talking HTTP to the production server on loopback (keep-alive
connection, session cookie). Under Pyodide the worker is slower per entry (a few times), which
scales the first open, not what the second one fetches. Histories of 100, 1,000, 10,000 and
50,000 entries: the workspace is created through the API, then the owner's comments are signed
and sealed with their real keys (log format 4, each naming the head before it) and written
straight into the server's database (50,000 POSTs would meet the per-user write limit).
Rounds alternate sizes; each first open is a browser that keeps nothing yet (a fresh worker,
unlocked and with the directory verified before the clock starts), then that browser opens it
again `REOPENS` times (their median is the round's second open).
"""

from __future__ import annotations

import http.client
import json as jsonlib
import sqlite3
import statistics
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser

from api import create_app
from bench.served import BenchServer
from pycrypto_wasm.workspace.log import entry_hash, place_entry, write_entry
from tests.api.identity.conftest import bootstrap
from tests.member_browser import MemberBrowser

SIZES = (100, 1000, 10_000, 50_000)
ROUNDS = 3
# Second opens per round (each from the checkpoint, nothing new): they take milliseconds.
REOPENS = 5
TARGET = 1.5


@dataclass
class _Reply:
    status_code: int
    json: Any


class LoopbackClient:
    """What MemberBrowser needs of a Flask test client, over one keep-alive HTTP connection to
    the served app, with the session cookie and the Origin header a browser on the page sends."""

    def __init__(self, url: str, cookie: str) -> None:
        parts = urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.address = (parts.hostname or "localhost", parts.port)
        self.connection = http.client.HTTPConnection(*self.address)
        self.cookie = cookie

    def open(self, path: str, method: str = "GET", json: Any = None) -> _Reply:
        body = None if json is None else jsonlib.dumps(json).encode()
        headers = {"Origin": self.origin, "Cookie": self.cookie}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed the idle keep-alive connection: a browser opens another.
            self.connection = http.client.HTTPConnection(*self.address)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        return _Reply(response.status, jsonlib.loads(data) if data else None)


def _owner(served: BenchServer) -> MemberBrowser:
    """The first admin of a new organization, signed in, their browser on the served app."""
    organization = bootstrap(create_app(served.config), "Bench history")
    admin = organization.admin
    cookie = "; ".join(f"{cookie.key}={cookie.value}"
                       for cookie in admin.client._cookies.values())
    return MemberBrowser(replace(admin, client=LoopbackClient(served.url, cookie)))


def _history(owner: MemberBrowser, served: BenchServer, size: int) -> str:
    """A workspace whose history holds `size` entries: its creation, then the owner's comments."""
    workspace_id = owner.create_workspace(f"Historique {size}")
    owner.open(workspace_id)
    state = owner.worker._state  # the owner's own keys, as their worker holds them
    keyring, signer = state.keyrings[workspace_id], state.identity().signing_key
    prev = entry_hash(bytes.fromhex(_first_entry(served, workspace_id)))
    rows = []
    for seq in range(2, size + 1):
        written = write_entry(keyring, signer, author=owner.user_id, head=(seq - 1, prev),
                              kind="comment", anchors={"own_state": 0},
                              content={"dossier_id": "d-bench", "text": f"Avis n° {seq}"})
        stored = place_entry(written, seq=seq, prev=prev)
        rows.append((workspace_id, seq, "comment", owner.user_id, stored, time.time()))
        prev = entry_hash(stored)
    with sqlite3.connect(served.config.data_dir / "paravent.sqlite3") as database:
        database.executemany("insert into log_entries (workspace_id, seq, kind, author_id, "
                             "entry, created_at) values (?, ?, ?, ?, ?, ?)", rows)
    return workspace_id


def _first_entry(served: BenchServer, workspace_id: str) -> str:
    with sqlite3.connect(served.config.data_dir / "paravent.sqlite3") as database:
        return bytes(database.execute("select entry from log_entries where workspace_id = ? "
                                      "and seq = 1", [workspace_id]).fetchone()[0]).hex()


def _timed_open(browser: MemberBrowser, workspace_id: str) -> tuple[float, int]:
    """Seconds to open the workspace (listing, log, verify and replay, name), and the log
    entries fetched."""
    fetched = browser.entries_fetched
    start = time.perf_counter()
    opened = browser.open(workspace_id)
    elapsed = time.perf_counter() - start
    assert opened["chain"]["verified"], opened["chain"]["problem"]
    return elapsed, browser.entries_fetched - fetched


def measure(_browser: Browser, served: BenchServer) -> dict:
    owner = _owner(served)
    built = {}
    workspaces = {}
    for size in SIZES:
        start = time.perf_counter()
        workspaces[size] = _history(owner, served, size)
        built[size] = time.perf_counter() - start
    samples: dict[int, list[dict[str, float]]] = {size: [] for size in SIZES}
    for _ in range(ROUNDS):
        for size, workspace_id in workspaces.items():
            reader = MemberBrowser(owner.person)
            reader.verify_directory = lambda: []  # verified once above; not a history cost
            first, first_fetched = _timed_open(reader, workspace_id)
            reopens = [_timed_open(reader, workspace_id) for _ in range(REOPENS)]
            samples[size].append({"first": first, "first_fetched": first_fetched,
                                  "second": statistics.median(time for time, _ in reopens),
                                  "second_fetched": max(fetched for _, fetched in reopens)})
    return {str(size): {"built_s": built[size],
                        **{name: statistics.median(run[name] for run in runs)
                           for name in ("first", "second", "first_fetched", "second_fetched")}}
            for size, runs in samples.items()}


def report(result: dict) -> list[str]:
    smallest = result[str(SIZES[0])]
    lines = [f"open a workspace by history length (CPython worker through the production "
             f"server on loopback, median of {ROUNDS} rounds of a first open and {REOPENS} "
             "second opens, seconds; entries fetched; history "
             "built in)"]
    for size in SIZES:
        times = result[str(size)]
        lines.append(
            f"  {size:6} entries ({times['built_s']:5.1f} s): first {times['first']:7.3f} "
            f"({times['first_fetched']:.0f})  "
            f"second {times['second']:6.3f} ({times['second_fetched']:.0f})  growth "
            f"first {times['first'] / smallest['first']:6.1f}x, second "
            f"{times['second'] / smallest['second']:4.2f}x of {SIZES[0]}")
    growth = result[str(SIZES[-1])]["second"] / smallest["second"]
    verdict = "meets" if growth <= TARGET else "MISSES"
    lines.append(f"  second open of {SIZES[-1]}: {growth:.2f}x that of {SIZES[0]} ({verdict} "
                 f"target <= {TARGET}x)")
    return lines
