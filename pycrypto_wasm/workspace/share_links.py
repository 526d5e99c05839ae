"""Download links: one or several file versions shared with someone who has no account.

The link's secret lives in the URL's fragment, which browsers never send to the server. Formats:

- **Link secret** (the fragment), version 1: `0x01 || flags (1) || secret (32)`, base64url.
  Flag bit 0: the link has a password (the recipient's page asks for it before anything else).
- **Password header** (stored by the server, public), version 1: `0x01 || salt (16)`. Version 1
  fixes the parameters: those of `passwords.stretch_password` (Argon2id, libsodium's
  ALG_ARGON2ID13, opslimit 3, memlimit 64 MiB, 32 bytes out, the password as NFC UTF-8).
- **Derivation**: `master = BLAKE2b-256(key=secret, "paravent share link v1" || 0 || link id ||
  0 || argon2id(password))` (nothing after the second 0 without a password); the wrapping key is
  crypto_kdf subkey 1 of `master` for context "pvlinkwr", the access proof subkey 2 for
  "pvlinkpf". The server keeps `BLAKE2b-256(proof)` (the verifier) and compares it with the
  proof a recipient sends: it learns neither the secret, nor the password, nor the wrapping key,
  and a wrong password gets no bytes. A stolen database cannot test passwords offline without
  the fragment; whoever holds the fragment pays one Argon2id per guess.
- **Key box**: the link key (random, 32 bytes) in an envelope (`envelope.py`, version 1) under
  the wrapping key, bound to the link's id.
- **Payload**: an envelope under the link key, bound to the link's id, holding the canonical
  encoding of `{"format": 1, "label", "watermark", "organization", "workspace", "files"}`: for
  each file its id, version, name, type, size and the references of its blocks (keys and
  digests), which are the stored blocks of the workspace, unchanged.
- **Sharer's copy**: an envelope under the workspace key of index `key_index`, bound to the
  organization, workspace and link, holding `{"format": 1, "fragment", "link_key", "label",
  "files"}` (the file names), so that the members can list the link and copy it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrypto_wasm import canonical, envelope, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError, UnsupportedVersionError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.passwords import stretch_password
from pycrypto_wasm.random import random_bytes, random_key
from pycrypto_wasm.workspace.blocks import BlockRef

SECRET_VERSION = 1
PASSWORD_VERSION = 1
PAYLOAD_FORMAT = 1
SHARER_COPY_FORMAT = 1
SECRET_SIZE = 32
FLAG_PASSWORD = 0x01
WATERMARKS = ("none", "preview_only", "download_watermarked")
_DOMAIN = b"paravent share link v1"


class WrongLinkError(MalformedError):
    """The link's fragment is not a download link's secret."""

    code = "bad_link"


@dataclass(frozen=True)
class LinkSecret:
    """What the fragment carries: the secret and whether a password is needed too."""

    secret: bytes
    has_password: bool

    def to_bytes(self) -> bytes:
        return frame(SECRET_VERSION, bytes([FLAG_PASSWORD if self.has_password else 0]),
                     self.secret)

    @classmethod
    def from_bytes(cls, data: bytes) -> LinkSecret:
        try:
            body = unframe(data, version=SECRET_VERSION, min_body=1 + SECRET_SIZE,
                           what="download link")
        except UnsupportedVersionError:
            raise
        except MalformedError as error:
            raise WrongLinkError(str(error)) from error
        if len(body) != 1 + SECRET_SIZE or body[0] & ~FLAG_PASSWORD:
            raise WrongLinkError("download link: malformed secret")
        return cls(body[1:], bool(body[0] & FLAG_PASSWORD))

    @classmethod
    def new(cls, has_password: bool) -> LinkSecret:
        return cls(random_bytes(SECRET_SIZE), has_password)


@dataclass(frozen=True)
class LinkKeys:
    wrapping_key: bytes
    proof: bytes

    @property
    def verifier(self) -> bytes:
        return verifier_of(self.proof)


def verifier_of(proof: bytes) -> bytes:
    """What the server stores to check a proof: its unkeyed BLAKE2b-256 (hashlib's too)."""
    return hashing.blake2b(proof)


def password_header(salt: bytes) -> bytes:
    return frame(PASSWORD_VERSION, salt)


def salt_of(header: bytes) -> bytes:
    body = unframe(header, version=PASSWORD_VERSION, min_body=sizes.PWHASH_SALT,
                   what="link password header")
    if len(body) != sizes.PWHASH_SALT:
        raise MalformedError("link password header: wrong length")
    return body


def derive_keys(link_id: str, secret: bytes, stretched_password: bytes = b"") -> LinkKeys:
    """The wrapping key and the access proof of a link, from its secret and, when it has one,
    its password already stretched by `stretch_password`."""
    master = hashing.blake2b(_DOMAIN + b"\0" + link_id.encode("ascii") + b"\0"
                             + stretched_password, key=secret)
    return LinkKeys(hashing.derive_subkey(master, subkey_id=1, context="pvlinkwr"),
                    hashing.derive_subkey(master, subkey_id=2, context="pvlinkpf"))


def _key_box_context(link_id: str) -> Context:
    return Context(purpose="share-link-key", object_id=link_id)


def _payload_context(link_id: str) -> Context:
    return Context(purpose="share-link", object_id=link_id)


def _sharer_copy_context(organization: str, workspace: str, link_id: str) -> Context:
    return Context(purpose="share-link-copy", organization=organization, workspace=workspace,
                   object_id=link_id)


def seal_key_box(wrapping_key: bytes, link_id: str, link_key: bytes, *,
                 nonce: bytes | None = None) -> bytes:
    return envelope.seal(wrapping_key, _key_box_context(link_id), link_key, nonce=nonce)


def open_key_box(wrapping_key: bytes, link_id: str, key_box: bytes) -> bytes:
    link_key = envelope.open_(wrapping_key, _key_box_context(link_id), key_box)
    if len(link_key) != sizes.AEAD_KEY:
        raise MalformedError("the link's key box holds no key")
    return link_key


@dataclass(frozen=True)
class SharedFile:
    file_id: str
    version: int
    name: str
    mime: str
    size: int
    blocks: list[BlockRef]

    def to_value(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "version": self.version, "name": self.name,
                "mime": self.mime, "size": self.size,
                "blocks": [ref.to_value() for ref in self.blocks]}

    @classmethod
    def from_value(cls, value: Any) -> SharedFile:
        try:
            return cls(value["file_id"], value["version"], value["name"], value["mime"],
                       value["size"], [BlockRef.from_value(ref) for ref in value["blocks"]])
        except (KeyError, TypeError) as error:
            raise MalformedError("the link lists a malformed file") from error


@dataclass(frozen=True)
class LinkPayload:
    label: str
    watermark: str
    organization: str
    workspace: str
    files: list[SharedFile]

    def to_value(self) -> dict[str, Any]:
        return {"format": PAYLOAD_FORMAT, "label": self.label, "watermark": self.watermark,
                "organization": self.organization, "workspace": self.workspace,
                "files": [shared.to_value() for shared in self.files]}

    @classmethod
    def from_value(cls, value: Any) -> LinkPayload:
        if not isinstance(value, dict) or value.get("format") != PAYLOAD_FORMAT:
            raise UnsupportedVersionError("the link's content is of an unknown format")
        try:
            payload = cls(value["label"], value["watermark"], value["organization"],
                          value["workspace"],
                          [SharedFile.from_value(item) for item in value["files"]])
        except (KeyError, TypeError) as error:
            raise MalformedError("the link's content is malformed") from error
        if payload.watermark not in WATERMARKS:
            raise MalformedError(f"unknown watermark setting {payload.watermark!r}")
        return payload

    def block_ids(self) -> list[str]:
        return [ref.block_id for shared in self.files for ref in shared.blocks]


def seal_payload(link_key: bytes, link_id: str, payload: LinkPayload, *,
                 nonce: bytes | None = None) -> bytes:
    return envelope.seal(link_key, _payload_context(link_id),
                         canonical.encode(payload.to_value()), nonce=nonce)


def open_payload(link_key: bytes, link_id: str, sealed: bytes) -> LinkPayload:
    return LinkPayload.from_value(canonical.decode(
        envelope.open_(link_key, _payload_context(link_id), sealed)))


@dataclass(frozen=True)
class SharerCopy:
    """What a workspace's members keep of a link: its fragment and key, label and file names."""

    fragment: bytes
    link_key: bytes
    label: str
    files: list[str]


def seal_sharer_copy(workspace_key: bytes, *, organization: str, workspace: str,
                     link_id: str, copy: SharerCopy, nonce: bytes | None = None) -> bytes:
    return envelope.seal(
        workspace_key, _sharer_copy_context(organization, workspace, link_id),
        canonical.encode({"format": SHARER_COPY_FORMAT, "fragment": copy.fragment,
                          "link_key": copy.link_key, "label": copy.label,
                          "files": copy.files}), nonce=nonce)


def open_sharer_copy(workspace_key: bytes, *, organization: str, workspace: str,
                     link_id: str, sealed: bytes) -> SharerCopy:
    """A link as its workspace's members keep it."""
    value = canonical.decode(envelope.open_(
        workspace_key, _sharer_copy_context(organization, workspace, link_id), sealed))
    if not isinstance(value, dict) or value.get("format") != SHARER_COPY_FORMAT:
        raise UnsupportedVersionError("the link's copy is of an unknown format")
    try:
        return SharerCopy(value["fragment"], value["link_key"], value["label"], value["files"])
    except KeyError as error:
        raise MalformedError("the link's copy is malformed") from error


@dataclass(frozen=True)
class NewLink:
    """Everything a new link is made of: the fragment for the URL, and what the server keeps."""

    fragment: bytes
    link_key: bytes
    password_header: bytes | None
    verifier: bytes
    key_box: bytes
    payload: bytes


def new_link(link_id: str, payload: LinkPayload, password: str | None) -> NewLink:
    """A new link's secret and sealed parts; `password` None (or empty) for none."""
    secret = LinkSecret.new(has_password=bool(password))
    header = password_header(random_bytes(sizes.PWHASH_SALT)) if password else None
    stretched = stretch_password(password, salt_of(header)) if password and header else b""
    keys = derive_keys(link_id, secret.secret, stretched)
    link_key = random_key()
    return NewLink(secret.to_bytes(), link_key, header, keys.verifier,
                   seal_key_box(keys.wrapping_key, link_id, link_key),
                   seal_payload(link_key, link_id, payload))


def recipient_keys(link_id: str, fragment: bytes, header: bytes | None,
                   password: str | None) -> LinkKeys:
    """The keys the recipient's page derives from the fragment and the password typed."""
    secret = LinkSecret.from_bytes(fragment)
    if secret.has_password != (header is not None):
        raise WrongLinkError("the link and the server disagree on whether it has a password")
    stretched = stretch_password(password or "", salt_of(header)) if header else b""
    return derive_keys(link_id, secret.secret, stretched)
