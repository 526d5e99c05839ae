"""The recovery code and the Security page's passkey management."""

from __future__ import annotations

from tests.api.identity.conftest import ok


def _recovery_digest(person, code):
    return ok(person.worker.handle("identity.recovery_login_token",
                                   {"recovery_code": code}))["login_token_digest"]


def test_recovery_code_signs_in_and_unlocks_same_keys(organization):
    admin = organization.admin
    fresh = organization.person()
    response = fresh.client.post("/api/login/recovery", json={
        "login_token_digest": _recovery_digest(fresh, admin.recovery_code)})
    assert response.status_code == 200
    unlocked = ok(fresh.worker.handle("identity.unlock_with_recovery", {
        "organization_id": organization.organization_id, "user_id": admin.user_id,
        "wrapped_bundle": response.json["wrapped_bundle"], "recovery_code": admin.recovery_code}))
    assert unlocked["fingerprint"] == admin.fingerprint


def test_recovery_wrong_code_is_refused(organization):
    person = organization.person()
    digest = _recovery_digest(person, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
    response = person.client.post("/api/login/recovery", json={"login_token_digest": digest})
    assert (response.status_code, response.json["error"]["code"]) == (
        401, "unknown_recovery_code")


def test_recovery_then_new_passkey_signs_in(organization):
    admin = organization.admin
    options = admin.client.post("/api/passkeys/options").json
    credential = admin.authenticator.register(options["publicKey"])
    new_id = list(admin.authenticator.credentials)[-1]
    wrapped = ok(admin.worker.handle("identity.wrap_for_passkey", {
        "prf_output": admin.authenticator.prf_output(new_id)}))["wrapped_bundle"]
    added = admin.client.post("/api/passkeys", json={
        "challenge_id": options["challenge_id"], "credential": credential, "name": "Téléphone",
        "wrapped_bundle": wrapped})
    assert added.status_code == 201
    names = [p["name"] for p in admin.client.get("/api/passkeys").json["passkeys"]]
    assert names == ["Clé USB", "Téléphone"]
    response = admin.login(credential_id=new_id)
    assert response.status_code == 200
    unlocked = ok(organization.person().worker.handle("identity.unlock_with_passkey", {
        "organization_id": organization.organization_id, "user_id": admin.user_id,
        "wrapped_bundle": response.json["wrapped_bundle"],
        "prf_output": admin.authenticator.prf_output(new_id)}))
    assert unlocked["fingerprint"] == admin.fingerprint


def test_recovery_code_replaced_old_one_stops_working(organization):
    admin = organization.admin
    material = ok(admin.worker.handle("identity.new_recovery_code"))
    assert admin.client.put("/api/recovery", json={
        "login_token_digest": material["recovery_token_digest"],
        "recovery_bundle": material["recovery_bundle"]}).status_code == 200
    person = organization.person()
    old = person.client.post("/api/login/recovery", json={
        "login_token_digest": _recovery_digest(person, admin.recovery_code)})
    assert old.status_code == 401
    new = person.client.post("/api/login/recovery", json={
        "login_token_digest": _recovery_digest(person, material["recovery_code"])})
    assert new.status_code == 200


def test_passkeys_rename_and_refuse_removing_the_last(organization):
    client = organization.admin.client
    (passkey,) = client.get("/api/passkeys").json["passkeys"]
    assert client.patch(f"/api/passkeys/{passkey['passkey_id']}",
                        json={"name": "Clé bleue"}).status_code == 200
    assert client.get("/api/passkeys").json["passkeys"][0]["name"] == "Clé bleue"
    last = client.delete(f"/api/passkeys/{passkey['passkey_id']}")
    assert (last.status_code, last.json["error"]["code"]) == (409, "last_passkey")


def test_passkeys_of_another_user_are_out_of_reach(organization):
    member = organization.member()
    (admin_passkey,) = organization.admin.client.get("/api/passkeys").json["passkeys"]
    response = member.client.patch(f"/api/passkeys/{admin_passkey['passkey_id']}",
                                   json={"name": "mine"})
    assert response.status_code == 404


def test_passkeys_need_a_session(organization):
    stranger = organization.person()
    response = stranger.client.get("/api/passkeys")
    assert (response.status_code, response.json["error"]["code"]) == (401, "unauthenticated")
