"""Search across the user's workspaces (issue 24): the worker indexes what it decrypts for the
page, in memory only (workspace/search_index.py), and answers `search.query` while the user
types.

What is indexed comes from the replies of the methods that decrypt it, whatever view asked:
`workspace.open` (the workspace's name), `dossier.read` of the latest versions (every field of
each dossier), `file.describe` (each file's name; a deleted file leaves the index) and
`log.read` (the comments, as edited; a deleted or forged one leaves it). Nothing of it is ever
stored or sent: `keys.wipe` and a lock forget it with the keys (`WorkerState.lock`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace.search_index import Item

Method = Callable[[WorkerState, Params], Reply]
MAX_RESULTS = 50


def _text_of(fields: dict[str, Any]) -> str:
    return " ".join(str(value) for value in fields.values()
                    if isinstance(value, str | int) and not isinstance(value, bool))


def index_dossiers(state: WorkerState, workspace_id: str, reply: Reply) -> None:
    for dossier in reply.get("dossiers", []):
        key = (workspace_id, "dossier", dossier["document_id"])
        fields = dossier.get("fields")
        if not isinstance(fields, dict) or fields.get("deleted"):
            state.search.remove(key)
            continue
        state.search.add(Item("dossier", workspace_id, dossier["document_id"],
                              str(fields.get("patient_name") or ""), _text_of(fields),
                              dossier["document_id"], int(dossier.get("written_at") or 0)))


def index_files(state: WorkerState, workspace_id: str, reply: Reply) -> None:
    for described in reply.get("files", []):
        key = (workspace_id, "file", described["document_id"])
        if described.get("problem") or described.get("deleted"):
            state.search.remove(key)
            continue
        state.search.add(Item("file", workspace_id, described["document_id"],
                              str(described["name"]), "", described.get("dossier_id"),
                              int(described.get("written_at") or 0)))


def index_comments(state: WorkerState, workspace_id: str, reply: Reply) -> None:
    comments: dict[int, dict[str, Any]] = {}
    for entry in reply.get("entries", []):
        content, kind = entry["content"], entry["kind"]
        if entry.get("forged"):
            continue
        if kind == "comment":
            comments[entry["seq"]] = {**entry, "text": content.get("text", "")}
        elif kind == "comment_edit" and content.get("comment") in comments:
            comments[content["comment"]]["text"] = content.get("text", "")
        elif kind == "comment_delete":
            comments.pop(content.get("comment"), None)
    for key in [key for key in state.search.items
                if key[0] == workspace_id and key[1] == "comment"]:
        state.search.remove(key)
    for seq, comment in comments.items():
        state.search.add(Item("comment", workspace_id, str(seq),
                              str(comment["person"]["name"]), str(comment["text"]),
                              comment["content"].get("dossier_id"),
                              int(comment["content"].get("written_at") or 0)))


def _indexing(method: Method, index: Callable[[WorkerState, str, Reply], None],
              when: Callable[[Params], bool] = lambda _request: True) -> Method:
    def indexed(state: WorkerState, request: Params) -> Reply:
        reply = method(state, request)
        if when(request):
            index(state, params.text(request, "workspace_id"), reply)
        return reply
    return indexed


def _remember_name(state: WorkerState, workspace_id: str, reply: Reply) -> None:
    if isinstance(reply.get("name"), str):
        state.search_workspaces[workspace_id] = reply["name"]


def indexed(methods: dict[str, Method]) -> dict[str, Method]:
    """The methods whose replies feed the index, wrapped to feed it."""
    return {
        "workspace.open": _indexing(methods["workspace.open"], _remember_name),
        "dossier.read": _indexing(methods["dossier.read"], index_dossiers,
                                  lambda request: bool(request.get("latest"))),
        "receipts.results": _indexing(methods["receipts.results"], index_dossiers),
        "file.describe": _indexing(methods["file.describe"], index_files,
                                   lambda request: bool(request.get("latest"))),
        "log.read": _indexing(methods["log.read"], index_comments),
    }


def query(state: WorkerState, request: Params) -> Reply:
    """The items holding every word of `query` (as a word's beginning), best first."""
    state.identity()
    text = str(request.get("query") or "")[:200]
    limit = request.get("limit")
    limit = limit if isinstance(limit, int) and 0 < limit <= MAX_RESULTS else 20
    found, total = state.search.query(text, limit)
    return {"query": text, "total": total, "indexed": len(state.search.items), "results": [
        {"kind": item.kind, "workspace_id": item.workspace_id,
         "workspace_name": state.search_workspaces.get(item.workspace_id, item.workspace_id),
         "id": item.item_id, "dossier_id": item.dossier_id, "title": item.title,
         "snippet": item.text[:160]} for item in found]}


METHODS: dict[str, Method] = {"search.query": query}
