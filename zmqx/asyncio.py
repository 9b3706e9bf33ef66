# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.asyncio: pyzmq's ``zmq.asyncio`` API -- a Context, Socket and Poller
whose sends, receives and polls return futures.

Every such call returns an asyncio future (``asyncio.isfuture`` is true; await
it, or hand it to ``gather``, ``wait``, ``wait_for``, ``shield`` ...).  A call
on a socket nobody is waiting on is tried at once (DONTWAIT); when it goes
through, it returns a _DoneFuture: born done, compiled, never scheduled on the
loop.  Otherwise it returns an asyncio.Future (a Pending) on the loop, queued
and settled from the socket's ZMQ_FD, registered with the loop's ``add_reader``
(so uvloop works too; Windows needs the selector loop).  The queueing and
settling live in zmqx._asyncio_waiters.
"""
from __future__ import annotations

import asyncio
import json
import pickle
import warnings
import weakref
from asyncio import Future, SelectorEventLoop
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from errno import EAGAIN
from typing import TYPE_CHECKING, Any, Literal, overload

from zmqx import _zmq
from zmqx import poll as _poll
from zmqx._asyncio_waiters import CLOSED, Pending, Waiters, outcome
from zmqx._zmq import _DoneFuture
from zmqx.constants import EVENTS, NOBLOCK, POLLIN, POLLOUT, Event
from zmqx.errors import Again
from zmqx.utils.monitor import MonitorEvent

if TYPE_CHECKING:
    from typing import TypeVar

    from typing_extensions import Buffer, Self

    from zmqx._zmq import Frame, MessageTracker, _Pollable

    _T = TypeVar("_T")

__all__ = ["Context", "Socket", "Poller", "ZMQEventLoop", "install", "CLOSED"]

_NOBLOCK, _EVENTS = int(NOBLOCK), int(EVENTS)
# the blocking core's methods; each is called with NOBLOCK added
_send = _zmq.Socket.send
_recv = _zmq.Socket.recv
_send_multipart = _zmq.Socket.send_multipart
_recv_multipart = _zmq.Socket.recv_multipart
_recv_into = _zmq.Socket.recv_into
_send_many = _zmq.Socket.send_many
_recv_many = _zmq.Socket.recv_many
_get = _zmq.Socket.get


def _call(sock: Socket, is_recv: bool, attempt: Callable[..., _T], args: tuple[Any, ...],
          flags: int, timeout: int | None = None, again: Callable[[], Any] | None = None
          ) -> Future[_T]:
    """The future of an I/O call whose DONTWAIT try is ``attempt(*args)``: the
    fast path while nobody waits, else Waiters.io (see it for ``timeout`` and
    ``again``).  send and recv have compiled fast paths in zmqx/_asyncio.pxi."""
    w = sock._w
    if not w.n:
        try:
            return _DoneFuture(attempt(*args))
        except Again:
            if flags & _NOBLOCK:
                return outcome(again)
            return w.wait(sock, is_recv, attempt, args, timeout, again)
        except Exception as e:
            return _DoneFuture(None, e)
    return w.io(sock, is_recv, attempt, args, flags & _NOBLOCK, timeout, again)


def _then(attempt: Callable[..., Any], convert: Callable[[Any], _T]) -> Callable[..., _T]:
    """``attempt`` followed by ``convert`` of its result, in the same step (so
    a message taken is never dropped between the two)."""
    return lambda *args: convert(attempt(*args))


class Socket(_zmq._AsyncSocket):
    """A zmqx socket whose I/O methods return futures (pyzmq's ``zmq.asyncio.Socket``).

    Invariants:
    * Every send, recv and poll returns an asyncio future; its errors, Again
      included, are in the future (only a loop that cannot serve the socket
      raises RuntimeError at the call: Waiters.attach).  While nobody waits on the
      socket (``_w.n == 0``) the call is tried at once with DONTWAIT, and if
      that settles it the future is a _DoneFuture.  Otherwise it goes through
      ``_w`` (a Waiters; see its invariants: FIFO per direction, a message
      taken only for a future not done, EVENTS re-read after every operation).
    * A message moves whole or not at all: libzmq accepts or refuses a
      multipart message at its first frame and delivers one only whole, so a
      refused, timed-out or cancelled call has moved nothing.  (send_many
      reports partial progress as ``e.sent``, as the core does.)
    * close() wakes every call pending on the socket with a CancelledError
      whose message is CLOSED (pyzmq cancels them too); later calls raise
      ZMQError(ENOTSOCK).  ETERM and other libzmq errors reach every waiter.
    * RCVTIMEO / SNDTIMEO bound the wait (Again on expiry), read when a call
      has to wait; NOBLOCK raises Again instead of waiting.
    * The inherited send_string / send_json / send_pyobj / send_serialized
      return ``self.send(...)`` or ``self.send_multipart(...)``, so they return
      these futures; the receiving conveniences decode in the same step as
      the recv (a future settled with the message is never dropped).
    """

    def __init__(self, context: _zmq.Context | _zmq.Socket | None = None,
                 socket_type: int = -1, io_loop: object = None,
                 _from_socket: _zmq.Socket | None = None, **kwargs: Any) -> None:
        """``io_loop`` is deprecated (as in pyzmq) and unused: a socket serves
        the loop running when it first has to wait."""
        if isinstance(context, _zmq.Socket):
            context, _from_socket = None, context
        if io_loop is not None:
            warnings.warn(f"{type(self).__name__}(io_loop) argument is deprecated in pyzmq"
                          " 22.2; the running loop is always used.",
                          DeprecationWarning, stacklevel=2)
        if _from_socket is not None:
            context, kwargs["shadow"] = _from_socket.context, _from_socket.underlying
        elif context is None and not kwargs.get("shadow"):
            context = Context.instance()
        super().__init__(context, socket_type, **kwargs)
        self._w = Waiters(self)
        self._shadowed = _from_socket  # keeps the wrapped socket open
        if isinstance(context, Context) and not kwargs.get("shadow"):
            context._async_sockets.add(self)

    @classmethod
    def from_socket(cls, socket: _zmq.Socket, io_loop: object = None) -> Self:
        """An async view of a blocking zmqx socket (sharing its libzmq socket)."""
        return cls(_from_socket=socket, io_loop=io_loop)

    def __del__(self) -> None:
        w = self._w
        if w is not None:
            w.detach()

    def close(self, linger: int | None = None) -> None:
        """Close; pending calls on the socket raise CancelledError(CLOSED)."""
        w = self._w
        if w is not None and not self.closed:
            w.close()
        super().close(linger)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    # --- messages -----------------------------------------------------------

    def send_multipart(  # type: ignore[override]
        self, msg_parts: Iterable[Buffer | Frame], flags: int = 0, copy: bool = True,
        track: bool = False, **kwargs: Any,
    ) -> Future[MessageTracker | None]:
        """Send a multipart message: a future of None (or the tracker)."""
        if type(msg_parts) is not list and type(msg_parts) is not tuple:
            msg_parts = list(msg_parts)  # a retry must see the same parts
        return _call(self, False, _send_multipart,
                     (self, msg_parts, flags | _NOBLOCK, copy, track), flags)

    @overload  # type: ignore[override]
    def recv_multipart(self, flags: int = 0, copy: Literal[True] = True,
                       track: bool = False) -> Future[list[bytes]]: ...
    @overload
    def recv_multipart(self, flags: int, copy: Literal[False],
                       track: bool = False) -> Future[list[Frame]]: ...
    @overload
    def recv_multipart(self, flags: int = 0, *, copy: Literal[False],
                       track: bool = False) -> Future[list[Frame]]: ...
    @overload
    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False
                       ) -> Future[list[bytes] | list[Frame]]: ...

    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False
                       ) -> Future[Any]:
        """Receive every frame of one message: a future of the list."""
        return _call(self, True, _recv_multipart, (self, flags | _NOBLOCK, copy), flags)

    def recv_into(  # type: ignore[override]
        self, buf: Buffer, /, *, nbytes: int = 0, flags: int = 0
    ) -> Future[int]:
        """Receive one frame into ``buf``: a future of its full size."""
        return _call(self, True, _recv_into, (self, buf, nbytes, flags | _NOBLOCK), flags)

    def _recv_as(self, convert: Callable[[Any], _T], flags: int,
                 copy: bool = True) -> Future[_T]:
        """recv(flags) whose result is ``convert(message)``."""
        return _call(self, True, _then(_recv, convert), (self, flags | _NOBLOCK, copy), flags)

    def recv_string(  # type: ignore[override]
        self, flags: int = 0, encoding: str = "utf-8"
    ) -> Future[str]:
        return self._recv_as(lambda b: b.decode(encoding), flags)

    recv_unicode = recv_string  # type: ignore[assignment]

    def recv_json(self, flags: int = 0, **kwargs: Any) -> Future[Any]:
        return self._recv_as(lambda b: json.loads(b, **kwargs), flags)

    def recv_pyobj(self, flags: int = 0) -> Future[Any]:
        """Receive and unpickle.  Only unpickle data from peers you trust."""
        return self._recv_as(pickle.loads, flags)

    def recv_serialized(
        self, deserialize: Callable[[Any], Any], flags: int = 0, copy: bool = True
    ) -> Future[Any]:
        return _call(self, True, _then(_recv_multipart, deserialize),
                     (self, flags | _NOBLOCK, copy), flags)

    if TYPE_CHECKING:  # inherited: they return self.send(...) / self.send_multipart(...)
        def send_string(  # type: ignore[override]
            self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8",
            **kwargs: Any,
        ) -> Future[MessageTracker | None]: ...

        send_unicode = send_string  # type: ignore[assignment]

        def send_json(  # type: ignore[override]
            self, obj: Any, flags: int = 0, **kwargs: Any
        ) -> Future[MessageTracker | None]: ...

        def send_pyobj(  # type: ignore[override]
            self, obj: Any, flags: int = 0, protocol: int = ..., **kwargs: Any
        ) -> Future[MessageTracker | None]: ...

        def send_serialized(  # type: ignore[override]
            self, msg: Any, serialize: Callable[[Any], Iterable[Buffer | Frame]],
            flags: int = 0, copy: bool = True, **kwargs: Any,
        ) -> Future[MessageTracker | None]: ...

    # --- batches (issue 5's core API, as futures) -----------------------------

    def send_many(  # type: ignore[override]
        self, messages: Iterable[Buffer | Frame | Sequence[Buffer | Frame]], flags: int = 0,
        copy: bool = True,
    ) -> Future[int]:
        """Send every message (bytes, a Frame, or a list of frames), waiting as
        the socket fills: a future of how many were sent (with NOBLOCK: how
        many went at once).  An error (Again on SNDTIMEO too) says how many
        went before it as ``e.sent``."""
        seq = messages if type(messages) is list or type(messages) is tuple else list(messages)
        done = [0]

        def attempt() -> int:
            try:
                done[0] += _send_many(self, seq[done[0]:] if done[0] else seq,
                                      flags | _NOBLOCK, copy)
            except BaseException as e:
                e.sent = done[0]  # type: ignore[attr-defined]
                raise
            if done[0] < len(seq) and not flags & _NOBLOCK:
                raise Again(EAGAIN)
            return done[0]

        def again() -> int:
            if flags & _NOBLOCK:
                return done[0]  # others were queued first
            e = Again(EAGAIN)
            e.sent = done[0]  # type: ignore[attr-defined]
            raise e

        return _call(self, False, attempt, (), flags, None, again)

    def recv_many(  # type: ignore[override]
        self, max_messages: int = 1000, timeout: int | None = -1, copy: bool = True
    ) -> Future[list[Any]]:
        """Wait up to ``timeout`` ms (-1: for ever, 0: not at all) for a message:
        a future of it and every message queued behind it, at most
        ``max_messages`` (see the blocking recv_many); [] on timeout."""
        timeout = -1 if timeout is None else timeout

        def attempt() -> list[Any]:
            out = _recv_many(self, max_messages, 0, copy)
            if not out:
                raise Again(EAGAIN)
            return out

        return _call(self, True, attempt, (), _NOBLOCK if timeout == 0 else 0, timeout, list)

    # --- readiness ------------------------------------------------------------

    def poll(  # type: ignore[override]
        self, timeout: float | None = None, flags: int = POLLIN
    ) -> Future[int]:
        """Wait up to ``timeout`` ms (None or negative: for ever) for ``flags``:
        a future of the events ready among them (0 on timeout)."""
        w = self._w
        try:
            ready = w.recheck(self) & flags
        except Exception as e:
            return _DoneFuture(None, e)
        if ready or timeout == 0:
            return _DoneFuture(ready)
        loop = w.attach(self)
        fut: Pending[int] = Pending(loop=loop)
        timer: asyncio.TimerHandle | None = None
        if timeout is not None and timeout > 0:
            timer = loop.call_later(timeout / 1000.0, _resolve, fut, 0)
        w.add_poll(self, fut, flags)
        fut.left = lambda _: _end_poll(w, fut, timer)  # when cancelled ...
        fut.add_done_callback(fut.left)                # ... or settled
        return fut

    def get(self, key: int) -> Any:  # (pyzmq's async socket names it key)
        """A socket option.  Reading EVENTS drains the fd's edge, so it lets any
        waiter the read found ready go (as every read of EVENTS here does)."""
        if key == _EVENTS:
            return self._w.recheck(self)
        return _get(self, key)

    def getsockopt(self, option: int) -> Any:
        return self.get(option)

    @property
    def events(self) -> _EventsValue:  # type: ignore[override]
        """ZMQ_EVENTS, an int as in pyzmq -- which, called, is the async iterator
        over this socket's monitor events: ``async for e in sock.events(): ...``."""
        events = _EventsValue(self._w.recheck(self))
        events._socket = self
        return events

    async def _monitor_events(self, monitor: _zmq.Socket) -> AsyncGenerator[MonitorEvent, None]:
        view = monitor if isinstance(monitor, Socket) else Socket.from_socket(monitor)
        try:
            while True:
                event = MonitorEvent.from_frames(await view.recv_multipart())
                yield event
                if event.event == Event.MONITOR_STOPPED:
                    return
        finally:
            if not self.closed:
                self.disable_monitor()
            view.close(linger=0)
            monitor.close(linger=0)


class _EventsValue(int):
    """What ``Socket.events`` gives: ZMQ_EVENTS as an int (pyzmq's meaning),
    and, called with an optional event mask, the async iterator over the
    socket's monitor events (zmqx.utils.monitor.MonitorEvent items; ends after
    MONITOR_STOPPED, which libzmq sends once the socket is closed).  Leaving
    the loop early ends monitoring when the iterator is closed: use
    ``contextlib.aclosing`` to make that immediate."""

    _socket: Socket

    def __call__(self, events: int = Event.ALL) -> AsyncGenerator[MonitorEvent, None]:
        sock = self._socket  # monitoring starts now, not at the first iteration
        return sock._monitor_events(sock.get_monitor_socket(events))


def _resolve(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


def _end_poll(w: Waiters, fut: asyncio.Future[Any], timer: asyncio.TimerHandle | None) -> None:
    w.remove_poll(fut)
    if timer is not None:
        timer.cancel()


class Context(_zmq.Context):
    """A zmqx Context whose sockets are zmqx.asyncio Sockets (pyzmq's
    ``zmq.asyncio.Context``); ``Context(sync_context)`` shadows a blocking one.

    Invariant: ``_async_sockets`` holds (weakly) every socket made on this
    context, so that ``async with`` can close them on the loop's thread
    before terminating in a worker thread (LINGER never blocks the loop).
    """

    _socket_class = Socket

    def __init__(self, io_threads: int | _zmq.Context = 1, shadow: int | _zmq.Context = 0) -> None:
        if isinstance(io_threads, _zmq.Context):
            io_threads, shadow = 1, io_threads
        if isinstance(shadow, _zmq.Context):
            self._shadowed = shadow  # keeps the wrapped context alive
            shadow = shadow.underlying
        super().__init__(io_threads, shadow=shadow)
        self._async_sockets: weakref.WeakSet[Socket] = weakref.WeakSet()

    if TYPE_CHECKING:  # what it makes: _socket_class
        def socket(self, socket_type: int, **kwargs: Any) -> Socket: ...

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close every socket (waking its waiters), then term() off the loop."""
        for s in list(self._async_sockets):
            s.close()
        await asyncio.get_running_loop().run_in_executor(None, self.destroy)


class Poller(_poll._ViewPoller):
    """zmqx.poll.Poller whose poll() is awaited: sockets are watched through
    their ZMQ_FD and EVENTS (a blocking zmqx socket through an async view made
    at registration), other fds with add_reader/add_writer.

    Invariant: a poll leaves nothing registered behind -- every future it
    added to a socket's Waiters, every fd callback, and the readers of the
    views (whose sockets their owners may close) are removed on return,
    timeout, error or cancellation.
    """

    _view_class = Socket

    def poll(  # type: ignore[override]
        self, timeout: float | None = -1
    ) -> Future[list[tuple[_Pollable, int]]]:
        """Wait up to ``timeout`` ms (None or negative: for ever): a future of
        ``[(socket, events), ...]`` as the blocking Poller returns."""
        try:
            ready = self._ready()
        except Exception as e:
            return _DoneFuture(None, e)
        if ready or timeout == 0:
            return _DoneFuture(ready)
        loop = asyncio._get_running_loop() or asyncio.get_event_loop()
        fut: Future[list[tuple[_Pollable, int]]] = loop.create_future()
        task = loop.create_task(self._wait(loop, fut, timeout))
        fut.add_done_callback(lambda f: task.cancel() if f.cancelled() else None)
        return fut

    async def _wait(self, loop: asyncio.AbstractEventLoop,
                    out: Future[list[tuple[_Pollable, int]]], timeout: float | None) -> None:
        """poll()'s wait, in a task: settles ``out`` unless it is cancelled
        (which cancels the task)."""
        try:
            ready = await self._wait_ready(loop, timeout)
        except asyncio.CancelledError as e:  # a socket closed (or out cancelled)
            if not out.done():
                out.cancel(*e.args)
            raise
        except Exception as e:
            if not out.done():
                out.set_exception(e)
        else:
            if not out.done():
                out.set_result(ready)

    async def _wait_ready(self, loop: asyncio.AbstractEventLoop, timeout: float | None
                          ) -> list[tuple[_Pollable, int]]:
        deadline = None if timeout is None or timeout < 0 else loop.time() + timeout / 1000.0
        while True:
            fut = loop.create_future()
            undo: list[tuple[Any, ...]] = []
            try:
                for obj, flags in self.sockets:
                    sock = self._views.get(obj, obj)
                    if isinstance(sock, Socket):
                        sock._w.add_poll(sock, fut, flags)
                        undo.append((sock._w.remove_poll, fut))
                    else:
                        fd = obj if isinstance(obj, int) else obj.fileno()
                        if flags & POLLIN:
                            loop.add_reader(fd, _resolve, fut, None)
                            undo.append((loop.remove_reader, fd))
                        if flags & POLLOUT:
                            loop.add_writer(fd, _resolve, fut, None)
                            undo.append((loop.remove_writer, fd))
                if deadline is not None:
                    undo.append((loop.call_at(deadline, _resolve, fut, None).cancel,))
                await fut
            finally:
                for call, *args in reversed(undo):
                    call(*args)
                for view in self._views.values():
                    if not view._w.n:
                        view._w.detach()  # its socket may be closed by its owner next
            ready = self._ready()
            if ready or (deadline is not None and loop.time() >= deadline):
                return ready


class ProactorSelectorThreadWarning(RuntimeWarning):
    """pyzmq warns with this when it starts a selector thread for Windows'
    proactor loop; zmqx never does (it names the fix instead), so it is
    never raised, only defined for code that filters it."""


class ZMQEventLoop(SelectorEventLoop):
    """Deprecated (pyzmq 17): any asyncio loop serves zmqx sockets.  The
    selector event loop, with a DeprecationWarning."""

    def __init__(self, selector: Any = None) -> None:
        _deprecated()
        super().__init__(selector)


def _deprecated() -> None:
    warnings.warn("ZMQEventLoop and zmq.asyncio.install are deprecated since pyzmq 17:"
                  " any asyncio event loop serves zmqx.asyncio sockets.",
                  DeprecationWarning, stacklevel=3)


def install() -> None:
    """Deprecated (pyzmq 17), does nothing but warn: no loop set-up is needed."""
    _deprecated()
