"""What this browser learned of each unopened result's category, sealed for the user alone, so
that the delivery board puts the urgent results nobody opened first without decrypting every
unopened result at each visit (web/views/delivery-board.js).

Only an unopened result can be urgent and unopened, and none may hide on a later page, so the
board needs the category of each: about 1 ms of the worker per result read (its manifest fetched,
decrypted and its signature checked), a partner space holding a dozen or more. What the board
shows of a row is read when the row is shown; of the others it needs only the category. A
category is remembered with the hash of the version it was read from, as the verified history
records it: a later version (a corrected result) is not believed until it is read again.

Key: the user's checkpoint key (checkpoint.py), under a purpose of its own: like a checkpoint,
this is the browser's own record of what it verified, kept beside it in IndexedDB, and only the
key bundle's holder derives the key.

Format version 1: `0x01 || envelope` (envelope.py, bound to the organization, the workspace and
the user), sealing the canonical encoding of `{dossier_id: [version hash, category]}`. A record
altered, of another user or workspace, or of another format is refused (MalformedError or a
decryption error): the board then reads every unopened result, as a fresh browser does.
"""

from __future__ import annotations

from collections.abc import Mapping

from pycrypto_wasm import canonical, envelope
from pycrypto_wasm.context import Context
from pycrypto_wasm.exceptions import MalformedError
from pycrypto_wasm.framing import frame, unframe
from pycrypto_wasm.workspace.history import History
from pycrypto_wasm.workspace.results import CATEGORIES

VERSION = 1
PURPOSE = "result-categories"

# A dossier id's category as read from the version of that hash.
Categories = dict[str, tuple[bytes, str]]


def _context(organization: str, workspace: str, user_id: str) -> Context:
    return Context(purpose=PURPOSE, organization=organization, workspace=workspace,
                   object_id=user_id, version=VERSION)


def seal_categories(key: bytes, categories: Mapping[str, tuple[bytes, str]], *,
                    organization: str, workspace: str, user_id: str,
                    nonce: bytes | None = None) -> bytes:
    """`categories` sealed for `user_id`. `nonce` is for test vectors only."""
    encoded = canonical.encode({dossier_id: [version_hash, category]
                                for dossier_id, (version_hash, category) in categories.items()})
    return frame(VERSION, envelope.seal(key, _context(organization, workspace, user_id),
                                        encoded, nonce=nonce))


def open_categories(key: bytes, sealed: bytes, *, organization: str, workspace: str,
                    user_id: str) -> Categories:
    """The categories `seal_categories` sealed for this user and workspace."""
    body = unframe(sealed, version=VERSION, min_body=envelope.OVERHEAD,
                   what="result categories")
    value = canonical.decode_sealed(envelope.open_(
        key, _context(organization, workspace, user_id), body))
    if not isinstance(value, dict):
        raise MalformedError("result categories: expected a mapping")
    opened: Categories = {}
    for dossier_id, entry in value.items():
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], bytes)
                and len(entry[0]) == 32 and entry[1] in CATEGORIES):
            raise MalformedError(f"result categories: malformed entry for {dossier_id}")
        opened[dossier_id] = (entry[0], entry[1])
    return opened


def current(history: History, categories: Mapping[str, tuple[bytes, str]]) -> Categories:
    """The entries of `categories` read from the latest version `history` records of their
    result (a result since changed, deleted or never recorded is left out)."""
    kept: Categories = {}
    for dossier_id, (version_hash, category) in categories.items():
        latest = history.latest.get(dossier_id)
        if latest is not None and latest.kind == "dossier" and not latest.deleted \
                and latest.hash == version_hash:
            kept[dossier_id] = (version_hash, category)
    return kept
