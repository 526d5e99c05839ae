"""Drop boxes in the workers (CPython): a depositor with no account deposits two files through a
link made by a member; the member's worker verifies and opens them with the "from outside" mark
and reads their bytes; a deposit the server made without the link's secret, or altered, is
refused by name; a link follows the workspace's key rotations."""

from __future__ import annotations

from typing import Any

import pytest

from pycrypto_wasm.exceptions import UnsupportedVersionError
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service.params import from_b64, to_b64
from pycrypto_wasm.signing import SigningKey
from pycrypto_wasm.workspace import dropbox
from tests.crypto.browsers import ok

SCAN = b"IRM cerebrale, patiente 62 ans. " * 40_000  # 1.28 MB: three blocks
LETTER = "Lettre du Dr Martin : admission en SSR souhaitée.".encode()


def _link(admin: CryptoService, workspace_id: str, password: str = "") -> dict[str, Any]:
    made = ok(admin.handle("dropbox.create_link", {
        "workspace_id": workspace_id, "dossier_id": "d-1", "label": "IRM Dr Martin",
        "max_files": 5, "max_file_bytes": 8 << 20, "password": password,
        "email_required": False}))
    return {**made, "organization_id": "o-1", "workspace_id": workspace_id}


def _deposit(link: dict[str, Any], files: list[tuple[str, bytes]], password: str = "",
             email: str | None = None) -> dict[str, Any]:
    """What a depositor's browser sends through `link`: the begin proof, the blocks, and the
    sealed, signed deposit (with the receipt)."""
    depositor = CryptoService()
    place = {name: link[name] for name in ("link_id", "organization_id", "workspace_id")}
    request = {**place, "secret": link["secret"], "link_info": link["link_info"]}
    assert ok(depositor.handle("dropbox.open_link", request))["label"] == "IRM Dr Martin"
    begun = ok(depositor.handle("dropbox.begin_deposit", {**request, "password": password}))
    blocks = {}
    for name, data in files:
        added = ok(depositor.handle("dropbox.add_file", {
            "deposit_id": begun["deposit_id"], "name": name, "mime": "application/pdf",
            "size": len(data)}))
        size = added["block_size"]
        for block in range(added["block_count"]):
            encrypted = ok(depositor.handle("dropbox.encrypt_block", {
                "deposit_id": begun["deposit_id"], "index": added["index"], "block": block,
                "data": data[block * size:(block + 1) * size]}))
            blocks[encrypted["block_id"]] = encrypted["ciphertext"]
    finished = ok(depositor.handle("dropbox.finish_deposit", {
        "deposit_id": begun["deposit_id"], "name": "Dr Martin", "email": email}))
    return {**finished, "deposit_id": begun["deposit_id"], "proof": begun["proof"],
            "blocks": blocks, "link_id": link["link_id"]}


def _listing(link: dict[str, Any]) -> dict[str, Any]:
    return {"link_id": link["link_id"], "version": link["version"],
            "descriptor": link["descriptor"]}


def _server_row(deposit: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"deposit_id": deposit["deposit_id"], "link_id": deposit["link_id"],
            "sealed": deposit["sealed"], "signature": deposit["signature"],
            "files": deposit["files"], "received_at": 1, "confirmed_email": None, **changes}


