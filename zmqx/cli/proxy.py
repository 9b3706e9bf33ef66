# SPDX-License-Identifier: BSD-3-Clause
"""``zmqx proxy``: run a steerable proxy and show its statistics live.

The proxy (``zmqx.proxy_steerable``) runs in a thread; the main thread asks it
for STATISTICS over an inproc PAIR every ``--interval`` and prints them: a
status line redrawn in place on a terminal, one plain line (or JSON object)
per interval otherwise.  On exit (``--duration``, Ctrl-C, SIGTERM) it prints
the final counts, tells the proxy TERMINATE and closes its sockets.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
import time
from typing import Any

import zmqx
from zmqx.cli import _common as c
from zmqx.constants import (DEALER, LINGER, PAIR, POLLIN, PUB, PULL, PUSH, ROUTER,
                            XPUB, XSUB)
from zmqx.proxy import ProxyStatistics, SideStatistics

KINDS = {"ROUTER-DEALER": (ROUTER, DEALER), "XSUB-XPUB": (XSUB, XPUB),
         "PULL-PUSH": (PULL, PUSH)}
_CONTROL = "inproc://zmqx-cli-proxy-control"


def add_parsers(sub: argparse._SubParsersAction[c.Parser]) -> None:
    p = sub.add_parser(
        "proxy", help="run a proxy and show its live statistics",
        description="Forward messages between FRONTEND and BACKEND with libzmq's "
                    "proxy and show, every --interval, the messages and bytes each "
                    "side took in and handed out, and the rates. Sockets connect by "
                    "default; --bind binds them all, --bind-frontend/--bind-backend/"
                    "--bind-capture one each.")
    p.add_argument("frontend", type=c.check_endpoint, metavar="FRONTEND")
    p.add_argument("backend", type=c.check_endpoint, metavar="BACKEND")
    p.add_argument("--type", default="ROUTER-DEALER", type=_kind,
                   help=f"socket pair: {', '.join(KINDS)} (default ROUTER-DEALER)")
    p.add_argument("--capture", type=c.check_endpoint, metavar="ENDPOINT",
                   help="a PUB socket on ENDPOINT gets a copy of every message")
    p.add_argument("--bind", action="store_true", help="bind every socket")
    for side in ("frontend", "backend", "capture"):
        p.add_argument(f"--bind-{side}", action="store_true", help=f"bind the {side}")
    p.add_argument("--interval", type=c.positive_float, default=1.0, metavar="SECONDS",
                   help="time between two statistics (default 1)")
    p.add_argument("--duration", type=c.positive_float, metavar="SECONDS",
                   help="stop after SECONDS (default: run until Ctrl-C)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per interval instead of the status line")
    p.set_defaults(run=run)


def _kind(text: str) -> str:
    kind = text.upper()
    if kind not in KINDS:
        raise argparse.ArgumentTypeError(
            f"invalid proxy type {text!r} (choose from {', '.join(KINDS)})")
    return kind


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


class Display:
    """Prints statistics: redrawn in place on a tty, else a line (or JSON) each."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.tty = sys.stdout.isatty() and not as_json
        self.last: tuple[float, ProxyStatistics] | None = None
        self.drawn = False

    def show(self, stats: ProxyStatistics, final: bool = False) -> None:
        now = time.monotonic()
        dt = now - self.last[0] if self.last else 0.0
        prev = self.last[1] if self.last else stats
        rates = {"forward_msgs": stats.frontend.messages_in - prev.frontend.messages_in,
                 "forward_bytes": stats.frontend.bytes_in - prev.frontend.bytes_in,
                 "back_msgs": stats.backend.messages_in - prev.backend.messages_in,
                 "back_bytes": stats.backend.bytes_in - prev.backend.bytes_in}
        per_s = {k: (v / dt if dt > 0 else 0.0) for k, v in rates.items()}
        self.last = (now, stats)
        if self.as_json:
            record: dict[str, Any] = {"time": round(time.time(), 6),
                                      "frontend": stats.frontend._asdict(),
                                      "backend": stats.backend._asdict(),
                                      "rates": {k: round(v, 1) for k, v in per_s.items()},
                                      "final": final}
            print(json.dumps(record), flush=True)
            return
        line = (f"frontend {self._side(stats.frontend)} | backend "
                f"{self._side(stats.backend)} | -> {per_s['forward_msgs']:.0f} msg/s "
                f"{_size(per_s['forward_bytes'])}/s  <- {per_s['back_msgs']:.0f} msg/s "
                f"{_size(per_s['back_bytes'])}/s")
        if self.tty:
            width = shutil.get_terminal_size().columns - 1
            sys.stdout.write("\r\x1b[K" + line[:width] + ("\n" if final else ""))
            sys.stdout.flush()
            self.drawn = not final
        else:
            print(line, flush=True)

    @staticmethod
    def _side(s: SideStatistics) -> str:
        return (f"in {s.messages_in} msg {_size(s.bytes_in)} "
                f"out {s.messages_out} msg {_size(s.bytes_out)}")

    def close(self) -> None:
        if self.drawn:
            sys.stdout.write("\n")
            sys.stdout.flush()


def _reply(control: zmqx.Socket, timeout: float) -> ProxyStatistics | None:
    if not control.poll(int(timeout * 1000), POLLIN):
        return None
    return ProxyStatistics.from_frames(control.recv_multipart())


def run(args: argparse.Namespace) -> int:
    front_type, back_type = KINDS[args.type]
    with zmqx.Context() as ctx:
        sockets = {"frontend": ctx.socket(front_type), "backend": ctx.socket(back_type)}
        if args.capture:
            sockets["capture"] = ctx.socket(PUB)
        endpoints = {"frontend": args.frontend, "backend": args.backend,
                     "capture": args.capture}
        for side, sock in sockets.items():
            sock.setsockopt(LINGER, 0)
            c.attach(sock, endpoints[side], args.bind or getattr(args, f"bind_{side}"))
        control, theirs = ctx.socket(PAIR), ctx.socket(PAIR)
        control.bind(_CONTROL)
        theirs.connect(_CONTROL)
        thread = threading.Thread(
            target=zmqx.proxy_steerable, name="zmqx-proxy", daemon=True,
            args=(sockets["frontend"], sockets["backend"], sockets.get("capture"), theirs))
        thread.start()
        display = Display(args.json)
        try:
            _report(control, display, args)
        finally:
            display.close()
            control.send(b"TERMINATE")
            thread.join(5.0)
    return c.EXIT_OK


def _report(control: zmqx.Socket, display: Display, args: argparse.Namespace) -> None:
    """Ask for STATISTICS every interval until --duration ends (or a signal)."""
    start = time.monotonic()
    end = None if args.duration is None else start + args.duration
    tick = start
    pending = False
    try:
        while end is None or tick < end:
            tick += args.interval
            if end is not None:
                tick = min(tick, end)
            if not pending:
                control.send(b"STATISTICS")
                pending = True
            stats = _reply(control, max(0.0, tick - time.monotonic()))
            if stats is not None:
                pending = False
                display.show(stats)
            time.sleep(max(0.0, tick - time.monotonic()))
    finally:
        # the final count, whatever stopped us (a second Ctrl-C skips it)
        if pending:
            _reply(control, 1.0)
        control.send(b"STATISTICS")
        stats = _reply(control, 1.0)
        if stats is not None:
            display.show(stats, final=True)
