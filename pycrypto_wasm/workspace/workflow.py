"""The committee's workflow over the log: which kinds of entry exist, which role may append
each (the server enforces the same table), what each must contain, and the state of a dossier
(status, comments, document requests, decisions and who signed them) replayed from its verified
entries. A decision is signed by the member who records it; each other participant may sign it
too (an "endorse" entry), and the workspace may require a quorum of signatures.

Status pipeline: submitted -> under_review -> information_requested -> under_review ... ->
decided (by a decision: accepted, refused or waiting_list) -> closed; reopen goes back to
under_review.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.workspace.roles import ROLES, role_rank

STATUSES = ("submitted", "under_review", "information_requested", "decided", "closed")
OUTCOMES = ("accepted", "refused", "waiting_list")

# Who may append each kind of entry, unless a workspace says otherwise.
DEFAULT_POLICY: dict[str, str] = {
    "review": "contributor",
    "comment": "contributor",
    "comment_edit": "contributor",
    "comment_delete": "contributor",
    "request": "contributor",
    "request_fulfilled": "contributor",
    "decision": "manager",
    "endorse": "contributor",
    "close": "manager",
    "reopen": "manager",
    "result_opened": "contributor",
    "result_acknowledged": "contributor",
}
KINDS = tuple(DEFAULT_POLICY)
# Kinds added after workspaces were created: a policy written before them (in a signed manifest
# or the server's clear copy) gives them their default role.
LATER_KINDS = ("result_opened", "result_acknowledged")
MAX_QUORUM = 50
# A workspace's workflow settings (in its manifest, and in clear for the server): the role each
# kind of entry needs, and how many participants must sign a decision for it to be in force.
DEFAULT_WORKFLOW: dict[str, Any] = {"policy": DEFAULT_POLICY, "quorum": 1}

# The status each kind moves a dossier to, and from which statuses it may.
MOVES: dict[str, tuple[str, tuple[str, ...]]] = {
    "review": ("under_review", ("submitted", "information_requested")),
    "request": ("information_requested", ("submitted", "under_review", "information_requested")),
    "decision": ("decided", ("under_review", "information_requested")),
    "close": ("closed", ("decided",)),
    "reopen": ("under_review", ("decided", "closed")),
}
MAX_TEXT = 20_000
MENTION = re.compile(r"@\[([^\]]{1,200})\]\((u-[0-9a-f]{8,64})\)")


def check_workflow(value: Any) -> dict[str, Any]:
    """Workflow settings, checked: a role (contributor or above) for every kind, a quorum."""
    if not isinstance(value, dict) or not isinstance(value.get("policy"), dict):
        raise MalformedError("workflow settings need a 'policy'")
    policy = {**{kind: DEFAULT_POLICY[kind] for kind in LATER_KINDS}, **value["policy"]}
    if set(policy) != set(KINDS) or any(
            role not in ROLES or role_rank(role) < role_rank("contributor")
            for role in policy.values()):
        raise MalformedError("the policy gives every kind of entry a role from contributor up")
    quorum = value.get("quorum")
    if not isinstance(quorum, int) or isinstance(quorum, bool) or not 1 <= quorum <= MAX_QUORUM:
        raise MalformedError(f"the quorum is a number of signatures from 1 to {MAX_QUORUM}")
    return {"policy": {kind: policy[kind] for kind in KINDS}, "quorum": quorum}


def may_append(role: str, kind: str, policy: dict[str, str] | None = None) -> bool:
    """Whether a member with `role` may append an entry of `kind`."""
    required = (policy or DEFAULT_POLICY).get(kind, DEFAULT_POLICY.get(kind))
    return required is not None and role in ROLES and role_rank(role) >= role_rank(required)


def _text(content: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = content.get(name, "")
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value.strip()):
        raise MalformedError(f"{name!r} must be a text of at most {MAX_TEXT} characters")
    return value


def _seq(content: dict[str, Any], name: str) -> int:
    value = content.get(name)
    if not isinstance(value, int) or value < 1:
        raise MalformedError(f"{name!r} must name an entry of the log")
    return value


def check_content(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """The content of a new entry of `kind`, checked; only the fields the kind uses."""
    if kind not in DEFAULT_POLICY:
        raise MalformedError(f"unknown kind of log entry {kind!r}")
    checked: dict[str, Any] = {"dossier_id": _text(content, "dossier_id")}
    if kind in ("comment", "comment_edit"):
        checked["text"] = _text(content, "text")
    if kind in ("comment_edit", "comment_delete"):
        checked["comment"] = _seq(content, "comment")
    if kind == "request":
        checked["what"] = _text(content, "what")
        due = _text(content, "due")
        try:
            datetime.date.fromisoformat(due)
        except ValueError as error:
            raise MalformedError("'due' must be a date (YYYY-MM-DD)") from error
        checked["due"] = due
    if kind == "endorse":
        checked["decision"] = _seq(content, "decision")
    if kind == "request_fulfilled":
        checked["request"] = _seq(content, "request")
        checked["file_id"] = _text(content, "file_id")
    if kind == "decision":
        if content.get("outcome") not in OUTCOMES:
            raise MalformedError(f"'outcome' must be one of {', '.join(OUTCOMES)}")
        checked["outcome"] = content["outcome"]
        checked["reasons"] = _text(content, "reasons")
        checked["conditions"] = _text(content, "conditions", required=False)
        participants = content.get("participants")
        if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
            raise MalformedError("'participants' must list the members who took part")
        checked["participants"] = list(participants)
    if kind in ("close", "reopen", "review"):
        checked["note"] = _text(content, "note", required=False)
    return checked


@dataclass
class Comment:
    seq: int
    author: str
    text: str
    written_at: int
    mentions: list[str]
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False


@dataclass
class DossierState:
    status: str = "submitted"
    comments: list[Comment] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    moves: list[str] = field(default_factory=lambda: moves_from("submitted"))


def moves_from(status: str) -> list[str]:
    """The kinds of entry that may move a dossier on from `status`."""
    return [kind for kind, (_target, sources) in MOVES.items() if status in sources]


def mentions(text: str) -> list[str]:
    """The user ids mentioned in a comment (written `@[Name](user-id)`)."""
    return [match.group(2) for match in MENTION.finditer(text)]


def _apply(state: DossierState, entry: dict[str, Any], today: datetime.date,
           quorum: int) -> None:
    kind, content, seq = entry["kind"], entry["content"], entry["seq"]
    move = MOVES.get(kind)
    if move is not None:
        target, sources = move
        if state.status not in sources:
            state.problems.append(f"entry {seq} moves the dossier from {state.status} "
                                  f"to {target}, which the pipeline does not allow")
        state.status = target
    if kind == "comment":
        state.comments.append(Comment(seq, entry["author"], content["text"],
                                      content["written_at"], mentions(content["text"])))
    elif kind in ("comment_edit", "comment_delete"):
        comment = next((c for c in state.comments if c.seq == content["comment"]), None)
        if comment is None or comment.author != entry["author"]:
            state.problems.append(f"entry {seq} changes a comment that is not its author's")
            return
        comment.history.append({"text": comment.text, "written_at": comment.written_at})
        comment.written_at = content["written_at"]
        if kind == "comment_delete":
            comment.deleted, comment.text = True, ""
        else:
            comment.text, comment.mentions = content["text"], mentions(content["text"])
    elif kind == "request":
        state.requests.append({"seq": seq, "author": entry["author"], "what": content["what"],
                               "due": content["due"], "fulfilled_by": None,
                               "overdue": datetime.date.fromisoformat(content["due"]) < today})
    elif kind == "request_fulfilled":
        request = next((r for r in state.requests if r["seq"] == content["request"]), None)
        if request is None:
            state.problems.append(f"entry {seq} fulfils an unknown request")
            return
        request.update(fulfilled_by={"seq": seq, "file_id": content["file_id"],
                                     "author": entry["author"]}, overdue=False)
    elif kind == "decision":
        state.decisions.append({"seq": seq, "author": entry["author"],
                                "written_at": content["written_at"], "signed_by": [entry["author"]],
                                "quorum": quorum, "in_force": quorum <= 1,
                                **{name: content[name] for name in
                                   ("outcome", "reasons", "conditions", "participants")}})
    elif kind == "endorse":
        decision = next((d for d in state.decisions if d["seq"] == content["decision"]), None)
        if decision is None or entry["author"] not in decision["participants"]:
            state.problems.append(f"entry {seq} signs a decision its author did not take part in")
            return
        if entry["author"] not in decision["signed_by"]:
            decision["signed_by"].append(entry["author"])
        decision["in_force"] = len(decision["signed_by"]) >= decision["quorum"]


def dossier_states(entries: Iterable[dict[str, Any]], today: datetime.date,
                   quorum: int = 1) -> dict[str, DossierState]:
    """Each dossier's state, replayed from opened entries ({seq, kind, author, content}); a
    decision is in force once `quorum` of its participants have signed it."""
    states: dict[str, DossierState] = {}
    for entry in entries:
        state = states.setdefault(entry["content"]["dossier_id"], DossierState())
        _apply(state, entry, today, quorum)
        state.timeline.append({"seq": entry["seq"], "kind": entry["kind"],
                               "author": entry["author"],
                               "written_at": entry["content"]["written_at"]})
        state.moves = moves_from(state.status)
    return states
