"""Merging two concurrent edits of a document's fields, so that no edit is lost.

Given the version both edits started from, a field changed on one side only takes that change;
a field changed identically on both sides takes it; a field changed differently on both sides is
a true conflict: both values are kept and reported, ours in place and theirs alongside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Conflict:
    name: str
    ours: Any
    theirs: Any


@dataclass(frozen=True)
class Merge:
    fields: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)


def merge_fields(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> Merge:
    merged: dict[str, Any] = {}
    conflicts = []
    for name in sorted(set(base) | set(ours) | set(theirs)):
        was = base.get(name, _MISSING)
        mine = ours.get(name, _MISSING)
        other = theirs.get(name, _MISSING)
        if mine == other or other == was:
            chosen = mine
        elif mine == was:
            chosen = other
        else:
            conflicts.append(Conflict(name, None if mine is _MISSING else mine,
                                      None if other is _MISSING else other))
            chosen = mine if mine is not _MISSING else other
        if chosen is not _MISSING:
            merged[name] = chosen
    return Merge(merged, conflicts)
