# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.eventloop.future: sockets whose calls return Futures, for tornado
(pyzmq's ``zmq.eventloop.future``).

tornado's Future is asyncio's and its IOLoop runs on asyncio, so these are
zmqx.asyncio's Context, Socket and Poller whose I/O calls hand back a Future
of this module's own kind (as pyzmq's are): ``await`` it, ``yield`` it in a
``tornado.gen.coroutine``, or pass it to ``IOLoop.add_future``.  Cancelling
one -- or closing its socket -- makes it raise this module's CancelledError.
"""
from __future__ import annotations

import asyncio
import functools
import warnings
from collections.abc import Coroutine, Generator
from typing import TYPE_CHECKING, Any, Callable

from zmqx import asyncio as _aio

if TYPE_CHECKING:
    from zmqx._zmq import _Pollable

__all__ = ["Context", "Socket", "Poller", "CancelledError"]


class CancelledError(asyncio.CancelledError, Exception):
    """What a cancelled call's Future raises.  An Exception, as pyzmq's is,
    and an asyncio.CancelledError, so a Task awaiting the Future, or
    asyncio.wait_for, treats it as the cancellation it is."""


class _Future(asyncio.Future):  # type: ignore[type-arg]
    """The Future of one call, following the zmqx.asyncio call: the Future it
    returned (``_inner``) or, where the call is a coroutine, the coroutine
    itself (``_coro``), which it steps as a Task would -- the first step at
    once, so a call that can complete now needs no Task and no loop turn --
    and ``_inner`` is then the Future the coroutine waits on.

    As pyzmq's tornado Future: cancel() completes it with a CancelledError
    (then cancelled() is True).  Invariants: it never drops a finished call's
    outcome -- cancel() cancels the call first (its inner Future, and a
    CancelledError thrown into its coroutine), and when the call went through
    all the same, keeps its outcome and returns False.  ``_awaiter`` is the
    Task awaiting it (Python 3.11+) with its cancelling() count then: a
    cancel() that comes with a rise of that count is the Task's own
    cancellation, and the await raises asyncio's exact CancelledError (which
    asyncio.timeout and TaskGroup match exactly on 3.11 and 3.12)."""

    _inner: asyncio.Future[Any] | None = None
    _coro: Coroutine[Any, Any, Any] | None = None
    _awaiter: tuple[asyncio.Task[Any], int] | None = None
    _by_awaiter = False

    def cancel(self, msg: Any = None) -> bool:
        if self.done():
            return False
        if self._awaiter is not None:
            task, count = self._awaiter
            self._by_awaiter = task.cancelling() > count  # type: ignore[attr-defined,unused-ignore]
        inner, self._inner = self._inner, None
        if inner is not None:
            inner.cancel()
        coro = self._coro
        if coro is not None:
            _step(self, asyncio.CancelledError() if msg is None else asyncio.CancelledError(msg))
            if not self.done():  # it went on waiting: end it
                self._inner = self._coro = None
                coro.close()
        elif inner is not None and inner.done() and not inner.cancelled():
            _settle(self, inner)
        if self.done():
            return self.cancelled()  # False: the call went through
        _cancelled(self, msg)
        return True

    def cancelled(self) -> bool:
        return self.done() and isinstance(self.exception(), CancelledError)

    def __await__(self) -> Generator[Any, None, Any]:
        if not self.done():
            task = asyncio.current_task()
            if task is not None and hasattr(task, "cancelling"):  # (3.11+)
                self._awaiter = (task, task.cancelling())
        try:
            return (yield from super().__await__())
        except CancelledError as e:
            if self._by_awaiter:
                raise asyncio.CancelledError(*e.args) from None
            raise


def _cancelled(fut: asyncio.Future[Any], msg: Any = None) -> None:
    fut.set_exception(CancelledError() if msg is None else CancelledError(msg))
    fut._log_traceback = False  # a cancellation is no error to log


def _settle(out: _Future, inner: asyncio.Future[Any]) -> None:
    """Give ``out`` the outcome of the finished ``inner``."""
    if out.done():
        return
    try:
        result = inner.result()
    except asyncio.CancelledError as e:  # as closing the socket cancels its pending calls
        _cancelled(out, *e.args[:1])
    except BaseException as e:
        out.set_exception(e)
    else:
        out.set_result(result)


def _step(out: _Future, exc: BaseException | None = None) -> None:
    """Run ``out``'s coroutine to its next wait (sending it ``exc`` if given),
    as a Task's step does; its end gives ``out`` its outcome."""
    coro = out._coro
    if coro is None or out.done():
        return
    try:
        waits_on = coro.send(None) if exc is None else coro.throw(exc)
    except StopIteration as e:
        out._coro = None
        out.set_result(e.value)
    except asyncio.CancelledError as e:  # as closing the socket cancels its pending calls
        out._coro = None
        _cancelled(out, *e.args[:1])
    except BaseException as e:
        out._coro = None
        out.set_exception(e)
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
    else:
        if waits_on is None:  # a bare yield (asyncio.sleep(0)): on at the next turn
            out.get_loop().call_soon(_step, out)
        else:
            waits_on._asyncio_future_blocking = False
            out._inner = waits_on
            waits_on.add_done_callback(functools.partial(_wake, out))


