"""`python -m pycrypto_wasm.audit verify FILE [--root-key FINGERPRINT]`: checks a workspace log
exported from Paravent, offline, against the organization's root verify key.

Exit status: 0 when the whole chain verifies, 1 when it is broken (the entry where it breaks is
named), 2 when the file cannot be read as an exported log.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pycrypto_wasm.audit.export import verify_export
from pycrypto_wasm.exceptions import CryptoError


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
    except (OSError, ValueError, CryptoError) as error:
        print(f"cannot verify {arguments.file}: {error}", file=sys.stderr)
        return 2
    print(f"Paravent log of workspace {result.workspace} (organization {result.organization})")
    print(f"root verify key: {result.root_fingerprint}"
          + ("" if arguments.root_key else " (compare it with your organization's)"))
    for user_id, name in sorted(result.authors.items()):
        print(f"author: {name} ({user_id}), certificate valid")
    if result.verified:
        print(f"CHAIN VERIFIED: {result.entries} entries, head {result.head}")
        return 0
    for forgery in result.forgeries:
        print(f"FORGED: {forgery}")
    if result.problem is not None:
        print(f"CHAIN BROKEN at entry {result.broken_at} of {result.entries}: {result.problem}")
        print(f"entries 1 to {result.verified_entries} verify; nothing after them can be trusted")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
