"""The worker's own-state methods (read markers sealed for their owner), as a user's browsers
use them (CPython), with a dict standing in for the server's compare-and-set store: the state
opens only for its owner and place, markers only move forward across browsers, and a
rolled-back version is refused."""

from __future__ import annotations

from typing import Any

import pytest

from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service.params import from_b64, to_b64
from tests.crypto.browsers import ok
from tests.crypto.tampering import flip_byte

DOSSIER = "d-" + "a" * 24
OTHER_DOSSIER = "d-" + "b" * 24
WORKSPACE = "w-" + "c" * 24


class StateServer:
    """What the server keeps of one user's state in one workspace: version N + 1 only on N."""

    def __init__(self) -> None:
        self.stored: dict[str, Any] = {"version": 0, "state": None}

    def put(self, sealed: dict[str, Any]) -> bool:
        if sealed["version"] != self.stored["version"] + 1:
            return False
        self.stored = dict(sealed)
        return True


def _open(browser: CryptoService, stored: dict[str, Any], workspace: str = WORKSPACE) -> dict:
    return browser.handle("own_state.open", {"workspace_id": workspace, **stored})


def _mark(browser: CryptoService, server: StateServer, dossier: str, seq: int) -> dict:
    """What the page does: seal, store, open what it stored; on a stale version, open the
    server's state and mark again."""
    for _ in range(3):
        sealed = ok(browser.handle("own_state.mark_read", {
            "workspace_id": WORKSPACE, "dossier_id": dossier, "seq": seq}))
        if server.put(sealed):
            return ok(_open(browser, sealed))
        ok(_open(browser, server.stored))
    raise AssertionError("the state kept changing")


@pytest.fixture
def admin(team) -> CryptoService:
    return team[0]


@pytest.fixture
def second_browser(admin) -> CryptoService:
    """The same user signed in on another browser (the bundle, unwrapped with the same PRF)."""
    wrapped = ok(admin.handle("identity.wrap_for_passkey", {"prf_output": bytes([3]) * 32}))
    browser = CryptoService()
    ok(browser.handle("identity.unlock_with_passkey", {
        "wrapped_bundle": wrapped["wrapped_bundle"], "prf_output": bytes([3]) * 32,
        "organization_id": "o-1", "user_id": "u-admin"}))
    return browser


def test_own_state_markers_reach_my_other_browser(admin, second_browser):
    server = StateServer()
    _mark(admin, server, DOSSIER, 7)
    assert ok(_open(second_browser, server.stored)) == {
        "version": 1, "read_markers": {DOSSIER: 7}}


def test_own_state_race_between_browsers_keeps_both_markers_forward(admin, second_browser):
    server = StateServer()
    ok(_open(admin, server.stored))
    ok(_open(second_browser, server.stored))
    _mark(admin, server, DOSSIER, 9)
    merged = _mark(second_browser, server, OTHER_DOSSIER, 4)
    assert merged == {"version": 2, "read_markers": {DOSSIER: 9, OTHER_DOSSIER: 4}}
    assert _mark(second_browser, server, DOSSIER, 3)["read_markers"][DOSSIER] == 9
    assert ok(_open(admin, server.stored))["read_markers"] == {DOSSIER: 9, OTHER_DOSSIER: 4}


def test_own_state_rolled_back_version_refused(admin):
    server = StateServer()
    _mark(admin, server, DOSSIER, 2)
    older = dict(server.stored)
    _mark(admin, server, DOSSIER, 5)
    refused = _open(admin, older)
    assert refused["error"]["code"] == "state_rolled_back"
    assert "rolled back" in refused["error"]["message"]
    assert _open(admin, {"version": 0, "state": None})["error"]["code"] == "state_rolled_back"


def test_own_state_other_users_key_cannot_open(team):
    admin, member, _ = team
    server = StateServer()
    _mark(admin, server, DOSSIER, 2)
    assert _open(member, server.stored)["error"]["code"] == "decryption_failed"


@pytest.mark.parametrize("served", [
    pytest.param(lambda stored: {**stored, "version": 2}, id="relabelled-version"),
    pytest.param(lambda stored: {**stored, "state": to_b64(flip_byte(from_b64(
        stored["state"], "state"), 30))}, id="flipped-byte"),
])
def test_own_state_altered_blob_refused(admin, second_browser, served):
    server = StateServer()
    _mark(admin, server, DOSSIER, 2)
    assert _open(second_browser, served(server.stored))["error"]["code"] == "decryption_failed"


def test_own_state_moved_to_another_workspace_refused(admin, second_browser):
    server = StateServer()
    _mark(admin, server, DOSSIER, 2)
    moved = _open(second_browser, server.stored, workspace="w-" + "d" * 24)
    assert moved["error"]["code"] == "decryption_failed"


@pytest.mark.parametrize("request_", [
    {"workspace_id": WORKSPACE, "version": -1, "state": None},
    {"workspace_id": WORKSPACE, "version": "1", "state": "AQ"},
    {"workspace_id": WORKSPACE, "version": 0, "state": "AQ"},
    {"workspace_id": WORKSPACE, "version": 1, "state": None},
])
def test_own_state_bad_request_refused(admin, request_):
    assert admin.handle("own_state.open", request_)["error"]["code"] == "bad_request"


def test_own_state_needs_unlocked_keys():
    locked = CryptoService()
    reply = locked.handle("own_state.mark_read", {
        "workspace_id": WORKSPACE, "dossier_id": DOSSIER, "seq": 1})
    assert reply["error"]["code"] == "locked"
