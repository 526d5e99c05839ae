"""Large organizations for tests and benchmarks: members certified by the organization's admin
with the real client code under CPython, written straight into the server's SQLite database.

The admin's keys come from their recovery bundle, opened with the recovery code their browser
showed (as a recovery sign-in does), so every certificate verifies in a browser exactly as one
the admin signed in the invitation flow. Going through the invitation API (a passkey, a code
check and four requests per member) would take minutes for thousands.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from pathlib import Path

from pycrypto_wasm.identity.certificates import UserCertificate
from pycrypto_wasm.identity.keybundle import RECOVERY_INFO, KeyBundle, unwrap
from pycrypto_wasm.identity.recovery import RecoveryCode
from pycrypto_wasm.sealing import PrivateKey
from pycrypto_wasm.signing import SigningKey


def member_name(index: int) -> str:
    return f"Member {index:05d}"


def member_email(index: int) -> str:
    return f"member{index:05d}@example.org"


def _admin_bundle(database: sqlite3.Connection, organization: str,
                  recovery_code: str) -> KeyBundle:
    """The keys of the newest organization named `organization`'s first admin."""
    admin = database.execute(
        "select users.id, users.organization_id, users.recovery_bundle from users "
        "join organizations on organizations.id = users.organization_id "
        "where organizations.name = ? and users.profile = 'admin' "
        "order by organizations.created_at desc, users.created_at limit 1",
        [organization]).fetchone()
    code = RecoveryCode.parse(recovery_code)
    return unwrap(admin[2], code.wrapping_secret(), RECOVERY_INFO, admin[1], admin[0])


def add_members(database_path: Path, organization: str, recovery_code: str,
                count: int, *, first: int = 0, site: str = "Lyon",
                profile: str = "member") -> list[str]:
    """Adds `count` members (named by `member_name`, `member_email`, from number `first`) of
    `site` with `profile` to `organization`, certified by its first admin, whose recovery code
    is given; returns their user ids."""
    with sqlite3.connect(database_path) as database:
        bundle = _admin_bundle(database, organization, recovery_code)
        signer = bundle.signing_key
        now = time.time()
        batch = secrets.token_hex(6)
        rows = []
        for index in range(first, first + count):
            user_id = f"u-{batch}{index:07d}"
            certificate = UserCertificate(
                organization=bundle.organization, user_id=user_id,
                display_name=member_name(index), email=member_email(index), site=site,
                profile=profile, verify_key=SigningKey.generate().verify_key.key,
                public_key=PrivateKey.generate().public_key.key, signed_by=bundle.user_id,
                issued_at=int(now),
            ).sign(signer)
            rows.append((user_id, bundle.organization, member_name(index), member_email(index),
                         site, profile, certificate, now + index * 1e-6))
        database.executemany(
            "insert into users (id, organization_id, display_name, email, site, profile, "
            "certificate, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return [row[0] for row in rows]
