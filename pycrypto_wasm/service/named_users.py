"""The users a workspace's history names, read from its stored entries WITHOUT verifying them:
what this worker asks the page to fetch by id (`directory.wanted`) before it verifies the
history, so that opening a workspace never needs the whole directory.

Nothing read here is believed. The history's verification then checks every certificate,
signature and authority exactly as before: a name made up here costs one more user fetched and
checked, a user the server then does not serve leaves the entries that need them failing
verification by name ("not signed by a known user", "has no verified certificate"), never
passing silently.

Named: each entry's author and the member it adds, changes or removes; the admin who signed
each revocation an entry carries (a removal's, its writer's anchors); the granters of the key
grants the page hands over; and, opening from my checkpoint, the members and past authors it
holds.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from pycrypto_wasm.backend import sizes
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity.certificates import RevocationCertificate
from pycrypto_wasm.service import params
from pycrypto_wasm.service.history import checkpoint_of, stored_entries
from pycrypto_wasm.service.params import Params, Reply
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.workspace.log import VERSION, CheckpointUnusableError


def _loose(data: bytes) -> Any:
    """A canonical value read loosely: JSON, its bytes left as `{"$bytes": base64}` (nothing
    here is checked: a name read is only fetched, then verified like any other)."""
    return json.loads(bytes(data).decode("utf-8"))


def _bytes(value: Any) -> bytes | None:
    if isinstance(value, dict) and isinstance(value.get("$bytes"), str):
        try:
            return base64.b64decode(value["$bytes"])
        except binascii.Error:
            return None
    return None


def _claims(stored: bytes) -> dict[str, Any]:
    """What a stored entry (format 2 to 4) says of itself, unverified; {} if unreadable. A
    format-4 entry is the server's placement of a signed write; older ones are signed whole."""
    try:
        signed = stored[1:]
        if stored[:1] == bytes([VERSION]):
            signed = (_bytes(_loose(signed).get("write")) or b"")[1:]
        claims = _loose(signed[1 + sizes.SIGNATURE:])
    except (AttributeError, TypeError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _revoker(signed: Any) -> str | None:
    try:
        return RevocationCertificate.peek(signed).revoked_by if isinstance(signed, bytes) \
            else None
    except (CryptoError, KeyError, TypeError, ValueError):
        return None


def _named_by(claims: dict[str, Any]) -> set[str]:
    """The author, the member concerned and the revokers an entry's claims name."""
    public = claims.get("public") if isinstance(claims.get("public"), dict) else {}
    anchors = claims.get("anchors") if isinstance(claims.get("anchors"), dict) else {}
    carried = anchors.get("revocations") if isinstance(anchors.get("revocations"), list) else []
    named = {claims.get("author"), public.get("user_id"),
             _revoker(_bytes(public.get("revocation")))}
    named |= {_revoker(_bytes(anchor.get("revocation"))) for anchor in carried
              if isinstance(anchor, dict)}
    return {name for name in named if isinstance(name, str) and name}


def named_users(state: WorkerState, workspace_id: str, request: Params) -> set[str]:
    """Everyone the history in `request` (its `entries`, `grants` and `checkpoint`) names."""
    named: set[str] = set()
    for stored in stored_entries(request):
        named |= _named_by(_claims(stored))
    for grant in request.get("grants") or []:
        granter = dict(grant).get("granted_by")
        if isinstance(granter, str) and granter:
            named.add(granter)
    try:
        checkpoint = checkpoint_of(state, workspace_id, request, keep=True)
    except CheckpointUnusableError:
        checkpoint = None  # refused: the page then sends the whole history, named above
    if checkpoint is not None:
        named |= set(checkpoint.members) | checkpoint.base.people
    return named


def wanted_users(state: WorkerState, request: Params) -> Reply:
    """The users the history in `request` names that this worker holds no certificate of yet:
    for the page to fetch by id (with what verifying them takes) before the history."""
    state.identity()
    named = named_users(state, params.text(request, "workspace_id"), request)
    return {"user_ids": sorted(named - set(state.signed_certificates))}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "directory.wanted": wanted_users,
}
