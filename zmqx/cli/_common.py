# SPDX-License-Identifier: BSD-3-Clause
"""What every ``zmqx`` command shares: exit codes, one-line errors, opening a
socket on an endpoint, the signal rules, and the line format of messages.

A message is printed (``recv``) and read (``send`` from stdin) as one line:

* text (default): each frame as UTF-8 with ``\\``, control characters and
  invalid bytes escaped (``\\t``, ``\\n``, ``\\x00``...), frames separated by a
  TAB -- so any bytes survive, and ``recv | send`` round-trips;
* ``--hex`` / ``--base64``: each frame encoded, frames separated by a space,
  an empty frame written ``-``.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import errno as _errno
import re
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

import zmqx
from zmqx.constants import Event, SocketType

#: exit codes scripts can rely on (also in the docs' CLI page)
EXIT_OK = 0
EXIT_ERROR = 1        # the operation failed: bad endpoint, refused bind, zmq error
EXIT_USAGE = 2        # bad command line
EXIT_TIMEOUT = 3      # nothing arrived / no peer took a message within --timeout
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT); SIGTERM gives 143

TRANSPORTS = ("tcp", "ipc", "inproc", "pgm", "epgm", "tipc", "vmci", "udp", "ws", "wss")
_ENDPOINT = re.compile(r"^([a-z]+)://(.+)$")


class CLIError(Exception):
    """A failure reported as ``zmqx CMD: error: MESSAGE`` with an exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


class Stopped(BaseException):
    """Raised by the SIGTERM handler: stop cleanly, exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.code = 128 + signum


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and --help still is the help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def socket_type(name: str, allowed: Sequence[str]) -> int:
    """The SocketType of ``name`` (any case), which must be one of ``allowed``."""
    upper = name.upper()
    if upper not in allowed:
        raise argparse.ArgumentTypeError(
            f"invalid socket type {name!r} (choose from {', '.join(allowed)})")
    return int(SocketType[upper])


def check_endpoint(endpoint: str) -> str:
    """Reject what cannot work from a separate process before libzmq sees it."""
    m = _ENDPOINT.match(endpoint)
    if m is None:
        raise argparse.ArgumentTypeError(
            f"bad endpoint {endpoint!r}: expected TRANSPORT://ADDRESS, "
            "e.g. tcp://127.0.0.1:5555 or ipc:///tmp/sock")
    if m.group(1) not in TRANSPORTS:
        raise argparse.ArgumentTypeError(
            f"bad endpoint {endpoint!r}: unknown transport {m.group(1)!r}")
    if m.group(1) == "inproc":
        raise argparse.ArgumentTypeError(
            f"bad endpoint {endpoint!r}: inproc:// only reaches sockets in the same "
            "process; use tcp:// or ipc://")
    return endpoint


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def add_bind(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--connect", dest="bind", action="store_false", default=False,
                       help="connect to ENDPOINT (the default)")
    group.add_argument("--bind", dest="bind", action="store_true",
                       help="bind to ENDPOINT instead of connecting")


def add_encoding(parser: argparse.ArgumentParser, what: str) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--hex", dest="encoding", action="store_const", const="hex",
                       default="text", help=f"{what} frames in hex")
    group.add_argument("--base64", dest="encoding", action="store_const", const="base64",
                       help=f"{what} frames in base64")


def attach(sock: zmqx.Socket, endpoint: str, bind: bool) -> None:
    """Bind or connect ``sock``; a failure becomes a one-line CLIError."""
    try:
        if bind:
            sock.bind(endpoint)
        else:
            sock.connect(endpoint)
    except zmqx.ZMQError as exc:
        verb = "bind" if bind else "connect"
        reason = {
            _errno.EINVAL: "invalid endpoint",
            _errno.EPROTONOSUPPORT: "transport not supported",
            _errno.EADDRINUSE: "address already in use",
            _errno.EADDRNOTAVAIL: "address not available on this machine",
            _errno.EACCES: "permission denied",
            _errno.ENODEV: "no such network interface",
        }.get(exc.errno or 0, exc.strerror)
        raise CLIError(f"cannot {verb} {endpoint}: {reason}") from None


class PeerWatch:
    """The monitor of a connecting socket: waits for a peer to complete the
    handshake, and says what went wrong when none did.  For a bound socket
    (``bind``) it watches nothing and every wait succeeds at once."""

    _EVENTS = (Event.CONNECTED | Event.CONNECT_RETRIED | Event.DISCONNECTED
               | Event.HANDSHAKE_SUCCEEDED | Event.HANDSHAKE_FAILED_PROTOCOL
               | Event.HANDSHAKE_FAILED_NO_DETAIL | Event.HANDSHAKE_FAILED_AUTH)

    def __init__(self, sock: zmqx.Socket, endpoint: str, bind: bool) -> None:
        self.sock = sock
        self.endpoint = endpoint
        self.monitor = None if bind else sock.get_monitor_socket(self._EVENTS)
        self.seen: set[Event] = set()

    def _read(self, ms: int) -> bool:
        assert self.monitor is not None
        if not self.monitor.poll(ms):
            return False
        frames = self.monitor.recv_multipart()
        if len(frames) == 2 and len(frames[0]) == 6:
            self.seen.add(Event(int.from_bytes(frames[0][:2], sys.byteorder)))
        return True

    def wait_connected(self, deadline: float) -> bool:
        """Until a handshake succeeded (True) or ``deadline`` (monotonic) passed."""
        if self.monitor is None:
            return True
        while Event.HANDSHAKE_SUCCEEDED not in self.seen:
            if not self._read(max(0, int((deadline - time.monotonic()) * 1000))):
                return False
        return True

    def state(self) -> str:
        """What the socket saw so far, for a timeout's message."""
        if self.monitor is None:
            return f"no peer connected to {self.endpoint}"
        while self._read(0):
            pass
        failed = {Event.HANDSHAKE_FAILED_PROTOCOL, Event.HANDSHAKE_FAILED_NO_DETAIL,
                  Event.HANDSHAKE_FAILED_AUTH}
        if self.seen & failed or (Event.DISCONNECTED in self.seen
                                  and Event.HANDSHAKE_SUCCEEDED not in self.seen):
            return f"{self.endpoint} refused the handshake (wrong socket type?)"
        if Event.HANDSHAKE_SUCCEEDED in self.seen:
            return f"connected to {self.endpoint}"
        if Event.CONNECT_RETRIED in self.seen:
            return f"peer unreachable: nothing accepts connections at {self.endpoint}"
        return f"no peer at {self.endpoint}"

    def close(self) -> None:
        if self.monitor is not None:
            self.sock.disable_monitor()
            self.monitor = None


