"""A mapping built on first use: a checkpoint's recorded versions and deliveries (thousands in
a partner space) are decoded only when something reads them, not at every open of the space
(a history opened from its checkpoint with nothing new after it needs its members and keys,
not each result's record). A reader of a few keys (the rows a page shows) gets just those,
found one by one; iterating, counting or changing the mapping builds the whole of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class Deferred(MutableMapping[Key, Value]):
    """The dict `build` returns, called once, at the first read or write that needs all of it.
    Before that, `find(key)` (the value, or None when there is none) answers a read of one key;
    each value it found is the one the built dict then holds (a caller may have changed it)."""

    def __init__(self, build: Callable[[], dict[Key, Value]],
                 find: Callable[[Key], Value | None] | None = None) -> None:
        self._build: Callable[[], dict[Key, Value]] | None = build
        self._find = find
        self._data: dict[Key, Value] = {}

    def _mapping(self) -> dict[Key, Value]:
        if self._build is not None:
            built = self._build()
            built.update(self._data)
            self._data, self._build, self._find = built, None, None
        return self._data

    def _one(self, key: Key) -> Value | None:
        if self._find is None:
            return self._mapping().get(key)
        if key not in self._data:
            found = self._find(key)
            if found is None:
                return None
            self._data[key] = found
        return self._data[key]

    def __getitem__(self, key: Key) -> Value:
        found = self._one(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: Key, value: Value) -> None:
        self._mapping()[key] = value

    def __delitem__(self, key: Key) -> None:
        del self._mapping()[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def __contains__(self, key: object) -> bool:
        return self._one(key) is not None  # type: ignore[arg-type]

    def get(self, key: Key, default: Value | None = None) -> Value | None:  # type: ignore[override]
        found = self._one(key)
        return default if found is None else found
