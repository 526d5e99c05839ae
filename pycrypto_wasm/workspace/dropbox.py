"""Drop boxes: the formats that let someone without an account deposit files into a space.

A member's browser makes a drop link: a random 32-byte link secret, carried only in the link's
URL fragment, and a fresh X25519 drop key pair. Every format starts with its version byte
(`VERSION`, 1) and binds its place (organization, workspace, link or deposit id):

- **Link keys** (`link_keys`): the info key is libsodium's KDF of the secret (subkey 1, context
  "pvdropin"); the deposit signing key is Ed25519 from the KDF (subkey 2, context "pvdropsg")
  of BLAKE2b keyed by the secret over the password input, whose first byte is the password
  derivation's version (`PASSWORD_VERSION`, named in the link info as `password_version`):
  version 2 (links made now): `0x02 || argon2id(password)` with `passwords.stretch_password`
  (Argon2id, the download links' parameters) salted with the KDF of the secret (subkey 3,
  context "pvdropsl", 16 bytes), just `0x02` for a link without a password; version 1 (links
  made before, whose info names no version): `0x01 || password` as UTF-8, read still so that
  their depositors can deposit. The server stores only the verify key: it checks that a deposit
  was signed by someone holding the link (and its password), and cannot sign one itself; whoever
  holds the link and the database pays one Argon2id per password guessed (version 2).
- **Link info** (what the depositor's page reads): `0x01 || envelope(info key, canonical
  {label, drop_key, max_files, max_file_bytes, password, password_version, email_required})`,
  bound to the link. The drop public key comes from there, never from the server's word, so a
  server cannot slip in a key of its own to read what is deposited.
- **Link descriptor** (what members read): a manifest (`manifest.py`) of kind "drop-link",
  signed by its creator and sealed under the workspace key, holding the label, the dossier, the
  secret, the drop key's private seed and the verify key. Re-sealed under the current key after
  every rotation (a new version), as any document.
- **Deposit**: the depositor's browser encrypts each file's blocks (format-1 blocks, `blocks.py`,
  bound to `<deposit id>.<file index>`), then seals `0x01 || sealed box to the drop key of
  canonical {link, depositor: {name, email}, files: [{name, mime, size, sha256, blocks}],
  sent_at}` and signs, with the link's signing key, canonical {link, deposit, sealed (BLAKE2b of
  the sealed deposit), files (each file's block ids)} (`signing.py` format 1). Members' browsers
  refuse, by name, a deposit whose signature is not the link's.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from pycrypto_wasm import canonical, envelope, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import (
    BadSignatureError,
    CryptoError,
    MalformedError,
    UnsupportedVersionError,
)
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.passwords import stretch_password
from pycrypto_wasm.sealing import PrivateKey, PublicKey
from pycrypto_wasm.signing import SigningKey, VerifyKey

VERSION = 1
SECRET_SIZE = 32
INFO_KDF_CONTEXT = "pvdropin"
SIGNING_KDF_CONTEXT = "pvdropsg"
SALT_KDF_CONTEXT = "pvdropsl"
DESCRIPTOR_KIND = "drop-link"
PASSWORD_VERSION = 2
LEGACY_PASSWORD_VERSION = 1


class ForgedDepositError(CryptoError, ValueError):
    """A deposit that the drop link's secret did not sign, or that is not what it signed."""

    code = "forged_deposit"


@dataclass(frozen=True)
class LinkKeys:
    """What the link secret (and password) give: the info key and the deposit signing key."""

    info_key: bytes
    signing_key: SigningKey


def info_key(secret: bytes) -> bytes:
    """The key of a drop link's info, from its secret alone."""
    if len(secret) != SECRET_SIZE:
        raise MalformedError(f"a drop link's secret is {SECRET_SIZE} bytes")
    return hashing.derive_subkey(secret, subkey_id=1, context=INFO_KDF_CONTEXT)


def _password_input(secret: bytes, password: str, version: int) -> bytes:
    if version == LEGACY_PASSWORD_VERSION:
        return frame(version, password.encode("utf-8"))
    if version != PASSWORD_VERSION:
        raise UnsupportedVersionError(f"drop link password derivation version {version} is "
                                      "unknown to this browser")
    if not password:
        return frame(version)
    salt = hashing.derive_subkey(secret, subkey_id=3, context=SALT_KDF_CONTEXT,
                                 size=sizes.PWHASH_SALT)
    return frame(version, stretch_password(password, salt))


