"""Evidence of a workspace's latest head that the server cannot forge, for a browser that
remembers none: a member's signed answer to a freshness question, and the record of my own last
heads that my passkey keeps (WebAuthn largeBlob).

Freshness answer, format version 1: `0x01 || signed object` (signing.py) by the answering
member's signing key, for the context (purpose "freshness-answer", organization, workspace,
object id = the asking user), over the canonical `{"answerer", "nonce", "seq", "hash"}`: the
last head the answerer's browser verified, bound to the asker's 32-byte random nonce, so an
answer can neither be replayed to another question, workspace or user, nor made by the server.

Heads record, format version 1: `0x01 || envelope` (envelope.py) under libsodium's KDF of the
encryption seed of my key bundle (subkey 2, context "pvheads1"), bound to the organization and
my user id; the sealed plaintext is a message signed by my signing key (same context) whose
payload is `written_at u32 || count u16 || count * (id length u8 || workspace id (ASCII) ||
seq u32 || head hash 32 || own state version u32 || verified_at u32)`, big-endian: 71 bytes for
a workspace id of 26 characters. The whole record is at most `MAX_RECORD` bytes (1,024: the
smallest large-blob storage CTAP 2.1 allows an authenticator, shared by all its passkeys), that
is 12 such workspaces; past it the workspaces whose heads this browser verified longest ago are
left out, and a browser with no other memory of those asks the members online.
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Callable
from dataclasses import dataclass

from pycrypto_wasm import envelope, hashing
from pycrypto_wasm.backend import sizes
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.signing import SigningKey, VerifyKey, unverified_payload

ANSWER_VERSION = 1
RECORD_VERSION = 1
NONCE_SIZE = 32
ANSWER_PURPOSE = "freshness-answer"
RECORD_PURPOSE = "passkey-heads"
KDF_CONTEXT = "pvheads1"
KDF_SUBKEY_ID = 2
MAX_RECORD = 1024
_HEADER = struct.Struct(">IH")
_HEAD = struct.Struct(">I32sII")
_RECORD_OVERHEAD = 1 + envelope.OVERHEAD + 1 + sizes.SIGNATURE + _HEADER.size


@dataclass(frozen=True)
class Head:
    """A workspace's head as a browser verified it, with my own state's version then."""

    workspace: str
    seq: int
    hash: bytes
    own_state: int = 0
    verified_at: int = 0


@dataclass(frozen=True)
class Answer:
    """A member's signed answer: the head their browser verified, for one question."""

    answerer: str
    seq: int
    hash: bytes


def _answer_context(organization: str, workspace: str, asker: str) -> Context:
    return Context(purpose=ANSWER_PURPOSE, organization=organization, workspace=workspace,
                   object_id=asker)


def sign_answer(signing_key: SigningKey, *, organization: str, workspace: str, asker: str,
                answerer: str, nonce: bytes, seq: int, head_hash: bytes) -> bytes:
    """The answer to `asker`'s question `nonce`: my verified head of `workspace`."""
    if len(nonce) != NONCE_SIZE or len(head_hash) != sizes.HASH:
        raise MalformedError("a freshness answer binds a 32-byte nonce and a 32-byte hash")
    signed = signing_key.sign_object(_answer_context(organization, workspace, asker), {
        "answerer": answerer, "nonce": nonce, "seq": seq, "hash": head_hash})
    return frame(ANSWER_VERSION, signed)


def answerer_of(answer: bytes) -> str:
    """Who claims to have signed `answer` (NOT verified: only to pick the key to verify)."""
    body = unframe(answer, version=ANSWER_VERSION, min_body=1 + sizes.SIGNATURE,
                   what="freshness answer")
    claimed = unverified_payload(body)
    if not isinstance(claimed, dict) or not isinstance(claimed.get("answerer"), str):
        raise MalformedError("not a freshness answer")
    return claimed["answerer"]


def verify_answer(answer: bytes, verify_key: VerifyKey, *, organization: str, workspace: str,
                  asker: str, nonce: bytes) -> Answer:
    """The head an answer states; BadSignatureError or MalformedError unless it answers exactly
    this question."""
    body = unframe(answer, version=ANSWER_VERSION, min_body=1 + sizes.SIGNATURE,
                   what="freshness answer")
    value = verify_key.verify_object(_answer_context(organization, workspace, asker), body)
    if not isinstance(value, dict) or set(value) != {"answerer", "nonce", "seq", "hash"}:
        raise MalformedError("not a freshness answer")
    seq, head_hash = value["seq"], value["hash"]
    if value["nonce"] != nonce:
        raise MalformedError("this freshness answer is for another question (its nonce differs)")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0 or not isinstance(
            head_hash, bytes) or len(head_hash) != sizes.HASH:
        raise MalformedError("a freshness answer names a head by its position and hash")
    return Answer(str(value["answerer"]), seq, head_hash)


