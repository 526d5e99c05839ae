"""A partner space's mark (the partner site it serves) is sealed in the workspace manifest,
encrypted like its name, read back by its members' workers and kept when it is renamed; an
ordinary workspace has none."""

from __future__ import annotations

from pycrypto_wasm.service import CryptoService
from pycrypto_wasm.service.params import from_b64, to_b64
from pycrypto_wasm.workspace.log import GENESIS, place_entry
from tests.crypto.browsers import ok
from tests.workspace.conftest import PlacedLog, SharedWorkspace

SITE = "p-" + "1" * 24


def _partner_space(owner: CryptoService) -> SharedWorkspace:
    created = ok(owner.handle("workspace.create", {"name": "Maternité A", "partner_site": SITE}))
    return SharedWorkspace(
        created["workspace_id"], created["manifest"],
        log=PlacedLog([{"seq": 1, "kind": "workspace_created", "entry": to_b64(place_entry(
            from_b64(created["log_entry"], "entry"), seq=1, prev=GENESIS))}]),
        grants={"u-admin": [{"key_index": 0, "granted_by": "u-admin",
                             "grant": created["key_grant"]}]})


def test_a_partner_space_names_its_site_to_its_members_only_encrypted(team):
    admin, member, ordinary = team
    space = _partner_space(admin)
    assert SITE.encode() not in from_b64(space.manifest, "manifest")
    space.open(admin, "u-admin")
    space.share(admin, "u-admin", "u-new", "contributor")
    assert space.open(member, "u-new")["partner_site"] == SITE
    assert ordinary.open(admin, "u-admin")["partner_site"] is None


def test_renaming_a_partner_space_keeps_its_site(team):
    admin, _, _ = team
    space = _partner_space(admin)
    opened = space.open(admin, "u-admin")
    saved = space.store(admin, ok(admin.handle("workspace.save_settings", {
        "workspace_id": space.workspace_id, "name": "Maternité de Créteil",
        "workflow": opened["workflow"], "partner_site": opened["partner_site"]})))
    space.manifest, space.manifest_version = saved["manifest"], saved["version"]
    reopened = space.open(admin, "u-admin")
    assert (reopened["name"], reopened["partner_site"]) == ("Maternité de Créteil", SITE)
