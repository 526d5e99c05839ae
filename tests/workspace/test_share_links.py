"""Download link formats under CPython: the fragment, the password and the link's id all go
into the keys, so a wrong password, a damaged fragment or another link's parts open nothing,
and each refusal is named."""

from __future__ import annotations

import pytest

from pycrypto_wasm.exceptions import DecryptionError, UnsupportedVersionError
from pycrypto_wasm.workspace import share_links
from pycrypto_wasm.workspace.share_links import LinkPayload, WrongLinkError

LINK = "l-0123456789abcdef01234567"
OTHER = "l-fedcba9876543210fedcba98"
PAYLOAD = LinkPayload("Pour le Dr Martin", "preview_only", "o-1", "w-1", [])


def _made(password: str | None = "Crème brûlée"):
    return share_links.new_link(LINK, PAYLOAD, password)


def _open(made, password: str | None = "Crème brûlée", link_id: str = LINK) -> LinkPayload:
    keys = share_links.recipient_keys(link_id, made.fragment, made.password_header, password)
    link_key = share_links.open_key_box(keys.wrapping_key, link_id, made.key_box)
    return share_links.open_payload(link_key, link_id, made.payload)


def test_the_right_password_opens_the_link_and_its_proof_matches_the_verifier():
    made = _made()
    assert _open(made) == PAYLOAD
    keys = share_links.recipient_keys(LINK, made.fragment, made.password_header, "Crème brûlée")
    assert share_links.verifier_of(keys.proof) == made.verifier
    assert keys.proof != keys.wrapping_key


def test_the_password_is_normalized_before_it_is_stretched():
    decomposed = "Cre\u0300me bru\u0302le\u0301e"
    assert _open(_made(), decomposed) == PAYLOAD


@pytest.mark.parametrize("password", ["crème brûlée", "", None])
def test_a_wrong_password_gives_another_proof_and_opens_nothing(password):
    made = _made()
    keys = share_links.recipient_keys(LINK, made.fragment, made.password_header, password)
    assert share_links.verifier_of(keys.proof) != made.verifier
    with pytest.raises(DecryptionError):
        share_links.open_key_box(keys.wrapping_key, LINK, made.key_box)


def test_a_link_without_password_needs_its_fragment():
    made = _made(None)
    assert made.password_header is None and _open(made, None) == PAYLOAD
    other = share_links.LinkSecret.new(has_password=False).to_bytes()
    keys = share_links.recipient_keys(LINK, other, None, None)
    assert share_links.verifier_of(keys.proof) != made.verifier


def test_parts_of_one_link_do_not_open_under_another_id():
    with pytest.raises(DecryptionError):
        _open(_made(), link_id=OTHER)


def test_a_damaged_fragment_or_a_mismatched_password_flag_is_refused_by_name():
    made = _made()
    with pytest.raises(WrongLinkError, match="truncated"):
        share_links.LinkSecret.from_bytes(made.fragment[:-1])
    with pytest.raises(UnsupportedVersionError):
        share_links.LinkSecret.from_bytes(b"\x02" + made.fragment[1:])
    with pytest.raises(WrongLinkError, match="disagree"):
        share_links.recipient_keys(LINK, made.fragment, None, None)


def test_the_sharer_copy_opens_only_in_its_workspace():
    made = _made()
    copy = share_links.SharerCopy(made.fragment, made.link_key, PAYLOAD.label, ["cr.pdf"])
    sealed = share_links.seal_sharer_copy(bytes(32), organization="o-1", workspace="w-1",
                                          link_id=LINK, copy=copy)
    assert share_links.open_sharer_copy(bytes(32), organization="o-1", workspace="w-1",
                                        link_id=LINK, sealed=sealed) == copy
    with pytest.raises(DecryptionError):
        share_links.open_sharer_copy(bytes(32), organization="o-1", workspace="w-2",
                                     link_id=LINK, sealed=sealed)
