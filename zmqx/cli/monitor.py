# SPDX-License-Identifier: BSD-3-Clause
"""``zmqx monitor``: attach a socket to an endpoint and print its monitor
events live, one line each (time, event, value, endpoint) or one JSON object
a line.  The socket never reads or sends a message.
"""
from __future__ import annotations

import argparse
import datetime
import errno
import json
import os
import time

import zmqx
from zmqx.cli import _common as c
from zmqx.constants import LINGER, Event, SocketType
from zmqx.utils.monitor import MonitorEvent

TYPES = tuple(t.name for t in SocketType if t.name not in ("STREAM",))
_EVENTS = tuple(name for name, e in Event.__members__.items()
                if not name.startswith(("PROTOCOL_ERROR_", "ALL", "PIPES_"))
                and name != "MONITOR_STOPPED")
#: events whose value is an errno
_ERRNO_VALUE = {Event.CONNECT_DELAYED, Event.BIND_FAILED, Event.ACCEPT_FAILED, Event.CLOSE_FAILED,
                Event.HANDSHAKE_FAILED_NO_DETAIL}


def add_parsers(sub: argparse._SubParsersAction[c.Parser]) -> None:
    p = sub.add_parser(
        "monitor", help="print a socket's connection events live",
        description="Attach a socket to ENDPOINT (connect by default, --bind to bind) "
                    "and print its monitor events as they happen: time, event name, "
                    "value (a file descriptor, an errno, a retry interval in ms...) and "
                    "endpoint. The socket never reads a message, so pick a --type that "
                    "your peer sends nothing to, e.g. SUB for a PUB, DEALER for a ROUTER.")
    p.add_argument("endpoint", type=c.check_endpoint, metavar="ENDPOINT")
    p.add_argument("--type", default="DEALER", type=lambda s: c.socket_type(s, TYPES),
                   help="socket type (default DEALER)")
    c.add_bind(p)
    p.add_argument("--events", type=_event_mask, default=int(Event.ALL), metavar="LIST",
                   help="comma-separated events to show, e.g. CONNECTED,DISCONNECTED "
                        "(default: all)")
    p.add_argument("-n", "--count", type=c.count, default=0, metavar="N",
                   help="exit after N events (default 0: never)")
    p.add_argument("--duration", type=c.positive_float, metavar="SECONDS",
                   help="exit after SECONDS")
    p.add_argument("--json", action="store_true",
                   help='one JSON object a line: {"time", "event", "value", "endpoint"}')
    p.set_defaults(run=run)


def _event_mask(text: str) -> int:
    mask = 0
    for name in filter(None, (n.strip().upper() for n in text.split(","))):
        name = name.removeprefix("EVENT_")
        if name not in _EVENTS:
            raise argparse.ArgumentTypeError(
                f"unknown event {name!r} (choose from {', '.join(_EVENTS)})")
        mask |= Event[name]
    if not mask:
        raise argparse.ArgumentTypeError("no event named")
    return mask


def detail(event: MonitorEvent) -> str:
    """What the value means, in words."""
    if event.event in _ERRNO_VALUE:
        return f"{errno.errorcode.get(event.value, '?')}: {os.strerror(event.value)}"
    if event.event == Event.HANDSHAKE_FAILED_PROTOCOL and isinstance(event.value, Event):
        return event.value.name or ""
    if event.event == Event.CONNECT_RETRIED:
        return f"retry in {event.value} ms"
    if event.event in (Event.CONNECTED, Event.ACCEPTED, Event.LISTENING,
                       Event.DISCONNECTED, Event.CLOSED):
        return f"fd {event.value}"
    return ""


def format_event(event: MonitorEvent, when: float, as_json: bool) -> str:
    name = event.event.name or str(int(event.event))
    if as_json:
        return json.dumps({"time": round(when, 6), "event": name,
                           "value": int(event.value), "endpoint": event.endpoint,
                           "detail": detail(event)})
    stamp = datetime.datetime.fromtimestamp(when).isoformat(" ", "milliseconds")
    return f"{stamp}  {name:<26} {int(event.value):>6}  {event.endpoint}  {detail(event)}".rstrip()


def run(args: argparse.Namespace) -> int:
    end = None if args.duration is None else time.monotonic() + args.duration
    with zmqx.Context() as ctx:
        sock = ctx.socket(args.type)
        sock.setsockopt(LINGER, 0)
        monitor = sock.get_monitor_socket(args.events)
        c.attach(sock, args.endpoint, args.bind)
        seen = 0
        while not args.count or seen < args.count:
            ms = -1 if end is None else max(0, int((end - time.monotonic()) * 1000))
            if not monitor.poll(ms):
                break
            event = MonitorEvent.from_frames(monitor.recv_multipart())
            print(format_event(event, time.time(), args.json), flush=True)
            seen += 1
        sock.disable_monitor()
    return c.EXIT_OK
