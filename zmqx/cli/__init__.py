# SPDX-License-Identifier: BSD-3-Clause
"""The ``zmqx`` command line (also ``python -m zmqx``): builds the parser,
runs the chosen command and turns every failure into a one-line error and an
exit code (``zmqx.cli._common``: 0 ok, 1 failed, 2 usage, 3 timeout, 130
Ctrl-C, 143 SIGTERM).

Commands: monitor, proxy, send, recv, keygen, bench.  ``zmqx bench`` hands its
arguments to the benchmark suite's own command line (``python -m zmqx.bench``).
"""
from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import zmqx
from zmqx.cli import _common as c
from zmqx.cli import keygen, monitor, netcat, proxy

__all__ = ["main", "build_parser"]


def build_parser() -> c.Parser:
    parser = c.Parser(
        prog="zmqx",
        description="Watch and wire ZeroMQ sockets: monitor connections, run a proxy "
                    "with live statistics, send and receive test messages, make CURVE "
                    "keys, benchmark zmqx against pyzmq.",
        epilog="Exit status: 0 done, 1 failed (bad endpoint, refused bind...), 2 bad "
               "command line, 3 timed out (no peer, no message), 130 interrupted. "
               "`zmqx COMMAND --help` describes each command.")
    parser.add_argument("--version", action="version",
                        version=f"zmqx {zmqx.__version__} (libzmq {zmqx.zmq_version()})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=c.Parser)
    monitor.add_parsers(sub)
    proxy.add_parsers(sub)
    netcat.add_parsers(sub)
    keygen.add_parsers(sub)
    sub.add_parser("bench", help="run the benchmark suite (see zmqx bench --help)",
                   add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["bench"]:
        bench = importlib.import_module("zmqx.bench.cli")
        return int(bench.main(args_list[1:]))
    args = build_parser().parse_args(args_list)
    prog = f"zmqx {args.command}"
    try:
        with c.stoppable():
            return int(args.run(args))
    except c.CLIError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exc.code
    except zmqx.Again as exc:
        print(f"{prog}: error: timed out ({exc.strerror})", file=sys.stderr)
        return c.EXIT_TIMEOUT
    except zmqx.ZMQError as exc:
        print(f"{prog}: error: {exc.strerror}", file=sys.stderr)
        return c.EXIT_ERROR
    except KeyboardInterrupt:
        return c.EXIT_INTERRUPTED
    except c.Stopped as exc:
        return exc.code
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, as cat does, and
        # keep the interpreter's final flush of stdout from failing again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return c.EXIT_OK