def contradiction(served: int, hash_at: Callable[[int], bytes], answer: Answer,
                  name: str) -> tuple[str, int] | None:
    """What a member's answer proves against the history the server serves (`served` entries,
    `hash_at` the hash of each), and the first entry concerned; None if the answer is on it."""
    if answer.seq > served:
        return (f"the server withholds entries {served + 1} to {answer.seq} of this "
                f"workspace's history: {name}'s browser verified it up to entry {answer.seq}, "
                f"but the server serves it only up to entry {served}", served + 1)
    if answer.seq and not hmac.compare_digest(hash_at(answer.seq), answer.hash):
        return (f"the server shows {name} a different history of this workspace at or before "
                f"entry {answer.seq}: it was forked", answer.seq)
    return None


def record_key(encryption_seed: bytes) -> bytes:
    """The key of my heads record, from the encryption seed of my key bundle."""
    return hashing.derive_subkey(encryption_seed, subkey_id=KDF_SUBKEY_ID, context=KDF_CONTEXT)


def _record_context(organization: str, user_id: str) -> Context:
    return Context(purpose=RECORD_PURPOSE, organization=organization, object_id=user_id)


def _packed(head: Head) -> bytes:
    workspace = head.workspace.encode("ascii")
    if not 0 < len(workspace) < 256 or len(head.hash) != sizes.HASH:
        raise MalformedError(f"heads record: cannot hold the head of {head.workspace!r}")
    return bytes([len(workspace)]) + workspace + _HEAD.pack(head.seq, head.hash, head.own_state,
                                                            head.verified_at)


def kept_heads(heads: list[Head]) -> list[Head]:
    """The heads a record holds within `MAX_RECORD`: the most recently verified first."""
    newest = sorted(heads, key=lambda head: (head.verified_at, head.workspace), reverse=True)
    kept, size = [], _RECORD_OVERHEAD
    for head in newest:
        size += len(_packed(head))
        if size > MAX_RECORD:
            break
        kept.append(head)
    return sorted(kept, key=lambda head: head.workspace)


def seal_record(key: bytes, signing_key: SigningKey, heads: list[Head], *, organization: str,
                user_id: str, written_at: int, nonce: bytes | None = None) -> bytes:
    """My heads (those `kept_heads` keeps) signed and sealed for my passkey. `nonce` is for
    test vectors only: leave it random."""
    kept = kept_heads(heads)
    payload = _HEADER.pack(written_at, len(kept)) + b"".join(_packed(head) for head in kept)
    context = _record_context(organization, user_id)
    sealed = envelope.seal(key, context, signing_key.sign(context, payload), nonce=nonce)
    return frame(RECORD_VERSION, sealed)


def open_record(key: bytes, verify_key: VerifyKey, record: bytes, *, organization: str,
                user_id: str) -> tuple[int, list[Head]]:
    """When my record was written and the heads it holds; DecryptionError, BadSignatureError or
    MalformedError for any record I did not seal, for this organization and user."""
    body = unframe(record, version=RECORD_VERSION, min_body=envelope.OVERHEAD,
                   what="heads record")
    context = _record_context(organization, user_id)
    payload = verify_key.verify(context, envelope.open_(key, context, body))
    if len(payload) < _HEADER.size:
        raise MalformedError("heads record: truncated")
    written_at, count = _HEADER.unpack_from(payload)
    heads, offset = [], _HEADER.size
    for _ in range(count):
        length = payload[offset] if offset < len(payload) else 0
        end = offset + 1 + length + _HEAD.size
        if not length or end > len(payload):
            raise MalformedError("heads record: truncated")
        workspace = payload[offset + 1:offset + 1 + length].decode("ascii", errors="replace")
        seq, head_hash, own_state, verified_at = _HEAD.unpack_from(payload, offset + 1 + length)
        heads.append(Head(workspace, seq, head_hash, own_state, verified_at))
        offset = end
    if offset != len(payload):
        raise MalformedError("heads record: its length does not match its count")
    return written_at, heads
