# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.eventloop.future: sockets whose calls return Futures, for tornado
(pyzmq's ``zmq.eventloop.future``).

tornado's Future is asyncio's and its IOLoop runs on asyncio, so these are
zmqx.asyncio's Context, Socket and Poller whose I/O calls always hand back an
``asyncio.Future`` (what zmqx.asyncio returns if it is one, else a Task
running it, or an asyncio.Future holding the result of a call that
completed at once): ``await`` it, ``yield`` it in a ``tornado.gen.coroutine``, or
pass it to ``IOLoop.add_future``.
"""
from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any, Callable

from zmqx import asyncio as _aio

__all__ = ["Context", "Socket", "Poller", "CancelledError"]

CancelledError = asyncio.CancelledError  # what a cancelled call raises

_FUTURE_METHODS = ("send", "recv", "send_multipart", "recv_multipart", "recv_into",
                   "send_string", "send_json", "send_pyobj", "send_serialized",
                   "recv_string", "recv_json", "recv_pyobj", "recv_serialized",
                   "send_many", "recv_many", "poll")


def _as_future(result: Any) -> Any:
    """An ``asyncio.Future`` for what a zmqx.asyncio call returned: tornado's
    ``is_future`` (so ``IOLoop.add_future``) accepts only that class, not
    zmqx.asyncio's compiled already-done future."""
    if isinstance(result, asyncio.Future):
        return result
    if not asyncio.isfuture(result):
        return asyncio.ensure_future(result)
    fut: asyncio.Future[Any] = result.get_loop().create_future()
    if result.cancelled():
        fut.cancel()
    elif (error := result.exception()) is not None:
        fut.set_exception(error)
    else:
        fut.set_result(result.result())
    return fut


def _returning_future(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        return _as_future(method(*args, **kwargs))
    return call


class Socket(_aio.Socket):
    """zmqx.asyncio.Socket whose I/O calls return ``asyncio.Future`` objects
    (pyzmq's ``zmq.eventloop.future.Socket``)."""


for _name in _FUTURE_METHODS:
    setattr(Socket, _name, _returning_future(getattr(_aio.Socket, _name)))


class Poller(_aio.Poller):
    """zmqx.asyncio.Poller whose poll() returns a Future."""


Poller.poll = _returning_future(_aio.Poller.poll)  # type: ignore[method-assign]


class Context(_aio.Context):
    """Makes eventloop.future Sockets; its ``instance()`` is its own.  An
    ``io_loop`` argument is accepted and ignored (the running loop serves)."""

    _socket_class = Socket

    def __init__(self, *args: Any, io_loop: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    if TYPE_CHECKING:
        def socket(self, socket_type: int, **kwargs: Any) -> Socket: ...
