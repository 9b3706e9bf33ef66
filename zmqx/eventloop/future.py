# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.eventloop.future: awaited sockets for tornado coroutines (pyzmq's
``zmq.eventloop.future``).

tornado's Future is asyncio's and its IOLoop runs on asyncio, so these are
zmqx.asyncio's Context, Socket and Poller under their own names: what they
return can be awaited, or yielded from a ``tornado.gen.coroutine``.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from zmqx import asyncio as _aio

__all__ = ["Context", "Socket", "Poller", "CancelledError"]

CancelledError = asyncio.CancelledError  # what a cancelled call raises


class Socket(_aio.Socket):
    """zmqx.asyncio.Socket, as pyzmq's ``zmq.eventloop.future.Socket``."""


class Poller(_aio.Poller):
    """zmqx.asyncio.Poller, as pyzmq's ``zmq.eventloop.future.Poller``."""


class Context(_aio.Context):
    """Makes eventloop.future Sockets; its ``instance()`` is its own.  An
    ``io_loop`` argument is accepted and ignored (the running loop serves)."""

    _socket_class = Socket

    def __init__(self, *args: Any, io_loop: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    if TYPE_CHECKING:
        def socket(self, socket_type: int, **kwargs: Any) -> Socket: ...
