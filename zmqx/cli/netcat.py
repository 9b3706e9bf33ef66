# SPDX-License-Identifier: BSD-3-Clause
"""``zmqx send`` and ``zmqx recv``: a netcat for ZeroMQ.

``send`` connects (or binds), waits up to ``--timeout`` for a peer that takes
the message, sends each message (``-m`` frames, or one message per stdin line)
and, for REQ, prints the reply.  ``recv`` prints each message it receives, one
line each (the format of ``_common``), or one JSON object a line.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence

import zmqx
from zmqx.constants import (DONTWAIT, LINGER, POLLIN, POLLOUT, PUB, REP, REQ,
                            ROUTING_ID, SNDTIMEO, SUB, SUBSCRIBE, XPUB)
from zmqx.cli import _common as c

SEND_TYPES = ("PUSH", "REQ", "PUB", "DEALER", "PAIR")
RECV_TYPES = ("PULL", "REP", "SUB", "ROUTER", "DEALER", "PAIR")


def add_parsers(sub: argparse._SubParsersAction[c.Parser]) -> None:
    p = sub.add_parser(
        "send", help="send messages to an endpoint",
        description="Send messages: the -m frames as one multipart message, or, "
                    "without -m, one message per line of stdin (the format `zmqx recv` "
                    "prints). Waits up to --timeout for a peer to take each message; "
                    "a REQ socket prints each reply.")
    p.add_argument("endpoint", type=c.check_endpoint, metavar="ENDPOINT")
    p.add_argument("--type", default="PUSH", type=lambda s: c.socket_type(s, SEND_TYPES),
                   help=f"socket type: {', '.join(SEND_TYPES)} (default PUSH)")
    c.add_bind(p)
    p.add_argument("-m", "--message", dest="frames", action="append", metavar="FRAME",
                   help="a frame of the message (repeat for a multipart message)")
    p.add_argument("--topic", help="a first frame to send before the others (PUB: the "
                                   "send also waits for a subscriber to this topic)")
    p.add_argument("--raw", action="store_true",
                   help="send all of stdin, bytes as they are, as one single-frame message")
    p.add_argument("--identity", help="routing id of the socket (DEALER, REQ)")
    p.add_argument("--timeout", type=c.positive_float, default=5.0, metavar="SECONDS",
                   help="how long to wait for a peer (and a REQ reply); default 5")
    c.add_encoding(p, "-m values, stdin lines and replies are")
    p.add_argument("--json", action="store_true", help="print REQ replies as JSON")
    p.set_defaults(run=run_send)

    p = sub.add_parser(
        "recv", help="receive and print messages",
        description="Print each message received: one line, frames separated by TAB, "
                    "bytes that are not printable UTF-8 escaped (\\xNN), or as --hex, "
                    "--base64, --json. A REP socket answers each request (an echo by "
                    "default).")
    p.add_argument("endpoint", type=c.check_endpoint, metavar="ENDPOINT")
    p.add_argument("--type", default="PULL", type=lambda s: c.socket_type(s, RECV_TYPES),
                   help=f"socket type: {', '.join(RECV_TYPES)} (default PULL)")
    c.add_bind(p)
    p.add_argument("-n", "--count", type=c.count, default=0, metavar="N",
                   help="exit after N messages (default 0: never)")
    p.add_argument("--timeout", type=c.positive_float, metavar="SECONDS",
                   help="exit with status 3 if no message arrives within SECONDS")
    p.add_argument("--topic", action="append", metavar="TOPIC",
                   help="SUB: subscribe to TOPIC (repeatable; default: everything)")
    p.add_argument("--reply", action="append", metavar="FRAME",
                   help="REP: answer every request with these frames (default: echo)")
    c.add_encoding(p, "print")
    p.add_argument("--raw", action="store_true",
                   help="write the frames' bytes as they are, nothing between them")
    p.add_argument("--json", action="store_true",
                   help='one JSON object a line: {"time": ..., "frames": [...]}')
    p.set_defaults(run=run_recv)


def _wait(sock: zmqx.Socket, events: int, deadline: float | None) -> bool:
    ms = -1 if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))
    return bool(sock.poll(ms, events))


def print_message(frames: Sequence[bytes], args: argparse.Namespace) -> None:
    out = sys.stdout.buffer  # UTF-8 whatever the locale: the frames' own encoding
    if args.raw:
        out.write(b"".join(frames))
    elif args.json:
        out.write(json.dumps({"time": round(time.time(), 6),
                              "frames": [c.encode_frame(f, args.encoding) for f in frames],
                              "encoding": args.encoding}).encode() + b"\n")
    else:
        out.write(c.format_message(frames, args.encoding).encode("utf-8") + b"\n")
    out.flush()


def _messages(args: argparse.Namespace) -> Iterator[list[bytes]]:
    head = [args.topic.encode()] if args.topic is not None else []
    if args.frames:
        yield head + [c.argument_frame(f, args.encoding) for f in args.frames]
    elif args.raw:
        yield head + [sys.stdin.buffer.read()]
    else:
        for raw in sys.stdin.buffer:
            yield head + c.parse_message(raw.decode("utf-8", "surrogateescape"),
                                         args.encoding)


def _wait_subscriber(sock: zmqx.Socket, topic: bytes, peer: c.PeerWatch,
                     args: argparse.Namespace, deadline: float) -> None:
    """PUB is an XPUB underneath: wait until a subscription covers ``topic``."""
    while _wait(sock, POLLIN, deadline):
        sub = sock.recv(DONTWAIT)
        if sub[:1] == b"\x01" and topic.startswith(sub[1:]):
            return
    raise c.CLIError(f"no subscriber to {topic!r} within {args.timeout:g} s "
                     f"({peer.state()})", c.EXIT_TIMEOUT)


def run_send(args: argparse.Namespace) -> int:
    if args.raw and args.frames:
        raise c.CLIError("--raw reads stdin; it does not go with -m", c.EXIT_USAGE)
    timeout_ms = int(args.timeout * 1000)
    with zmqx.Context() as ctx:
        sock = ctx.socket(XPUB if args.type == PUB else args.type)
        sock.setsockopt(LINGER, timeout_ms)    # time to flush what was sent
        sock.setsockopt(SNDTIMEO, timeout_ms)
        if args.identity is not None:
            sock.setsockopt(ROUTING_ID, args.identity.encode())
        # Connecting, a message is queued even before a peer is there: send
        # only once a handshake succeeded.  (IMMEDIATE would do that too, but
        # it drops a reply still unread when the peer disconnects.)
        peer = c.PeerWatch(sock, args.endpoint, args.bind)
        c.attach(sock, args.endpoint, args.bind)
        first = True
        for frames in _messages(args):
            if not frames:
                continue
            deadline = time.monotonic() + args.timeout
            if first and args.type == PUB:
                _wait_subscriber(sock, frames[0], peer, args, deadline)
            connected = not first or peer.wait_connected(deadline)
            if not (connected and _wait(sock, POLLOUT, deadline)):
                raise c.CLIError(f"no peer took the message within {args.timeout:g} s "
                                 f"({peer.state()})", c.EXIT_TIMEOUT)
            sock.send_multipart(frames)
            first = False
            if args.type == REQ:
                if not _wait(sock, POLLIN, deadline):
                    raise c.CLIError(f"no reply from {args.endpoint} within "
                                     f"{args.timeout:g} s", c.EXIT_TIMEOUT)
                print_message(sock.recv_multipart(), args)
        peer.close()
    return c.EXIT_OK


def run_recv(args: argparse.Namespace) -> int:
    with zmqx.Context() as ctx:
        sock = ctx.socket(args.type)
        sock.setsockopt(LINGER, 1000)  # REP replies still queued at exit
        if args.type == SUB:
            for topic in args.topic or [""]:
                sock.setsockopt(SUBSCRIBE, topic.encode())
        elif args.topic:
            raise c.CLIError("--topic is for --type SUB", c.EXIT_USAGE)
        if args.reply and args.type != REP:
            raise c.CLIError("--reply is for --type REP", c.EXIT_USAGE)
        reply = None if args.reply is None else [
            c.argument_frame(f, args.encoding) for f in args.reply]
        peer = c.PeerWatch(sock, args.endpoint, args.bind)
        c.attach(sock, args.endpoint, args.bind)
        received = 0
        while not args.count or received < args.count:
            deadline = None if args.timeout is None else time.monotonic() + args.timeout
            if not _wait(sock, POLLIN, deadline):
                raise c.CLIError(f"nothing received within {args.timeout:g} s "
                                 f"({peer.state()})", c.EXIT_TIMEOUT)
            frames = sock.recv_multipart()
            received += 1
            if args.type == REP:
                sock.send_multipart(frames if reply is None else reply)
            print_message(frames, args)
        peer.close()
    return c.EXIT_OK
