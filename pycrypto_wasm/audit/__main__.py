"""`python -m pycrypto_wasm.audit verify FILE [--root-key FINGERPRINT]`: checks a workspace log
exported from Paravent, offline, against the organization's root verify key.

Exit status, as for any checking command: 0 when the whole log verifies; 1 when it does not
(the chain breaks, and where; an entry is forged; the file's root key is not the pinned one; a
signature or certificate does not verify under it); 2 when it cannot be checked at all (a
usage error, a file that cannot be read or is not an exported log). Entries by a user revoked
since, whose order before the revocation nothing in the log confirms, are listed as ORDER NOT
CONFIRMED (they may have been backdated); they do not change the exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pycrypto_wasm.audit.export import verify_export
from pycrypto_wasm.exceptions import CryptoError, KeyFormatError, MalformedError

VERIFIED, NOT_VERIFIED, CANNOT_CHECK = 0, 1, 2


def _cannot_check(path: Path, error: Exception) -> int:
    print(f"cannot verify {path}: {error}", file=sys.stderr)
    return CANNOT_CHECK


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pycrypto_wasm.audit",
                                     description="Verify an exported Paravent workspace log.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check an exported log file")
    verify.add_argument("file", type=Path)
    verify.add_argument("--root-key", help="the organization's root key fingerprint, to pin")
    arguments = parser.parse_args(list(argv))
    try:
        document = json.loads(arguments.file.read_text(encoding="utf-8"))
        result = verify_export(document, arguments.root_key)
    except (OSError, MalformedError, KeyFormatError) as error:
        return _cannot_check(arguments.file, error)
    except CryptoError as error:
        print(f"NOT VERIFIED: {error}")
        return NOT_VERIFIED
    except ValueError as error:
        return _cannot_check(arguments.file, error)
    print(f"Paravent log of workspace {result.workspace} (organization {result.organization})")
    print(f"root verify key: {result.root_fingerprint}"
          + ("" if arguments.root_key else " (compare it with your organization's)"))
    for user_id, name in sorted(result.authors.items()):
        print(f"author: {name} ({user_id}), certificate valid")
    for unconfirmed in result.unconfirmed:
        print(f"ORDER NOT CONFIRMED: {unconfirmed}")
    if result.verified:
        print(f"CHAIN VERIFIED: {result.entries} entries, head {result.head}")
        return VERIFIED
    for forgery in result.forgeries:
        print(f"FORGED: {forgery}")
    if result.problem is not None:
        print(f"CHAIN BROKEN at entry {result.broken_at} of {result.entries}: {result.problem}")
        print(f"entries 1 to {result.verified_entries} verify; nothing after them can be trusted")
    return NOT_VERIFIED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
