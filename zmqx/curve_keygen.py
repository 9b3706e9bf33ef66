# SPDX-License-Identifier: BSD-3-Clause
"""``python -m zmqx.curve_keygen``: print a CURVE key pair (pyzmq's ``zmq.curve_keygen``).

``--json`` prints ``{"public": ..., "secret": ...}``; ``--secret KEY`` derives the
public key of an existing Z85 secret key instead of making a new pair.  For
certificate files use ``python -m zmqx.auth keygen`` (or ``zmqx keygen --dir``).
"""
from __future__ import annotations

import argparse
import json
import sys

import zmqx


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m zmqx.curve_keygen",
                                     description="Print a Z85-encoded CURVE key pair.")
    parser.add_argument("--json", action="store_true", help="print the keys as a JSON object")
    parser.add_argument("--secret", help="derive the public key of this Z85 secret key")
    args = parser.parse_args(argv)
    if args.secret:
        try:
            public = zmqx.curve_public(args.secret.encode("ascii")).decode()
        except (ValueError, UnicodeEncodeError, zmqx.ZMQError) as e:
            parser.exit(2, f"{parser.prog}: error: bad secret key: {e}\n")
        secret = args.secret
    else:
        pub, sec = zmqx.curve_keypair()
        public, secret = pub.decode(), sec.decode()
    if args.json:
        json.dump({"public": public, "secret": secret}, sys.stdout, indent=1, sort_keys=True)
        print()
    else:  # libzmq's curve_keygen layout, without its banner
        print(f"== CURVE PUBLIC KEY ==\n{public}\n\n== CURVE SECRET KEY ==\n{secret}")


if __name__ == "__main__":
    _main()
