"""No secret a browser holds reaches the server's disk: after a bootstrap, an invitation, a new
passkey, a recovery code change and sign-ins, the data folder (SQLite files and WAL included)
holds none of the PRF outputs, recovery codes (text, secret, derived secrets), private key seeds
or the root key's seed, in any usual encoding."""

from __future__ import annotations

import base64

from api.config import Config
from pycrypto_wasm.identity.recovery import RecoveryCode
from tests.api.conftest import database_of


def _encodings(secret: bytes) -> set[bytes]:
    return {
        secret, secret.hex().encode(), secret.hex().upper().encode(),
        base64.b64encode(secret), base64.b64encode(secret).rstrip(b"="),
        base64.urlsafe_b64encode(secret), base64.urlsafe_b64encode(secret).rstrip(b"="),
    }


def _secrets_of(person) -> dict[str, bytes]:
    found = {
        f"{person.user_id} signing seed": person.bundle.signing_seed,
        f"{person.user_id} encryption seed": person.bundle.encryption_seed,
    }
    for credential_id in person.authenticator.credentials:
        found[f"{person.user_id} PRF {credential_id.hex()[:8]}"] = (
            person.authenticator.prf_output(credential_id))
    return found


def _recovery_secrets(name: str, code: RecoveryCode) -> dict[str, bytes]:
    return {
        f"{name} recovery secret": code.secret,
        f"{name} recovery text": code.text().encode(),
        f"{name} recovery text (plain)": code.text().replace("-", "").encode(),
        f"{name} recovery wrapping secret": code.wrapping_secret(),
        f"{name} recovery login token": code.login_token(),
    }


def _stored_bytes(config: Config) -> bytes:
    """Everything the server stored: the data folder's files (the SQLite database and its WAL
    included), and every value of every table when the database is PostgreSQL."""
    files = [path for path in config.data_dir.rglob("*") if path.is_file()]
    stored = [path.read_bytes() for path in files]
    if config.database is not None:
        with database_of(config) as connection:
            for table in connection.table_names():
                for row in connection.query(f"select * from {table}"):
                    stored.extend(value if isinstance(value, bytes) else str(value).encode()
                                  for value in row.values())
    else:
        assert config.database_path in files
    return b"".join(stored)


def test_no_secrets_at_rest(organization, app):
    admin = organization.admin
    member = organization.member()
    admin.add_passkey("Téléphone")
    old_code = admin.recovery
    admin.recovery = RecoveryCode.generate()
    material = admin.recovery_material()
    assert admin.client.put("/api/recovery", json={
        "login_token_digest": material["recovery_token_digest"],
        "recovery_bundle": material["recovery_bundle"]}).status_code == 200
    assert admin.login().status_code == 200
    assert member.login().status_code == 200

    secrets = {"root seed": organization.root.seed, **_secrets_of(admin), **_secrets_of(member),
               **_recovery_secrets("admin (old)", old_code),
               **_recovery_secrets("admin", admin.recovery),
               **_recovery_secrets("member", member.recovery)}
    with database_of(app.config["PARAVENT"]) as connection:  # the rows must really be there
        assert connection.execute("select count(*) from users").fetchone()[0] == 2
        assert connection.execute("select count(*) from passkeys").fetchone()[0] == 3
    disk = _stored_bytes(app.config["PARAVENT"])
    # The scan sees what was stored (WAL included): public keys and certificates are there.
    assert organization.root_verify_key in disk and member.certificate in disk
    leaked = [name for name, secret in secrets.items()
              if any(encoded in disk for encoded in _encodings(secret))]
    assert leaked == []
