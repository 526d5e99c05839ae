"""RPC methods for sending a batch of results: check the batch (its CSV against the files
picked and the partner sites known) before anything leaves, and plan it in one space: each
result's dossier and file ids and whether the space's verified history already records them,
so that a resumed batch sends only what is missing."""

from __future__ import annotations

from collections.abc import Callable

from pycrypto_wasm.service import history as history_service
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace import results


def _files(request: Params) -> dict[str, bool]:
    files = request.get("files")
    if not isinstance(files, list):
        raise RequestError("parameter 'files' must list the files picked")
    return {params.text(dict(item), "name"): bool(dict(item).get("pdf")) for item in files}


def check_batch(_state: WorkerState, request: Params) -> Reply:
    """The batch's rows, or every problem found (then no rows)."""
    sites = request.get("sites")
    if not isinstance(sites, list) or not all(isinstance(site, str) for site in sites):
        raise RequestError("parameter 'sites' must list the partner sites' names")
    checked = results.check_batch(params.text(request, "csv"), _files(request), list(sites))
    return {"rows": [row.to_value() for row in checked.rows],
            "problems": [problem.to_value() for problem in checked.problems]}


def plan(state: WorkerState, request: Params) -> Reply:
    """For each sample of the batch in this space: its ids, and whether the history I verified
    records its dossier and its file (a dossier without its file is completed, not sent again).
    The ids' key derives from the lowest-numbered key of the space I hold."""
    workspace_id = params.text(request, "workspace_id")
    batch = params.text(request, "batch")
    samples = request.get("samples")
    if not isinstance(samples, list) or not all(isinstance(sample, str) for sample in samples):
        raise RequestError("parameter 'samples' must list the batch's sample numbers")
    keyring = state.keyring(workspace_id)
    space_key = keyring.key(min(keyring.keys))
    recorded = history_service.held(state, workspace_id).history.latest
    planned = []
    for sample in samples:
        dossier_id, file_id = results.result_ids(space_key, batch, sample)
        planned.append({"sample": sample, "dossier_id": dossier_id, "file_id": file_id,
                        "dossier_sent": dossier_id in recorded, "file_sent": file_id in recorded})
    return {"results": planned}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "results.check_batch": check_batch,
    "results.plan": plan,
}