# --- signals -------------------------------------------------------------------

def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextmanager
def stoppable() -> Iterator[None]:
    """SIGTERM raises Stopped (a clean stop) while the block runs; Ctrl-C stays
    KeyboardInterrupt.  Both unwind through the command's cleanup."""
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- the line format of a message ------------------------------------------------

_ESCAPES = {ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"}
_UNESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[\\tnr])")
_SIMPLE = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def encode_frame(frame: bytes, encoding: str) -> str:
    """One frame as printable text (see the module docstring)."""
    if encoding != "text" and not frame:
        return "-"
    if encoding == "hex":
        return frame.hex()
    if encoding == "base64":
        return base64.b64encode(frame).decode("ascii")
    text = frame.decode("utf-8", "surrogateescape")
    out = []
    for ch in text:
        code = ord(ch)
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
        elif 0xDC80 <= code <= 0xDCFF:  # an invalid byte, kept by surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


def decode_frame(text: str, encoding: str) -> bytes:
    """The inverse of encode_frame; a malformed frame raises CLIError."""
    if encoding != "text" and text == "-":
        return b""
    try:
        if encoding == "hex":
            return bytes.fromhex(text)
        if encoding == "base64":
            return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise CLIError(f"not valid {encoding}: {text[:40]!r}", EXIT_USAGE) from None
    parts = []
    pos = 0
    for m in _UNESCAPE.finditer(text):
        parts.append(text[pos:m.start()].encode("utf-8", "surrogateescape"))
        code = m.group(1)
        parts.append(bytes([int(code[1:], 16)]) if code[0] == "x"
                     else _SIMPLE[code].encode())
        pos = m.end()
    parts.append(text[pos:].encode("utf-8", "surrogateescape"))
    return b"".join(parts)


def argument_frame(text: str, encoding: str) -> bytes:
    """A frame given on the command line (-m, --reply): hex or base64 when asked
    for, else the text itself (UTF-8), taken literally."""
    if encoding == "text":
        return text.encode("utf-8", "surrogateescape")
    return decode_frame(text, encoding)


def format_message(frames: Sequence[bytes], encoding: str) -> str:
    sep = "\t" if encoding == "text" else " "
    return sep.join(encode_frame(f, encoding) for f in frames)


def parse_message(line: str, encoding: str) -> list[bytes]:
    line = line.rstrip("\r\n")
    parts = line.split("\t") if encoding == "text" else line.split()
    return [decode_frame(p, encoding) for p in parts]
