"""People with browsers, in Python: an HTTP client holding the session cookie, a software passkey
authenticator, and the keys the browser's crypto worker would hold (pycrypto_wasm under CPython).

`bootstrap(app)` creates an organization the way the bootstrap page does; `Organization.invite`,
`.claim`, `.certify` and `.member` walk the invitation the way the admin's and the invitee's pages
do. Every secret a browser keeps (PRF outputs, recovery codes, key seeds, the root seed) stays on
these Python objects so tests can check the server never sees it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.config import DEFAULT_MAX_REQUEST_BYTES, Config
from api.identity.bootstrap import new_bootstrap_link
from api.realtime.channel import socketio_of
from api.storage.sqlstore import open_store
from pycrypto_wasm.identity import keybundle
from pycrypto_wasm.identity.certificates import RevocationCertificate, UserCertificate
from pycrypto_wasm.identity.keybundle import PASSKEY_INFO, RECOVERY_INFO, KeyBundle
from pycrypto_wasm.identity.recovery import RecoveryCode, login_token_digest
from pycrypto_wasm.identity.sas import ClaimerExchange, GreeterExchange
from pycrypto_wasm.signing import SigningKey
from tests.api.conftest import same_origin_client
from tests.api.identity.soft_authenticator import SoftAuthenticator, b64url, unb64url

ORGANIZATION_NAME = "CHU Test"
ADMIN = {"display_name": "Dr Admin", "email": "admin@chu.example", "site": "Nord"}
NEWCOMER = {"display_name": "Mme Durand", "email": "durand@chu.example", "site": "Sud"}

__all__ = ["b64url", "unb64url"]


def make_app(config: Config, **changes: Any) -> Flask:
    """An app on `config` with some settings changed (same data folder, same database)."""
    return create_app(replace(config, **changes))


def new_bootstrap_token(app: Flask, name: str = ORGANIZATION_NAME) -> str:
    """What `paravent bootstrap` prints, reduced to its token."""
    config = app.config["PARAVENT"]
    store = open_store(config)
    try:
        link = new_bootstrap_link(store.identity, name, config.public_origin)
    finally:
        store.close()
    return link.rsplit("/", 1)[1]


def recovery_digest(code: RecoveryCode) -> str:
    """The recovery login token's SHA-256 as the API takes it (32 raw bytes, base64url)."""
    return b64url(bytes.fromhex(login_token_digest(code.login_token())))


@dataclass
class Person:
    """One browser: its cookie jar, its authenticator and the keys its worker unlocked."""

    client: FlaskClient
    authenticator: SoftAuthenticator
    user_id: str = ""
    organization_id: str = ""
    bundle: KeyBundle | None = None
    recovery: RecoveryCode | None = None
    certificate: bytes = b""

    @property
    def fingerprint(self) -> str:
        assert self.bundle is not None
        return self.bundle.signing_key.verify_key.fingerprint()

    @property
    def signing_key(self) -> SigningKey:
        assert self.bundle is not None
        return self.bundle.signing_key

    def wrapped_for(self, credential_id: bytes | None = None) -> str:
        """The key bundle wrapped with a credential's PRF output, base64url."""
        assert self.bundle is not None
        prf = self.authenticator.prf_output(credential_id)
        return b64url(keybundle.wrap(self.bundle, prf, PASSKEY_INFO))

    def recovery_material(self, code: RecoveryCode | None = None) -> dict[str, str]:
        """What the browser sends to set a recovery code: the token digest and the bundle."""
        assert self.bundle is not None
        code = code or self.recovery
        assert code is not None
        wrapped = keybundle.wrap(self.bundle, code.wrapping_secret(), RECOVERY_INFO)
        return {"recovery_token_digest": recovery_digest(code), "recovery_bundle": b64url(wrapped)}

    def login_options(self) -> dict[str, Any]:
        response = self.client.post("/api/login/options")
        assert response.status_code == 200, response.json
        return response.json

    def login(self, credential_id: bytes | None = None, **knobs: Any):
        """Sign in with a passkey; `knobs` go to the authenticator (origin, sign_count, ...)."""
        options = self.login_options()
        credential = self.authenticator.authenticate(options["publicKey"], credential_id, **knobs)
        return self.client.post("/api/login", json={"challenge_id": options["challenge_id"],
                                                    "credential": credential})

    def unlock(self, reply: dict[str, Any], credential_id: bytes | None = None) -> KeyBundle:
        """The key bundle a passkey sign-in reply unwraps to, with this credential's PRF."""
        return keybundle.unwrap(
            unb64url(reply["wrapped_bundle"]), self.authenticator.prf_output(credential_id),
            PASSKEY_INFO, reply["organization"]["organization_id"], reply["user"]["user_id"],
        )

    def add_passkey(self, name: str = "Téléphone", *, with_prf: bool = True) -> bytes:
        """Register one more passkey from the Security page; its credential id."""
        options = self.client.post("/api/passkeys/options")
        assert options.status_code == 200, options.json
        credential = self.authenticator.register(options.json["publicKey"])
        new_id = self.authenticator.last_credential_id
        added = self.client.post("/api/passkeys", json={
            "challenge_id": options.json["challenge_id"], "credential": credential, "name": name,
            "wrapped_bundle": self.wrapped_for(new_id) if with_prf else None,
        })
        assert added.status_code == 201, added.json
        return new_id

    def session_user(self) -> dict[str, Any] | None:
        return self.client.get("/api/session").json["user"]


