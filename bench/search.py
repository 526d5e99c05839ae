"""Search while typing (issue 24): 2,000 dossiers and 20,000 comments across 20 workspaces,
indexed by the crypto worker's search index (pycrypto_wasm/service/search.py, fed with the
replies `dossier.read` and `log.read` give the page), then a patient's name typed one key at a
time: the time from each keystroke to its results, the index's build time and its memory.

Measured on the worker's CPython path (the same code the page runs under Pyodide, which is a few
times slower per operation); the replies are generated here, not decrypted from a server, since
what is measured is the index.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc

from playwright.sync_api import Browser

from bench.served import BenchServer
from pycrypto_wasm.service.search import index_comments, index_dossiers
from pycrypto_wasm.service.state import WorkerState

WORKSPACES = 20
DOSSIERS = 2000
COMMENTS = 20_000
TYPED = "Hélène Dupont"
TARGET_MS = 100.0
FIRST = ("Jeanne", "Paul", "Hélène", "Marc", "Louise", "Ahmed", "Chloé", "Nguyen", "Sofia", "Yves")
LAST = ("Martin", "Bernard", "Durand", "Lefèvre", "Moreau", "Garcia", "Roux", "Fournier", "Girard",
        "Bonnet", "Dupuis", "Lambert", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez")
WORDS = ("bilan", "avis", "favorable", "cardiologique", "gériatrique", "admission", "SSR", "retour",
         "domicile", "kinésithérapie", "traitement", "anticoagulant", "chute", "fracture", "col",
         "fémur", "rééducation", "nutrition", "escarres", "consentement", "famille", "aidant")


def _replies(rng: random.Random) -> dict[str, tuple[dict, dict]]:
    """Per workspace, what `dossier.read` and `log.read` reply to the page."""
    replies = {}
    per_workspace = DOSSIERS // WORKSPACES
    for index in range(WORKSPACES):
        dossiers = [{"document_id": f"d-{index:02d}-{number:04d}", "written_at": number,
                     "fields": {"patient_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                "birth_date": f"19{rng.randint(20, 99)}-0{rng.randint(1, 9)}-1"
                                              f"{rng.randint(0, 9)}",
                                "referring_site": rng.choice(("Nord", "Sud", "Est")),
                                "requested_unit": rng.choice(("SSR", "USLD", "EHPAD")),
                                "urgency": rng.choice(("low", "normal", "high")),
                                "summary": " ".join(rng.choices(WORDS, k=12))}}
                    for number in range(per_workspace)]
        entries = [{"seq": seq, "kind": "comment", "forged": None,
                    "person": {"name": f"Dr {rng.choice(LAST)}"},
                    "content": {"dossier_id": rng.choice(dossiers)["document_id"],
                                "text": " ".join(rng.choices(WORDS, k=15)), "written_at": seq}}
                   for seq in range(1, COMMENTS // WORKSPACES + 1)]
        replies[f"w-{index:02d}"] = ({"dossiers": dossiers}, {"entries": entries})
    replies["w-00"][0]["dossiers"][7]["fields"]["patient_name"] = "Mme Hélène Dupont"
    return replies


def _indexed(replies: dict[str, tuple[dict, dict]]) -> WorkerState:
    state = WorkerState()
    for workspace_id, (dossiers, log) in replies.items():
        index_dossiers(state, workspace_id, dossiers)
        index_comments(state, workspace_id, log)
    state.search.query("x")  # the first query sorts the vocabulary: part of the build
    return state


def measure(_browser: Browser, _served: BenchServer) -> dict:
    replies = _replies(random.Random(24))
    start = time.perf_counter()
    state = _indexed(replies)
    built = time.perf_counter() - start
    tracemalloc.start()  # a second build, traced (tracing slows it)
    traced = _indexed(replies)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del traced
    keystrokes = []
    for length in range(1, len(TYPED) + 1):
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            found, total = state.search.query(TYPED[:length], 20)
            runs.append(time.perf_counter() - start)
        keystrokes.append({"typed": TYPED[:length], "ms": statistics.median(runs) * 1000,
                           "total": total, "first": found[0].title if found else None})
    return {"items": len(state.search.items), "words": len(state.search.postings),
            "build_s": built, "memory_mib": memory / 2**20, "keystrokes": keystrokes}


def report(result: dict) -> list[str]:
    slowest = max(stroke["ms"] for stroke in result["keystrokes"])
    lines = [f"search while typing (worker's CPython path): {result['items']} items "
             f"({DOSSIERS} dossiers, {COMMENTS} comments, {WORKSPACES} workspaces), "
             f"{result['words']} words; index built in {result['build_s']:.2f} s, "
             f"{result['memory_mib']:.1f} MiB"]
    for stroke in result["keystrokes"]:
        lines.append(f"  {stroke['typed']!r:18} {stroke['ms']:7.2f} ms  {stroke['total']:6} "
                     f"found, first: {stroke['first']}")
    verdict = "meets" if slowest <= TARGET_MS else "MISSES"
    lines.append(f"  slowest keystroke {slowest:.1f} ms ({verdict} target <= {TARGET_MS:.0f} ms)")
    return lines
