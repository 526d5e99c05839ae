"""A search index over what this browser decrypted: dossiers (every field), files (their names)
and comments, across the user's workspaces. It lives in the crypto worker's memory only: never
stored, never sent; locking the worker forgets it.

Words are folded (Unicode NFKD, accents dropped, case folded) and indexed by item; a query
finds the items holding, for each of its words, a word that begins with it (so results come
while typing: "dup" finds "Dupont"). Dossiers rank before files, files before comments, and
newer before older within a kind.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import re
import unicodedata
from dataclasses import dataclass, field

KIND_RANK = {"dossier": 0, "file": 1, "comment": 2}
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """`text` without accents, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@functools.lru_cache(maxsize=1 << 16)
def _folded_word(word: str) -> str:
    return fold(word)


def words(text: str) -> set[str]:
    """The folded words of `text` (each word folded once: most words come again and again)."""
    return {_folded_word(word) for word in _WORD.findall(unicodedata.normalize("NFC", text))}


@dataclass(frozen=True)
class Item:
    """One thing a search may find, with what a result shows of it."""

    kind: str
    workspace_id: str
    item_id: str
    title: str
    text: str
    dossier_id: str | None = None
    order: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.workspace_id, self.kind, self.item_id)


@dataclass
class SearchIndex:
    items: dict[tuple[str, str, str], Item] = field(default_factory=dict)
    postings: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)
    _vocabulary: list[str] = field(default_factory=list)
    _sorted: bool = True

    def add(self, item: Item) -> None:
        """Index `item`, in place of what the index held under its key."""
        key = item.key  # one tuple, shared by every word's postings
        self.remove(key)
        self.items[key] = item
        for word in words(f"{item.title} {item.text}"):
            keys = self.postings.get(word)
            if keys is None:
                self.postings[word] = keys = set()
                self._sorted = False
            keys.add(key)

    def remove(self, key: tuple[str, str, str]) -> None:
        item = self.items.pop(key, None)
        if item is None:
            return
        for word in words(f"{item.title} {item.text}"):
            keys = self.postings.get(word)
            if keys is not None:
                keys.discard(key)

    def _words_from(self, prefix: str) -> list[str]:
        if not self._sorted:
            self._vocabulary = sorted(self.postings)
            self._sorted = True
        start = bisect.bisect_left(self._vocabulary, prefix)
        end = bisect.bisect_left(self._vocabulary, prefix + "\U0010ffff")
        return self._vocabulary[start:end]

    def query(self, text: str, limit: int = 20) -> tuple[list[Item], int]:
        """The best `limit` items holding every word of `text` (as a word's beginning), and
        how many items match in all."""
        prefixes = sorted(words(text), key=len, reverse=True)
        found: set[tuple[str, str, str]] | None = None
        for prefix in prefixes:
            matching: set[tuple[str, str, str]] = set()
            for word in self._words_from(prefix):
                matching |= self.postings[word]
            found = matching if found is None else found & matching
            if not found:
                return [], 0
        if found is None:
            return [], 0
        ranked = heapq.nsmallest(limit, (self.items[key] for key in found),
                                 key=lambda item: (KIND_RANK.get(item.kind, 9), -item.order))
        return ranked, len(found)

    def clear(self) -> None:
        self.items.clear()
        self.postings.clear()
        self._vocabulary = []
        self._sorted = True
