"""The Security page's passkeys: list, add, rename, remove; never the last one, never someone
else's."""

from __future__ import annotations

from tests.api.identity.soft_authenticator import b64url


def _error(response):
    return response.status_code, response.json["error"]["code"]


def _passkeys(person):
    return person.client.get("/api/passkeys").json["passkeys"]


def test_passkeys_list_shows_the_bootstrap_passkey(organization):
    admin = organization.admin
    (passkey,) = _passkeys(admin)
    assert passkey["passkey_id"] == b64url(admin.authenticator.last_credential_id)
    assert passkey["name"] == "Clé USB"
    assert set(passkey) == {"passkey_id", "name", "created_at", "last_used_at"}


def test_passkeys_add_excludes_existing_credentials(organization):
    admin = organization.admin
    options = admin.client.post("/api/passkeys/options").json["publicKey"]
    assert [c["id"] for c in options["excludeCredentials"]] == [
        b64url(admin.authenticator.last_credential_id)]
    assert options["authenticatorSelection"]["userVerification"] == "required"


def test_passkeys_rename_is_listed(organization):
    admin = organization.admin
    (passkey,) = _passkeys(admin)
    response = admin.client.patch(f"/api/passkeys/{passkey['passkey_id']}",
                                  json={"name": "  Clé bleue  "})
    assert (response.status_code, response.json) == (200, {"renamed": True})
    assert _passkeys(admin)[0]["name"] == "Clé bleue"


def test_passkeys_rename_empty_name_is_400(organization):
    admin = organization.admin
    (passkey,) = _passkeys(admin)
    response = admin.client.patch(f"/api/passkeys/{passkey['passkey_id']}", json={"name": " "})
    assert _error(response) == (400, "bad_request")


def test_passkeys_remove_last_is_refused(organization):
    admin = organization.admin
    (passkey,) = _passkeys(admin)
    assert _error(admin.client.delete(f"/api/passkeys/{passkey['passkey_id']}")) == (
        409, "last_passkey")
    admin.client.post("/api/logout")
    assert admin.login().status_code == 200


def test_passkeys_removed_one_no_longer_signs_in(organization):
    admin = organization.admin
    first = admin.authenticator.last_credential_id
    second = admin.add_passkey()
    response = admin.client.delete(f"/api/passkeys/{b64url(first)}")
    assert (response.status_code, response.json) == (200, {"removed": True})
    assert [p["passkey_id"] for p in _passkeys(admin)] == [b64url(second)]
    admin.client.post("/api/logout")
    assert _error(admin.login(first)) == (401, "unknown_passkey")
    assert admin.login(second).status_code == 200


def test_passkeys_of_another_user_are_404(organization):
    member = organization.member()
    member.add_passkey()  # two passkeys: removing one of them would be allowed
    admin_passkey = b64url(organization.admin.authenticator.last_credential_id)
    renamed = member.client.patch(f"/api/passkeys/{admin_passkey}", json={"name": "mine"})
    assert _error(renamed) == (404, "not_found")
    assert _error(member.client.delete(f"/api/passkeys/{admin_passkey}")) == (404, "not_found")
    assert _passkeys(organization.admin)[0]["name"] == "Clé USB"
    assert organization.admin.login().status_code == 200


def test_passkeys_unknown_id_is_404(organization):
    admin = organization.admin
    admin.add_passkey()
    for passkey_id in (b64url(b"\x00" * 32), "%%%"):
        assert _error(admin.client.delete(f"/api/passkeys/{passkey_id}")) == (404, "not_found")
    assert len(_passkeys(admin)) == 2


def test_passkeys_need_a_session(organization):
    stranger = organization.person()
    assert _error(stranger.client.get("/api/passkeys")) == (401, "unauthenticated")
    assert _error(stranger.client.post("/api/passkeys/options")) == (401, "unauthenticated")


def test_passkeys_credential_id_of_another_user_is_refused_cleanly(organization):
    """WebAuthn §7.1: a credential id already registered (here, the admin's) must be refused;
    it must not replace the admin's passkey nor crash the request."""
    member = organization.member()
    admin_id = organization.admin.authenticator.last_credential_id
    options = member.client.post("/api/passkeys/options").json
    credential = member.authenticator.register(options["publicKey"], credential_id=admin_id)
    response = member.client.post("/api/passkeys", json={
        "challenge_id": options["challenge_id"], "credential": credential, "name": "copie"})
    assert 400 <= response.status_code < 500, (response.status_code, response.json)
    assert len(_passkeys(member)) == 1
    assert organization.admin.login(admin_id).status_code == 200
