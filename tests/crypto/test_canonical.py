"""Canonical encoding: one spelling per value, refused otherwise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pycrypto_wasm import canonical
from pycrypto_wasm.exceptions import CanonicalEncodingError

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text()
    | st.binary(max_size=64)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text().filter(lambda key: not key.startswith("$")), inner, max_size=4),
    max_leaves=12,
)


@given(_values)
def test_canonical_round_trip_returns_value(value):
    assert canonical.decode(canonical.encode(value)) == value


def test_canonical_sorts_keys_and_drops_white_space():
    assert canonical.encode({"b": 1, "a": [True, None]}) == b'{"a":[true,null],"b":1}'


@pytest.mark.parametrize(
    "value", [1.5, 2**53, {"$bytes": "AA=="}, {1: "x"}, object()], ids=repr
)
def test_canonical_refuses_unencodable_values(value):
    with pytest.raises(CanonicalEncodingError):
        canonical.encode(value)


@pytest.mark.parametrize(
    "data", [b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1.0}', b"\xff", b'{"$bytes":"@@"}'], ids=repr
)
def test_canonical_refuses_non_canonical_bytes(data):
    with pytest.raises(CanonicalEncodingError):
        canonical.decode(data)
