# SPDX-License-Identifier: BSD-3-Clause
"""What the cooperative sockets (zmqx.green, zmqx.anyio) share: the endpoint
calls that pass ZMQ_FD's edge on to the waiters, and send_many's retryable try.

libzmq processes the socket's pending commands inside bind/connect/unbind/
disconnect, which can drain the edge-triggered ZMQ_FD a waiter is watching;
so after each, a socket with waiters (``_nwait``) calls ``_fd_drained()``,
which re-reads ZMQ_EVENTS and wakes whoever it now lets through.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zmqx import _zmq
from zmqx.constants import NOBLOCK
from zmqx.errors import Again

_send_many = _zmq.Socket.send_many


class EndpointsWakeWaiters:
    """Mixin placed before the zmqx Socket class it extends."""

    _nwait: int

    def _fd_drained(self) -> None:
        raise NotImplementedError

    def bind(self, addr: str | bytes) -> Any:
        result = super().bind(addr)  # type: ignore[misc]
        if self._nwait:
            self._fd_drained()
        return result

    def connect(self, addr: str | bytes) -> Any:
        result = super().connect(addr)  # type: ignore[misc]
        if self._nwait:
            self._fd_drained()
        return result

    def unbind(self, addr: str | bytes) -> None:
        super().unbind(addr)  # type: ignore[misc]
        if self._nwait:
            self._fd_drained()

    def disconnect(self, addr: str | bytes) -> None:
        super().disconnect(addr)  # type: ignore[misc]
        if self._nwait:
            self._fd_drained()


class ManySender:
    """send_many's attempt, retried by the socket's wait loop: sends what is
    left of ``messages`` without blocking; raises Again until all went
    (unless ``flags`` has NOBLOCK).  ``done`` counts what was sent (``e.sent``
    on an error)."""

    __slots__ = ("sock", "seq", "flags", "copy", "done")

    def __init__(self, sock: _zmq.Socket, messages: Iterable[Any], flags: int,
                 copy: bool) -> None:
        self.sock, self.flags, self.copy, self.done = sock, flags, copy, 0
        self.seq = (messages if type(messages) is list or type(messages) is tuple
                    else list(messages))

    def __call__(self) -> int:
        seq = self.seq
        self.done += _send_many(self.sock, seq[self.done:] if self.done else seq, NOBLOCK,
                                self.copy)
        if self.done < len(seq) and not self.flags & NOBLOCK:
            raise Again()
        return self.done
