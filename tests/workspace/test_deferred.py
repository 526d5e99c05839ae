"""A mapping built on first use (deferred.py): a read of one key finds just that value; what
was found, and changed since, is what the whole mapping holds once it is built; a key it does
not hold reads as missing either way."""

from __future__ import annotations

from pycrypto_wasm.workspace.deferred import Deferred


def _counted() -> tuple[Deferred[str, list[int]], dict[str, int]]:
    calls = {"build": 0, "find": 0}
    source = {"a": [1], "b": [2], "c": [3]}

    def build() -> dict[str, list[int]]:
        calls["build"] += 1
        return {key: list(value) for key, value in source.items()}

    def find(key: str) -> list[int] | None:
        calls["find"] += 1
        return list(source[key]) if key in source else None

    return Deferred(build, find), calls


def test_a_read_of_one_key_builds_nothing_and_misses_read_as_missing():
    mapping, calls = _counted()
    assert mapping["a"] == [1] and mapping.get("b") == [2] and "c" in mapping
    assert mapping.get("z") is None and "z" not in mapping
    assert mapping.get("z", [0]) == [0]
    assert calls == {"build": 0, "find": 6}
    assert mapping["a"] is mapping["a"], "a value found twice is one value"
    assert calls["find"] == 6


def test_what_was_found_and_changed_stays_once_the_whole_is_built():
    mapping, calls = _counted()
    mapping["a"].append(10)
    assert len(mapping) == 3 and calls["build"] == 1
    assert mapping["a"] == [1, 10]
    mapping["d"] = [4]
    assert sorted(mapping) == ["a", "b", "c", "d"]
    del mapping["b"]
    assert "b" not in mapping and calls["build"] == 1


def test_without_a_finder_the_first_read_builds_it():
    built = Deferred(lambda: {"a": 1})
    assert built.get("a") == 1 and built.get("b") is None and "a" in built
