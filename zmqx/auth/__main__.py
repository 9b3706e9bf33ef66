# SPDX-License-Identifier: BSD-3-Clause
"""``python -m zmqx.auth keygen NAME DIR``: make a CURVE certificate pair.

:func:`main` takes the argument list, so a larger command line (``zmqx
keygen``) can call it.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from zmqx.auth.certs import create_certificates


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m zmqx.auth",
                                     description="ZAP and CURVE certificate tools")
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="create NAME.key and NAME.key_secret in DIR")
    keygen.add_argument("name", metavar="NAME", help="certificate name (file stem)")
    keygen.add_argument("directory", metavar="DIR", nargs="?", default=".",
                        help="where to write the files (created if missing; default .)")
    keygen.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                        help="metadata written into the secret certificate")
    args = parser.parse_args(argv)
    metadata = {}
    for item in args.meta:
        key, eq, value = item.partition("=")
        if not eq:
            parser.error(f"--meta needs KEY=VALUE, not {item!r}")
        metadata[key] = value
    if os.sep in args.name or args.name in ("", ".", ".."):
        parser.error(f"NAME must be a file name, not {args.name!r}")
    os.makedirs(args.directory, exist_ok=True)
    try:
        public_file, secret_file = create_certificates(args.directory, args.name,
                                                       metadata or None)
    except (OSError, ValueError) as e:
        print(f"keygen: {e}", file=sys.stderr)
        return 1
    print(public_file)
    print(secret_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