def _wake(out: _Future, fut: asyncio.Future[Any]) -> None:
    """What ``out``'s coroutine waited on is done: step it on, as a Task would."""
    if out._inner is not fut:  # cancelled meanwhile
        return
    out._inner = None
    try:
        fut.result()
    except BaseException as e:
        _step(out, e)
    else:
        _step(out)


def _future_of(call: Any) -> asyncio.Future[Any]:
    """The Future of a zmqx.asyncio call's result (a Future or a coroutine)."""
    if not asyncio.isfuture(call):
        out = _Future(loop=asyncio.get_running_loop())
        out._coro = call
        _step(out)
        return out
    if call.done() and not call.cancelled() and call.exception() is None:
        # The call went through at once: a plain done Future behaves as a _Future
        # would (it cannot be cancelled) and is cheaper to make and to await.
        done = call.get_loop().create_future()
        done.set_result(call.result())
        return done
    out = _Future(loop=call.get_loop())
    if call.done():
        _settle(out, call)
    else:
        out._inner = call
        call.add_done_callback(functools.partial(_settle, out))
    return out


def _returning_future(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        return _future_of(method(*args, **kwargs))
    return call


class Socket(_aio.Socket):
    """zmqx.asyncio.Socket whose I/O calls return Futures (pyzmq's
    ``zmq.eventloop.future.Socket``).  send_string and the other sending
    conveniences go through send / send_multipart, so they return Futures too."""

    def send(self, data: Any, flags: int = 0, copy: bool = True,  # type: ignore[override]
             track: bool = False, **kwargs: Any) -> asyncio.Future[Any]:
        """Send one frame (``routing_id=``, ``group=`` as the blocking send)."""
        return _future_of(_aio.Socket.send(self, data, flags, copy, track, **kwargs))


for _name in ("recv", "send_multipart", "recv_multipart", "recv_into", "recv_string",
              "recv_json", "recv_pyobj", "recv_serialized", "send_many", "recv_many", "poll"):
    setattr(Socket, _name, _returning_future(getattr(_aio.Socket, _name)))


class Poller(_aio.Poller):
    """zmqx.asyncio.Poller whose poll() returns a Future."""

    def poll(  # type: ignore[override]
        self, timeout: float | None = -1
    ) -> asyncio.Future[list[tuple[_Pollable, int]]]:
        """A Future of ``[(socket, events), ...]`` within ``timeout`` ms
        (negative or None: no limit)."""
        return _future_of(_aio.Poller.poll(self, timeout))


class Context(_aio.Context):
    """Makes eventloop.future Sockets; its ``instance()`` is its own."""

    _socket_class = Socket
    #: pyzmq's, always None: a socket serves the loop running when it waits
    io_loop = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.pop("io_loop", None) is not None:
            warnings.warn(f"{type(self).__name__}(io_loop) is deprecated (as in pyzmq 22.2):"
                          " the running loop is used", DeprecationWarning, stacklevel=2)
        super().__init__(*args, **kwargs)

    if TYPE_CHECKING:
        def socket(self, socket_type: int, **kwargs: Any) -> Socket: ...