@dataclass
class Invitee:
    """A newcomer part-way through an invitation."""

    person: Person
    token: str
    invitation_id: str
    greeter: GreeterExchange | None = None
    claimer: ClaimerExchange | None = None


@dataclass
class Organization:
    app: Flask
    admin: Person
    organization_id: str
    root: SigningKey = field(repr=False)
    bootstrap_token: str
    created: dict[str, Any]

    @property
    def root_verify_key(self) -> bytes:
        return self.root.verify_key.key

    def person(self) -> Person:
        """A fresh browser on our page, with its own authenticator."""
        config = self.app.config["PARAVENT"]
        return Person(same_origin_client(self.app),
                      SoftAuthenticator(origin=config.public_origin, rp_id=config.rp_id))

    def invite(self, profile: str = "member", **details: str) -> tuple[str, str]:
        """The admin invites someone: (link token, invitation id)."""
        response = self.admin.client.post("/api/invitations",
                                          json={**NEWCOMER, **details, "profile": profile})
        assert response.status_code == 201, response.json
        return response.json["token"], response.json["invitation"]["invitation_id"]

    def register(self, token: str, **knobs: Any) -> tuple[Person, Any]:
        """The invitee opens the link, creates a passkey (`knobs` go to the authenticator) and
        their keys, and sends the public half: (the invitee, the server's response)."""
        newcomer = self.person()
        options = newcomer.client.post(f"/api/join/{token}/options")
        assert options.status_code == 200, options.json
        credential = newcomer.authenticator.register(options.json["publicKey"], **knobs)
        newcomer.user_id, newcomer.organization_id = options.json["user_id"], self.organization_id
        # The root key comes with the invitation link, never from the server alone.
        newcomer.bundle = KeyBundle.generate(self.organization_id, newcomer.user_id,
                                             self.root_verify_key)
        newcomer.recovery = RecoveryCode.generate()
        response = newcomer.client.post(f"/api/join/{token}/register", json={
            "challenge_id": options.json["challenge_id"], "credential": credential,
            "verify_key": b64url(newcomer.bundle.signing_key.verify_key.key),
            "public_key": b64url(newcomer.bundle.encryption_key.public_key.key),
            "wrapped_bundle": newcomer.wrapped_for(), **newcomer.recovery_material(),
        })
        return newcomer, response

    def claim(self, token: str, invitation_id: str) -> Invitee:
        """The invitee registers successfully."""
        newcomer, registered = self.register(token)
        assert registered.status_code == 200, registered.json
        return Invitee(newcomer, token, invitation_id)

    def exchange_codes(self, invitee: Invitee) -> tuple[str, str]:
        """The SAS exchange (as relayed by the channel); both sides' codes must agree."""
        assert invitee.person.bundle is not None
        greeter = GreeterExchange(self.root_verify_key, self.admin.signing_key.verify_key.key)
        claimer = ClaimerExchange(self.root_verify_key,
                                  invitee.person.bundle.signing_key.verify_key.key,
                                  invitee.person.bundle.encryption_key.public_key.key)
        reveal = greeter.reveal(claimer.hello(greeter.hello()))
        claimer.receive_reveal(reveal)
        assert greeter.codes() == claimer.codes()
        invitee.greeter, invitee.claimer = greeter, claimer
        return greeter.codes()

    def certify(self, invitee: Invitee, signer: SigningKey | None = None,
                **changes: Any) -> bytes:
        """The certificate the admin signs for what the server shows of the invitee, after the
        codes matched (`changes` make it say something else)."""
        served = self.admin.client.get(f"/api/invitations/{invitee.invitation_id}").json
        invitation = served["invitation"]
        certificate = UserCertificate(
            organization=self.organization_id, user_id=invitation["claimer_user_id"],
            display_name=invitation["display_name"], email=invitation["email"],
            site=invitation["site"], profile=invitation["profile"],
            verify_key=unb64url(invitation["claimer_verify_key"]),
            public_key=unb64url(invitation["claimer_public_key"]),
            signed_by=self.admin.user_id, issued_at=int(time.time()),
        )
        return replace(certificate, **changes).sign(signer or self.admin.signing_key)

    def complete(self, invitee: Invitee, certificate: bytes):
        return self.admin.client.post(f"/api/invitations/{invitee.invitation_id}/complete",
                                      json={"certificate": b64url(certificate)})

    def member(self, profile: str = "member", **details: str) -> Person:
        """A newcomer taken through the whole invitation, signed in."""
        invitee = self.claim(*self.invite(profile, **details))
        self.exchange_codes(invitee)
        certificate = self.certify(invitee)
        filed = self.complete(invitee, certificate)
        assert filed.status_code == 200, filed.json
        finished = invitee.person.client.post(f"/api/join/{invitee.token}/finish")
        assert finished.status_code == 200, finished.json
        invitee.person.certificate = unb64url(finished.json["certificate"])
        return invitee.person

    def revocation(self, person: Person, signer: Person | None = None) -> bytes:
        """A revocation of `person`, signed by `signer` (default: the admin)."""
        signer = signer or self.admin
        return RevocationCertificate(
            organization=self.organization_id, user_id=person.user_id,
            revoked_by=signer.user_id, revoked_at=int(time.time()),
        ).sign(signer.signing_key)

    def revoke(self, person: Person, revocation: bytes | None = None):
        return self.admin.client.post(f"/api/users/{person.user_id}/revoke", json={
            "revocation": b64url(revocation or self.revocation(person))})


