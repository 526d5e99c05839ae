"""People with browsers, in Python: an HTTP client with the session cookie, a software passkey
authenticator, and the crypto worker's own service (pycrypto_wasm under CPython)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.config import DEFAULT_MAX_REQUEST_BYTES, Config
from api.identity.bootstrap import new_bootstrap_link
from api.storage.sqlite import SqliteStore
from pycrypto_wasm.service import CryptoService
from tests.api.conftest import same_origin_client
from tests.api.identity.soft_authenticator import SoftAuthenticator
from tests.crypto.browsers import ok


@dataclass
class Person:
    client: FlaskClient
    authenticator: SoftAuthenticator = field(default_factory=SoftAuthenticator)
    worker: CryptoService = field(default_factory=CryptoService)
    user_id: str = ""
    recovery_code: str = ""
    fingerprint: str = ""

    def login_options(self) -> dict[str, Any]:
        return self.client.post("/api/login/options").json

    def login(self, **knobs: Any):
        options = self.login_options()
        credential = self.authenticator.authenticate(options["publicKey"], **knobs)
        return self.client.post("/api/login", json={"challenge_id": options["challenge_id"],
                                                    "credential": credential})


@dataclass
class Organization:
    app: Flask
    admin: Person
    organization_id: str
    root_verify_key: str
    created: dict[str, Any]
    bootstrap_token: str

    def person(self) -> Person:
        return Person(same_origin_client(self.app))

    def invite(self, profile: str = "member") -> tuple[Person, dict[str, Any], str]:
        """Invite a newcomer and run both sides up to the certificate; returns the newcomer,
        the certified-but-not-filed certificate reply, and the invitation id."""
        invitation = self.admin.client.post("/api/invitations", json={
            "display_name": "Mme Durand", "email": "durand@chu.example", "site": "Sud",
            "profile": profile}).json
        token, invitation_id = invitation["token"], invitation["invitation"]["invitation_id"]
        newcomer = self.person()
        options = newcomer.client.post(f"/api/join/{token}/options").json
        credential = newcomer.authenticator.register(options["publicKey"])
        prepared = ok(newcomer.worker.handle("invite.claimer_prepare", {
            "organization_id": self.organization_id, "user_id": options["user_id"],
            "root_verify_key": self.root_verify_key,
            "prf_output": newcomer.authenticator.prf_output()}))
        registered = newcomer.client.post(f"/api/join/{token}/register", json={
            "challenge_id": options["challenge_id"], "credential": credential,
            **{key: prepared[key] for key in ("verify_key", "public_key", "wrapped_bundle",
                                              "recovery_token_digest", "recovery_bundle")}})
        assert registered.status_code == 200, registered.json
        newcomer.user_id, newcomer.recovery_code = options["user_id"], prepared["recovery_code"]
        newcomer.fingerprint = prepared["fingerprint"]
        hello = ok(self.admin.worker.handle("invite.greeter_hello",
                                            {"invitation_id": invitation_id}))["hello"]
        answer = ok(newcomer.worker.handle("invite.claimer_hello", {"greeter_hello": hello}))
        revealed = ok(self.admin.worker.handle("invite.greeter_reveal", {
            "invitation_id": invitation_id, "claimer_hello": answer["hello"]}))
        code = ok(newcomer.worker.handle("invite.claimer_reveal",
                                         {"reveal": revealed["reveal"]}))["claimer_code"]
        ok(newcomer.worker.handle("invite.claimer_confirm",
                                  {"typed_code": revealed["greeter_code"]}))
        served = self.admin.client.get(f"/api/invitations/{invitation_id}").json["invitation"]
        certified = self.admin.worker.handle("invite.greeter_certify", {
            "invitation_id": invitation_id, "typed_code": code,
            "claimer_user_id": served["claimer_user_id"],
            "claimer_verify_key": served["claimer_verify_key"],
            "claimer_public_key": served["claimer_public_key"], "profile": served["profile"],
            "display_name": served["display_name"], "email": served["email"],
            "site": served["site"]})
        return newcomer, {**certified, "token": token}, invitation_id

    def member(self) -> Person:
        """A newcomer fully through the invitation, signed in."""
        newcomer, certified, invitation_id = self.invite()
        filed = self.admin.client.post(f"/api/invitations/{invitation_id}/complete",
                                       json={"certificate": ok(certified)["certificate"]})
        assert filed.status_code == 200, filed.json
        finished = newcomer.client.post(f"/api/join/{certified['token']}/finish")
        assert finished.status_code == 200, finished.json
        ok(newcomer.worker.handle("invite.claimer_finish",
                                  {"certificate": finished.json["certificate"]}))
        return newcomer


def bootstrap(app: Flask) -> Organization:
    config = app.config["PARAVENT"]
    store = SqliteStore(config.database_path)
    link = new_bootstrap_link(store.identity, "CHU Test", config.public_origin)
    store.close()
    token = link.rsplit("/", 1)[1]
    admin = Person(same_origin_client(app))
    person = {"display_name": "Dr Admin", "email": "admin@chu.example", "site": "Nord"}
    options = admin.client.post(f"/api/bootstrap/{token}/options", json=person).json
    credential = admin.authenticator.register(options["publicKey"])
    created = ok(admin.worker.handle("identity.create_organization", {
        "organization_id": options["organization_id"], "user_id": options["user_id"], **person,
        "prf_output": admin.authenticator.prf_output()}))
    response = admin.client.post(f"/api/bootstrap/{token}/complete", json={
        "challenge_id": options["challenge_id"], "credential": credential,
        "user_id": options["user_id"], "organization_id": options["organization_id"],
        "passkey_name": "Clé USB",
        **{key: created[key] for key in ("root_verify_key", "certificate", "wrapped_bundle",
                                         "recovery_token_digest", "recovery_bundle")}})
    assert response.status_code == 200, response.json
    admin.user_id, admin.recovery_code = options["user_id"], created["recovery_code"]
    admin.fingerprint = created["fingerprint"]
    return Organization(app, admin, options["organization_id"], created["root_verify_key"],
                        created, token)


@pytest.fixture
def config(config: Config) -> Config:
    """The API tests' configuration, with the default request size limit."""
    return replace(config, max_request_bytes=DEFAULT_MAX_REQUEST_BYTES)


@pytest.fixture
def organization(app: Flask) -> Organization:
    return bootstrap(app)