def _open(admin: CryptoService, workspace_id: str, links: list[dict[str, Any]],
          deposits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return ok(admin.handle("dropbox.open_deposits", {
        "workspace_id": workspace_id, "links": [_listing(link) for link in links],
        "deposits": deposits}))["deposits"]


def _read(admin: CryptoService, workspace_id: str, deposit: dict[str, Any], index: int) -> bytes:
    begun = ok(admin.handle("dropbox.begin_read", {
        "workspace_id": workspace_id, "deposit_id": deposit["deposit_id"], "index": index}))
    return b"".join(ok(admin.handle("file.decrypt_block", {
        "file_id": begun["file_id"], "index": number,
        "ciphertext": deposit["blocks"][block_id]}))["data"]
        for number, block_id in enumerate(begun["block_ids"]))


@pytest.fixture
def opened(team):
    admin, _, space = team
    space.open(admin, "u-admin")
    return admin, space


def test_a_depositor_without_account_deposits_two_files_members_read_them_marked(opened):
    admin, space = opened
    link = _link(admin, space.workspace_id, password="tilleul")
    deposit = _deposit(link, [("irm.pdf", SCAN), ("lettre.pdf", LETTER)], password="tilleul",
                       email="martin@cabinet.example")
    assert [(item["name"], item["size"]) for item in deposit["receipt"]] == [
        ("irm.pdf", len(SCAN)), ("lettre.pdf", len(LETTER))]
    assert [len(ids) for ids in deposit["files"]] == [3, 1]
    stored = b"".join([from_b64(deposit["sealed"], "sealed"), *deposit["blocks"].values()])
    assert b"IRM cerebrale" not in stored and b"Dr Martin" not in stored
    [seen] = _open(admin, space.workspace_id, [link],
                   [_server_row(deposit, confirmed_email="martin@cabinet.example")])
    assert (seen["label"], seen["name"], seen["email"], seen["email_confirmed"]) == (
        "IRM Dr Martin", "Dr Martin", "martin@cabinet.example", True)
    assert [file["sha256"] for file in seen["files"]] == [
        item["sha256"] for item in deposit["receipt"]]
    assert _read(admin, space.workspace_id, deposit, 0) == SCAN
    assert _read(admin, space.workspace_id, deposit, 1) == LETTER


def test_an_email_the_server_did_not_confirm_is_shown_unconfirmed(opened):
    admin, space = opened
    link = _link(admin, space.workspace_id)
    deposit = _deposit(link, [("lettre.pdf", LETTER)], email="martin@cabinet.example")
    [seen] = _open(admin, space.workspace_id, [link],
                   [_server_row(deposit, confirmed_email="other@example.org")])
    assert seen["email_confirmed"] is False


def test_a_deposit_the_server_forged_without_the_link_is_refused_by_name(opened):
    admin, space = opened
    link = _link(admin, space.workspace_id)
    genuine = _deposit(link, [("lettre.pdf", LETTER)])
    claims = dropbox.signed_claims(link_id=link["link_id"], deposit_id="d-forged",
                                   sealed=from_b64(genuine["sealed"], "sealed"),
                                   files=genuine["files"])
    forged = {**genuine, "deposit_id": "d-forged", "signature": to_b64(dropbox.sign_deposit(
        SigningKey(bytes(32)), claims, organization="o-1", workspace=space.workspace_id))}
    [refused] = _open(admin, space.workspace_id, [link], [_server_row(forged)])
    assert refused["code"] == "forged_deposit"
    assert "«IRM Dr Martin»" in refused["problem"] and "d-forged" in refused["problem"]


def test_a_deposit_moved_altered_or_signed_with_a_wrong_password_is_refused(opened):
    admin, space = opened
    link = _link(admin, space.workspace_id, password="tilleul")
    other = _link(admin, space.workspace_id)
    genuine = _deposit(link, [("lettre.pdf", LETTER)], password="tilleul")
    wrong_password = _deposit(link, [("lettre.pdf", LETTER)], password="chêne")
    rows = [
        _server_row(wrong_password),
        _server_row(genuine, link_id=other["link_id"]),
        _server_row(genuine, files=[[*genuine["files"][0], "00" * 32]]),
        _server_row(genuine, sealed=wrong_password["sealed"]),
    ]
    codes = [seen.get("code") for seen in _open(admin, space.workspace_id, [link, other], rows)]
    assert codes == ["forged_deposit"] * 4


def test_a_link_is_resealed_under_the_current_key_after_a_rotation(team):
    admin, _, space = team
    space.open(admin, "u-admin")
    space.share(admin, "u-admin", "u-new", "contributor")
    link = _link(admin, space.workspace_id)
    space.store(admin, ok(admin.handle("workspace.unshare", {
        "workspace_id": space.workspace_id, "user_id": "u-new"})), "u-admin")
    [described] = ok(admin.handle("dropbox.describe_links", {
        "workspace_id": space.workspace_id, "links": [_listing(link)]}))["links"]
    assert described["stale_key"] is True and described["label"] == "IRM Dr Martin"
    resealed = ok(admin.handle("dropbox.reseal_link", {
        "workspace_id": space.workspace_id, "link": _listing(link)}))
    [after] = ok(admin.handle("dropbox.describe_links", {
        "workspace_id": space.workspace_id,
        "links": [{**resealed, "link_id": link["link_id"]}]}))["links"]
    assert (after["stale_key"], after["secret"]) == (False, link["secret"])
    deposit = _deposit(link, [("lettre.pdf", LETTER)])
    [seen] = _open(admin, space.workspace_id, [{**link, **resealed}], [_server_row(deposit)])
    assert seen["name"] == "Dr Martin"
    assert _read(admin, space.workspace_id, deposit, 0) == LETTER


def test_filing_a_deposit_writes_a_file_marked_from_outside(opened):
    admin, space = opened
    link = _link(admin, space.workspace_id)
    deposit = _deposit(link, [("lettre.pdf", LETTER)])
    _open(admin, space.workspace_id, [link], [_server_row(deposit)])
    begun = ok(admin.handle("file.begin_upload", {
        "workspace_id": space.workspace_id, "name": "lettre.pdf", "size": len(LETTER),
        "dossier_id": "d-1", "deposit_file": f"{deposit['deposit_id']}.0"}))
    assert begun["block_count"] == 1
    refused = admin.handle("file.begin_upload", {
        "workspace_id": space.workspace_id, "name": "x", "size": 1,
        "deposit_file": "d-unknown.0"})
    assert refused["ok"] is False


def test_a_password_costs_one_argon2id_and_links_made_before_still_take_deposits():
    secret = bytes(range(32))
    stretched = dropbox.link_keys(secret, "tilleul").signing_key.verify_key
    legacy = dropbox.link_keys(secret, "tilleul", version=1).signing_key.verify_key
    assert stretched != legacy != dropbox.link_keys(secret, "chêne").signing_key.verify_key
    with pytest.raises(UnsupportedVersionError):
        dropbox.link_keys(secret, "tilleul", version=3)
    place = {"organization": "o-1", "workspace": "w-1"}
    info = {"label": "IRM Dr Martin", "drop_key": PrivateKey.generate().public_key.key,
            "max_files": 5, "max_file_bytes": 8 << 20, "password": True,
            "email_required": False}
    legacy_info = dropbox.seal_link_info(dropbox.info_key(secret), info, link_id="l-old",
                                         **place)
    begun = ok(CryptoService().handle("dropbox.begin_deposit", {
        "link_id": "l-old", "organization_id": "o-1", "workspace_id": "w-1",
        "secret": to_b64(secret), "password": "tilleul", "link_info": to_b64(legacy_info)}))
    claims = dropbox.signed_claims(link_id="l-old", deposit_id=begun["deposit_id"], sealed=b"",
                                   files=[])
    dropbox.verify_deposit(legacy, from_b64(begun["proof"], "proof"), claims, label="old", **place)