@dataclass
class BootstrapAttempt:
    """The bootstrap page after the passkey was created, before it sends everything."""

    admin: Person
    token: str
    options: dict[str, Any]
    root: SigningKey
    body: dict[str, Any]

    def complete(self):
        return self.admin.client.post(f"/api/bootstrap/{self.token}/complete", json=self.body)


def prepare_bootstrap(app: Flask, token: str, **certificate_changes: Any) -> BootstrapAttempt:
    """Open the link, create the passkey, the root key and the admin's keys, and sign the
    admin certificate with the root key (`certificate_changes` make it say something else)."""
    config = app.config["PARAVENT"]
    admin = Person(same_origin_client(app),
                   SoftAuthenticator(origin=config.public_origin, rp_id=config.rp_id))
    opened = admin.client.get(f"/api/bootstrap/{token}")
    assert opened.status_code == 200, opened.json
    response = admin.client.post(f"/api/bootstrap/{token}/options", json={
        "display_name": ADMIN["display_name"], "email": ADMIN["email"]})
    assert response.status_code == 200, response.json
    options = response.json
    admin.user_id, admin.organization_id = options["user_id"], options["organization_id"]
    credential = admin.authenticator.register(options["publicKey"])
    root = SigningKey.generate()
    admin.bundle = KeyBundle.generate(admin.organization_id, admin.user_id, root.verify_key.key)
    admin.recovery = RecoveryCode.generate()
    certificate = UserCertificate(
        organization=admin.organization_id, user_id=admin.user_id, **ADMIN, profile="admin",
        verify_key=admin.bundle.signing_key.verify_key.key,
        public_key=admin.bundle.encryption_key.public_key.key,
        signed_by="root", issued_at=int(time.time()),
    )
    signed = replace(certificate, **certificate_changes).sign(root)
    admin.certificate = signed
    body = {
        "challenge_id": options["challenge_id"], "credential": credential,
        "user_id": admin.user_id, "organization_id": admin.organization_id,
        "root_verify_key": b64url(root.verify_key.key), "certificate": b64url(signed),
        "wrapped_bundle": admin.wrapped_for(), **admin.recovery_material(),
        "passkey_name": "Clé USB",
    }
    return BootstrapAttempt(admin, token, options, root, body)


def bootstrap(app: Flask, name: str = ORGANIZATION_NAME) -> Organization:
    """A new organization with its first admin, signed in."""
    token = new_bootstrap_token(app, name)
    attempt = prepare_bootstrap(app, token)
    response = attempt.complete()
    assert response.status_code == 200, response.json
    return Organization(app, attempt.admin, attempt.admin.organization_id, attempt.root, token,
                        response.json)


@pytest.fixture
def config(config: Config) -> Config:
    """The API tests' configuration, with the default request size limit."""
    return replace(config, max_request_bytes=DEFAULT_MAX_REQUEST_BYTES)


@pytest.fixture
def organization(app: Flask) -> Organization:
    return bootstrap(app)


@pytest.fixture
def channel(organization: Organization, app: Flask) -> Iterator[tuple[Any, Any, str, str]]:
    """An open invitation with the greeter and the claimer joined."""
    token, invitation_id = organization.invite()
    socketio = socketio_of(app)
    greeter = socketio.test_client(app, flask_test_client=organization.admin.client)
    claimer = socketio.test_client(app)
    joined = greeter.emit("invitation:join", {"role": "greeter", "invitation_id": invitation_id},
                          callback=True)
    assert joined == {"ok": True, "invitation_id": invitation_id}
    assert claimer.emit("invitation:join", {"role": "claimer", "token": token},
                        callback=True)["ok"]
    assert [e["args"][0] for e in greeter.get_received() if e["name"] == "invitation:peer"] == [
        {"role": "claimer"}]
    claimer.get_received()
    yield greeter, claimer, token, invitation_id
    for socket in (greeter, claimer):
        if socket.is_connected():
            socket.disconnect()
