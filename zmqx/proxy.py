# SPDX-License-Identifier: BSD-3-Clause
"""Proxies: zmq_proxy, zmq_proxy_steerable and its statistics, the priority proxy.

The loops themselves run in C without the GIL (``zmqx._zmq``); this module
gives them pyzmq's signatures and its ending rule: a proxy raises
``ContextTerminated`` when its context terminates (close its sockets in that
``except`` so ``term()`` can finish), returns when told TERMINATE, and raises
what a signal handler raises (Ctrl-C).
"""
from __future__ import annotations

import struct
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from zmqx import _zmq
from zmqx._zmq import priority_proxy
from zmqx.constants import DONTWAIT, EAGAIN, POLLIN, POLLOUT
from zmqx.errors import Again

if TYPE_CHECKING:
    from zmqx._zmq import Frame, Socket

__all__ = [
    "ProxyStatistics",
    "SideStatistics",
    "device",
    "priority_proxy",
    "proxy",
    "proxy_statistics",
    "proxy_steerable",
]


def proxy(frontend: Socket, backend: Socket, capture: Socket | None = None) -> int:
    """Forward messages both ways between ``frontend`` and ``backend`` (zmq_proxy).

    ``capture``, if given, gets a copy of every message.  Runs until the
    context terminates, then raises ``ContextTerminated`` (as pyzmq): close
    the sockets then, so ``term()`` can finish.
    """
    return _zmq.proxy(frontend, backend, capture)


def proxy_steerable(frontend: Socket, backend: Socket, capture: Socket | None = None,
                    control: Socket | None = None) -> int:
    """proxy() obeying commands on ``control`` (zmq_proxy_steerable).

    Commands are single frames: PAUSE, RESUME, TERMINATE (the proxy returns
    0), STATISTICS (replied with 8 uint64 frames; see
    :func:`proxy_statistics`).  Use a PAIR control socket: libzmq 4.3.4
    answers only STATISTICS, so a REQ peer is stuck after any other command.
    Raises ``ContextTerminated`` when the context terminates.  Without
    ``control`` it is proxy().
    """
    return _zmq.proxy_steerable(frontend, backend, capture, control)


def device(device_type: int, frontend: Socket, backend: Socket) -> int:
    """The legacy zmq_device(): proxy(frontend, backend), whatever ``device_type``
    (QUEUE, FORWARDER, STREAMER), as libzmq does; raises ``ContextTerminated``
    when the context terminates."""
    return proxy(frontend, backend)


class SideStatistics(NamedTuple):
    """What one proxy socket has passed: whole messages and their bytes."""

    messages_in: int
    bytes_in: int
    messages_out: int
    bytes_out: int


class ProxyStatistics(NamedTuple):
    """A steerable proxy's answer to STATISTICS, per side.

    ``frontend.messages_in`` counts messages the proxy took from the frontend
    (and ``backend.messages_out`` those it handed to the backend's queue);
    messages a producer sent beyond ``frontend.messages_in`` are still queued
    before the proxy.
    """

    frontend: SideStatistics
    backend: SideStatistics

    @classmethod
    def from_frames(cls, frames: Sequence[bytes | Frame]) -> ProxyStatistics:
        """Parse the reply: 8 frames, each a native-endian uint64 (libzmq's order:
        frontend msgs in, bytes in, msgs out, bytes out, then the backend's)."""
        if len(frames) != 8 or any(len(f) != 8 for f in frames):
            raise ValueError(f"STATISTICS reply must be 8 frames of 8 bytes, got "
                             f"{[len(f) for f in frames]}")
        values = [struct.unpack("=Q", bytes(f))[0] for f in frames]
        return cls(SideStatistics(*values[:4]), SideStatistics(*values[4:]))


def proxy_statistics(control: Socket, timeout: float | None = 1.0) -> ProxyStatistics:
    """Ask a steerable proxy for its statistics over ``control`` (PAIR or REQ).

    Waits at most ``timeout`` seconds (None: for ever) in all, to send the
    request and for the reply; raises ``zmqx.Again`` if that time ran out.
    """
    deadline = None if timeout is None else time.monotonic() + timeout

    def wait(events: int) -> None:
        ms = -1 if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))
        if not control.poll(ms, events):
            raise Again(EAGAIN, "no STATISTICS reply within the timeout")

    wait(POLLOUT)
    control.send(b"STATISTICS", DONTWAIT)
    wait(POLLIN)
    return ProxyStatistics.from_frames(control.recv_multipart())