def link_keys(secret: bytes, password: str = "", *,
              version: int = PASSWORD_VERSION) -> LinkKeys:
    """The keys of a drop link, from its secret and its password ("" when it has none), derived
    as password derivation `version` says (the link info's `password_version`)."""
    key = info_key(secret)
    with_password = hashing.blake2b(_password_input(secret, password, version), key=secret)
    seed = hashing.derive_subkey(with_password, subkey_id=2, context=SIGNING_KDF_CONTEXT)
    return LinkKeys(key, SigningKey(seed))


def password_version(info: dict[str, Any]) -> int:
    """The password derivation a link's (opened) info names: 1 for links made before it did."""
    version = info.get("password_version", LEGACY_PASSWORD_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise MalformedError("drop link info names a malformed password derivation")
    return version


def _link_context(organization: str, workspace: str, link_id: str) -> Context:
    return Context(purpose="drop-link-info", organization=organization, workspace=workspace,
                   object_id=link_id)


def _deposit_context(purpose: str, organization: str, workspace: str,
                     deposit_id: str) -> Context:
    return Context(purpose=purpose, organization=organization, workspace=workspace,
                   object_id=deposit_id)


def seal_link_info(info_key: bytes, info: dict[str, Any], *, organization: str, workspace: str,
                   link_id: str, nonce: bytes | None = None) -> bytes:
    """What the depositor's page shows and uses (the drop public key among it), sealed."""
    context = _link_context(organization, workspace, link_id)
    return frame(VERSION, envelope.seal(info_key, context, canonical.encode(info), nonce=nonce))


def open_link_info(info_key: bytes, sealed: bytes, *, organization: str, workspace: str,
                   link_id: str) -> dict[str, Any]:
    context = _link_context(organization, workspace, link_id)
    body = unframe(sealed, version=VERSION, min_body=envelope.OVERHEAD, what="drop link info")
    info = canonical.decode(envelope.open_(info_key, context, body))
    if not isinstance(info, dict) or not isinstance(info.get("drop_key"), bytes):
        raise MalformedError("drop link info names no drop key")
    return info


def deposit_file_id(deposit_id: str, index: int) -> str:
    """The object id that binds the blocks of a deposit's file `index` to it."""
    return f"{deposit_id}.{index}"


def seal_deposit(drop_key: PublicKey, content: dict[str, Any], *, organization: str,
                 workspace: str, deposit_id: str) -> bytes:
    """The deposit's names, sizes, hashes and block keys, readable with the drop key only."""
    context = _deposit_context("drop-deposit", organization, workspace, deposit_id)
    return frame(VERSION, drop_key.seal(context, canonical.encode(content)))


def open_deposit(drop_key: PrivateKey, sealed: bytes, *, organization: str, workspace: str,
                 deposit_id: str) -> dict[str, Any]:
    context = _deposit_context("drop-deposit", organization, workspace, deposit_id)
    body = unframe(sealed, version=VERSION, min_body=1, what=f"deposit {deposit_id}")
    content = canonical.decode(drop_key.unseal(context, body))
    if not isinstance(content, dict) or not isinstance(content.get("files"), list):
        raise MalformedError(f"deposit {deposit_id} lists no files")
    return content


def signed_claims(*, link_id: str, deposit_id: str, sealed: bytes,
                  files: list[list[str]]) -> dict[str, Any]:
    """What a deposit's signature covers: its link, its id, its sealed content, its blocks."""
    return {"link": link_id, "deposit": deposit_id, "sealed": hashing.blake2b(sealed),
            "files": files}


def sign_deposit(signing_key: SigningKey, claims: dict[str, Any], *, organization: str,
                 workspace: str) -> bytes:
    context = _deposit_context("drop-deposit-signature", organization, workspace,
                               claims["deposit"])
    return signing_key.sign_object(context, claims)


def verify_deposit(verify_key: VerifyKey, signature: bytes, claims: dict[str, Any], *,
                   organization: str, workspace: str, label: str) -> None:
    """Raise ForgedDepositError unless the link (`label`) signed exactly these claims."""
    context = _deposit_context("drop-deposit-signature", organization, workspace,
                               claims["deposit"])
    try:
        signed = verify_key.verify_object(context, signature)
    except (BadSignatureError, MalformedError) as error:
        raise ForgedDepositError(
            f"deposit {claims['deposit']} was not made through drop link «{label}»: its "
            "signature is not the link's (forged by the server?), refused") from error
    if not hmac.compare_digest(canonical.encode(signed), canonical.encode(claims)):
        raise ForgedDepositError(
            f"deposit {claims['deposit']} is not what drop link «{label}» signed: refused")
