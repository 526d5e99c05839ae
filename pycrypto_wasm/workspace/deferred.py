"""A mapping built on first use: a checkpoint's recorded versions and deliveries (thousands in
a partner space) are decoded only when something reads them, not at every open of the space
(a history opened from its checkpoint with nothing new after it needs its members and keys,
not each result's record)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class Deferred(MutableMapping[Key, Value]):
    """The dict `build` returns, called once, at the first read or write."""

    def __init__(self, build: Callable[[], dict[Key, Value]]) -> None:
        self._build: Callable[[], dict[Key, Value]] | None = build
        self._data: dict[Key, Value] = {}

    def _mapping(self) -> dict[Key, Value]:
        if self._build is not None:
            self._data, self._build = self._build(), None
        return self._data

    def __getitem__(self, key: Key) -> Value:
        return self._mapping()[key]

    def __setitem__(self, key: Key, value: Value) -> None:
        self._mapping()[key] = value

    def __delitem__(self, key: Key) -> None:
        del self._mapping()[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def __contains__(self, key: object) -> bool:
        return key in self._mapping()

    def get(self, key: Key, default: Value | None = None) -> Value | None:  # type: ignore[override]
        return self._mapping().get(key, default)
