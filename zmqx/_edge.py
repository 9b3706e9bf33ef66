# SPDX-License-Identifier: BSD-3-Clause
"""The endpoint calls of a cooperative socket (zmqx.green, zmqx.anyio) that
pass ZMQ_FD's edge on to the waiters it may have consumed.

libzmq processes the socket's pending commands inside bind/connect/unbind/
disconnect, which can drain the edge-triggered ZMQ_FD a waiter is watching;
so after each, a socket with waiters (``_nwait``) calls ``_fd_drained()``,
which re-reads ZMQ_EVENTS and wakes whoever it now lets through.
"""
from __future__ import annotations

from typing import Any


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
