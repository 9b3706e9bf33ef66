# SPDX-License-Identifier: BSD-3-Clause
"""``zmqx keygen``: a CURVE key pair, printed, or certificate files written by
``zmqx.auth.certs.create_certificates`` (pyzmq's format)."""
from __future__ import annotations

import argparse
import importlib
import json
import os

import zmqx
from zmqx.cli import _common as c


def add_parsers(sub: argparse._SubParsersAction[c.Parser]) -> None:
    p = sub.add_parser(
        "keygen", help="make a CURVE key pair or certificate files",
        description="Without --dir, print a new CURVE key pair (Z85 text). With --dir "
                    "DIR NAME, write the certificate files DIR/NAME.key (public) and "
                    "DIR/NAME.key_secret (public and secret), as pyzmq's "
                    "zmq.auth.create_certificates does.")
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="base name of the certificate files (with --dir)")
    p.add_argument("--dir", metavar="DIR", help="write certificate files into DIR")
    p.add_argument("--json", action="store_true",
                   help='print {"public": ..., "secret": ...} (or the file paths)')
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not zmqx.has("curve"):
        raise c.CLIError("this libzmq was built without CURVE security")
    if args.dir is None:
        if args.name is not None:
            raise c.CLIError("NAME names certificate files: give --dir DIR too",
                             c.EXIT_USAGE)
        public, secret = zmqx.curve_keypair()
        if args.json:
            print(json.dumps({"public": public.decode(), "secret": secret.decode()}))
        else:
            print(f"public: {public.decode()}\nsecret: {secret.decode()}")
        return c.EXIT_OK
    if args.name is None:
        raise c.CLIError("--dir needs the certificate NAME", c.EXIT_USAGE)
    try:
        certs = importlib.import_module("zmqx.auth.certs")
    except ImportError:
        raise c.CLIError("certificate files need zmqx.auth, which this zmqx does not "
                         "have; without --dir, keygen prints a key pair") from None
    try:
        os.makedirs(args.dir, exist_ok=True)
        public_file, secret_file = certs.create_certificates(args.dir, args.name)
    except OSError as exc:
        raise c.CLIError(f"cannot write certificates in {args.dir}: "
                         f"{exc.strerror or exc}") from None
    if args.json:
        print(json.dumps({"public_file": str(public_file), "secret_file": str(secret_file)}))
    else:
        print(f"public: {public_file}\nsecret: {secret_file}")
    return c.EXIT_OK
