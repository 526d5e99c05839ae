"""Padmé padding: sizes keep only their top bits (at most ~12% more), pad/unpad round-trips
whatever the data ends with, and anything but the canonical padding is refused."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import MalformedError, UnsupportedVersionError
from pycrypto_wasm.padding import PaddingError, pad, padme_length, unpad


def test_padding_padme_rounds_up_by_at_most_twelve_percent_and_is_stable():
    previous = 0
    for length in range(1, 1 << 16):
        padded = padme_length(length)
        assert length <= padded <= length * 1.12
        assert padme_length(padded) == padded
        assert padded >= previous
        previous = padded


def test_padding_padme_leaves_few_size_classes():
    """Between 1 KiB and 64 KiB, a server sees about a hundred sizes instead of 63 thousand."""
    classes = {padme_length(length) for length in range(1024, 65536)}
    assert len(classes) <= 100
    assert padme_length(1000) == padme_length(1003) == 1024


@pytest.mark.parametrize("data", [b"", b"x", b"\x00\x00", b"ends with marker\x80",
                                  b"\x80\x00\x80\x00", bytes(range(256)) * 9])
def test_padding_round_trip_to_the_padme_size(data):
    padded = pad(data)
    assert len(padded) == padme_length(len(data) + 2)
    assert unpad(padded) == data


def test_padding_changed_version_is_refused():
    padded = bytearray(pad(b"dossier"))
    padded[0] = 2
    with pytest.raises(UnsupportedVersionError):
        unpad(bytes(padded))


@pytest.mark.parametrize("tamper", [
    lambda padded: padded[:-1],                       # one zero too few
    lambda padded: padded + b"\x00",                  # one zero too many
    lambda padded: padded[:-1] + b"\x01",             # a non-zero byte after the marker
    lambda padded: padded.replace(b"\x80", b"\x81"),  # no marker
    lambda padded: padded + bytes(len(padded)),       # padded to another size class
    lambda padded: padded[:1],                        # nothing but the version byte
    lambda padded: b"",
])
def test_padding_tampered_padding_is_refused(tamper):
    padded = pad(b"Mme Exemple, 12 rue des Lilas" * 5)
    with pytest.raises(PaddingError):
        unpad(tamper(padded))
    assert issubclass(PaddingError, MalformedError)
