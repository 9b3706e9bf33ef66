# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.anyio: awaited sockets for anyio, so one program runs on asyncio and
on trio (``anyio.run(main, backend="trio")``).

The API is zmqx.asyncio's (``await sock.recv()``, ``await poller.poll()``):
no task group, no ``async with`` and no renamed methods are needed.  A call
the socket can complete now completes at once (DONTWAIT), with no trip
through the loop; otherwise the caller waits for ZMQ_FD through
``anyio.wait_readable`` and re-reads ZMQ_EVENTS.  Cancel scopes and
``anyio.fail_after`` interrupt a wait without taking a message.
"""
from __future__ import annotations

import json
import math
import pickle
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import anyio

from zmqx import _zmq
from zmqx._edge import EndpointsWakeWaiters, ManySender
from zmqx import poll as _poll
from zmqx.constants import (EVENTS, FD, NOBLOCK, POLLERR, POLLIN, POLLOUT, RCVTIMEO,
                            SNDTIMEO)
from zmqx.errors import Again, ZMQError

if TYPE_CHECKING:
    from typing_extensions import Self

    from zmqx._zmq import _Pollable

__all__ = ["Context", "Socket", "Poller"]

_NOBLOCK, _EVENTS, _POLLIN, _POLLOUT = int(NOBLOCK), int(EVENTS), int(POLLIN), int(POLLOUT)
_RCVTIMEO, _SNDTIMEO, _FD = int(RCVTIMEO), int(SNDTIMEO), int(FD)
_core = _zmq.Socket
_REFUSED_S = 0.01  # see Socket._ready
_send, _recv, _get = _core.send, _core.recv, _core.get
_send_multipart, _recv_multipart = _core.send_multipart, _core.recv_multipart
_recv_into, _recv_many = _core.recv_into, _core.recv_many


def _deadline(ms: float | None) -> float:
    return math.inf if ms is None or ms < 0 else anyio.current_time() + ms / 1000.0


class Socket(EndpointsWakeWaiters, _zmq.Socket):
    """A zmqx socket whose I/O methods are awaited under anyio (asyncio or trio).

    Invariants:
    * A call first tries DONTWAIT; if that goes through it is the whole call.
      Otherwise the task waits in ``_ready(mask)``, counted in ``_nrd`` /
      ``_nwr`` (``_nwait``: all of them), and retries when ZMQ_EVENTS shows ``mask``.
    * Only one task at a time waits on ZMQ_FD itself (trio allows no more):
      the *watcher*, inside the cancel scope ``_kick``.  Other waiting tasks
      wait for ``_fd_event``, which the watcher sets whenever it stops
      watching, for whatever reason -- each then re-reads EVENTS, and one of
      them becomes the next watcher.
    * ZMQ_FD is edge-triggered, and any call in which libzmq processes the
      socket's commands may drain it: a waiter that reads EVENTS ready for
      another waiter's direction, and a call that succeeds (or fails with
      NOBLOCK, or is bind/connect/poll) while others wait, cancel ``_kick``
      so the waiters re-read EVENTS; no edge is consumed unseen.  A try
      refused although EVENTS said ready (a full ROUTER_MANDATORY peer) looks
      again after ``_REFUSED_S`` at the latest.
    * Messages are taken only by a DONTWAIT call in the task that returns
      them, so cancellation and timeouts move no message.  close() wakes the
      waiters, whose retry raises ZMQError(ENOTSOCK).  RCVTIMEO / SNDTIMEO
      (read when a call has to wait) bound the wait: Again on expiry.
    """

    def __init__(self, context: _zmq.Context | None = None, socket_type: int = -1, *,
                 _from_socket: _zmq.Socket | None = None, **kwargs: Any) -> None:
        if _from_socket is not None:
            context, kwargs["shadow"] = _from_socket.context, _from_socket.underlying
        super().__init__(context, socket_type, **kwargs)
        self._shadowed = _from_socket  # keeps the wrapped socket open
        self._nrd = self._nwr = self._nwait = 0  # tasks waiting: to read, to write, in all
        self._fd_event: anyio.Event | None = None
        self._kick: anyio.CancelScope | None = None
        if isinstance(context, Context) and not kwargs.get("shadow"):
            context._anyio_sockets.add(self)

    @classmethod
    def from_socket(cls, socket: _zmq.Socket) -> Self:
        """An anyio view of a blocking zmqx socket (sharing its libzmq socket)."""
        return cls(_from_socket=socket)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    # --- waiting --------------------------------------------------------------

    def _wake(self) -> None:
        """Make every waiting task re-read EVENTS."""
        if self._kick is not None:
            self._kick.cancel()

    async def _wait_fd(self, deadline: float) -> None:
        """Wait (until ``deadline`` at most) for a change: as the watcher if
        there is none, else for the watcher to stop."""
        event = self._fd_event
        if event is not None:
            with anyio.CancelScope(deadline=deadline):
                await event.wait()
            return
        event = self._fd_event = anyio.Event()
        try:
            with anyio.CancelScope(deadline=deadline) as self._kick:
                await anyio.wait_readable(_get(self, _FD))
        except anyio.ClosedResourceError:
            pass  # close(): the retry raises ENOTSOCK
        finally:
            self._kick = self._fd_event = None
            event.set()

    async def _ready(self, mask: int, deadline: float, refused: bool = False) -> int:
        """Wait until ZMQ_EVENTS has some of ``mask`` (returned), or
        ``deadline`` (0).  An error reading EVENTS returns ``mask``: the
        caller's retry raises it.  ``refused``: EVENTS said ready but the call
        got EAGAIN (a full ROUTER_MANDATORY peer, say), so wait for the fd
        (at most ``_REFUSED_S``) first."""
        rd, wr = mask & _POLLIN and 1, mask & _POLLOUT and 1
        self._nrd += rd
        self._nwr += wr
        self._nwait += 1
        try:
            while True:
                try:
                    events = _get(self, _EVENTS)
                except ZMQError:
                    return mask
                if events & mask and not refused:
                    return events & mask  # type: ignore[no-any-return]
                if events & ~mask & ((_POLLIN if self._nrd else 0)
                                     | (_POLLOUT if self._nwr else 0)):
                    self._wake()  # ready for a waiter the other way: its edge is gone
                now = anyio.current_time()
                if now >= deadline:
                    return 0
                # A refused call may wait for a change that EVENTS does not
                # show, and the read above may have drained that edge: it
                # looks again after _REFUSED_S at the latest.
                await self._wait_fd(min(deadline, now + _REFUSED_S) if refused else deadline)
                refused = False
        finally:
            self._nrd -= rd
            self._nwr -= wr
            self._nwait -= 1

    async def _waited(self, is_recv: bool, attempt: Callable[..., Any],
                      args: tuple[Any, ...]) -> Any:
        """Retry ``attempt(*args)`` (a DONTWAIT call that raised Again) each
        time the socket is ready, until RCVTIMEO / SNDTIMEO."""
        deadline = _deadline(_get(self, _RCVTIMEO if is_recv else _SNDTIMEO))
        mask = _POLLIN if is_recv else _POLLOUT
        refused = False
        while True:
            if not await self._ready(mask, deadline, refused):
                raise Again()
            try:
                result = attempt(*args)
            except Again:
                refused = True
                continue
            if self._nwait:
                self._wake()
            return result

    async def _io(self, is_recv: bool, attempt: Callable[..., Any], args: tuple[Any, ...],
                  flags: int) -> Any:
        try:
            result = attempt(*args)
        except Again:
            if flags & _NOBLOCK:
                if self._nwait:  # the failed call may have drained the fd
                    self._wake()
                raise
            return await self._waited(is_recv, attempt, args)
        if self._nwait:
            self._wake()
        return result

    def _fd_drained(self) -> None:  # after bind/connect/... (zmqx/_edge.py)
        self._wake()

    # --- messages -------------------------------------------------------------

    async def send(self, data: Any, flags: int = 0, copy: bool = True,  # type: ignore[override]
                   track: bool = False, routing_id: int | None = None,
                   group: str | None = None) -> Any:
        """Send one frame; returns what the blocking send returns."""
        try:
            result = _send(self, data, flags | _NOBLOCK, copy, track, routing_id, group)
        except Again:
            if flags & _NOBLOCK:
                if self._nwait:  # the failed call may have drained the fd
                    self._wake()
                raise
            return await self._waited(
                False, _send, (self, data, flags | _NOBLOCK, copy, track, routing_id, group))
        if self._nwait:
            self._wake()
        return result

    async def recv(self, flags: int = 0, copy: bool = True,  # type: ignore[override]
                   track: bool = False) -> Any:
        """Receive one frame: bytes, or with ``copy=False`` a Frame."""
        try:
            result = _recv(self, flags | _NOBLOCK, copy)
        except Again:
            if flags & _NOBLOCK:
                if self._nwait:  # the failed call may have drained the fd
                    self._wake()
                raise
            return await self._waited(True, _recv, (self, flags | _NOBLOCK, copy))
        if self._nwait:
            self._wake()
        return result

    async def send_multipart(self, msg_parts: Iterable[Any], flags: int = 0,  # type: ignore[override]
                             copy: bool = True, track: bool = False, **kwargs: Any) -> Any:
        """Send a multipart message."""
        if type(msg_parts) is not list and type(msg_parts) is not tuple:
            msg_parts = list(msg_parts)  # a retry must see the same parts
        return await self._io(False, _send_multipart,
                              (self, msg_parts, flags | _NOBLOCK, copy, track), flags)

    async def recv_multipart(self, flags: int = 0, copy: bool = True,  # type: ignore[override]
                             track: bool = False) -> Any:
        """Receive every frame of one message."""
        return await self._io(True, _recv_multipart, (self, flags | _NOBLOCK, copy), flags)

    async def recv_into(self, buffer: Any, nbytes: int = 0,  # type: ignore[override]
                        flags: int = 0) -> int:
        """Receive one frame into ``buffer``; its full size."""
        return await self._io(True, _recv_into,  # type: ignore[no-any-return]
                              (self, buffer, nbytes, flags | _NOBLOCK), flags)

    async def recv_string(self, flags: int = 0,  # type: ignore[override]
                          encoding: str = "utf-8") -> str:
        return (await self.recv(flags)).decode(encoding)  # type: ignore[no-any-return]

    recv_unicode = recv_string  # type: ignore[assignment]

    async def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        return json.loads(await self.recv(flags), **kwargs)

    async def recv_pyobj(self, flags: int = 0) -> Any:
        """Receive and unpickle.  Only unpickle data from peers you trust."""
        return pickle.loads(await self.recv(flags))

    async def recv_serialized(self, deserialize: Callable[[Any], Any],
                              flags: int = 0, copy: bool = True) -> Any:
        return deserialize(await self.recv_multipart(flags, copy))

    async def send_many(self, messages: Iterable[Any], flags: int = 0,  # type: ignore[override]
                        copy: bool = True) -> int:
        """Send every message, waiting as the socket fills; how many were sent
        (with NOBLOCK: how many went at once).  ``e.sent`` on an error."""
        attempt = ManySender(self, messages, flags, copy)
        try:
            return await self._io(False, attempt, (), flags)  # type: ignore[no-any-return]
        except BaseException as e:
            e.sent = attempt.done  # type: ignore[attr-defined]
            raise

    async def recv_many(self, max_messages: int = 1000,  # type: ignore[override]
                        timeout: int | None = -1, copy: bool = True) -> list[Any]:
        """Wait up to ``timeout`` ms (-1 or None: for ever) for a message, then
        return it and every message queued behind it (at most
        ``max_messages``); [] on timeout."""
        out: list[Any] = _recv_many(self, max_messages, 0, copy)
        if not out and timeout != 0 and await self._ready(_POLLIN, _deadline(timeout)):
            out = _recv_many(self, max_messages, 0, copy)
        if self._nwait:
            self._wake()
        return out

    # --- readiness ------------------------------------------------------------

    async def poll(self, timeout: float | None = None,  # type: ignore[override]
                   flags: int = _POLLIN) -> int:
        """Wait up to ``timeout`` ms (None or negative: for ever) for ``flags``;
        the events ready among them (0 on timeout)."""
        events = self.get(_EVENTS) & flags  # raises on a closed socket
        if events or timeout == 0:
            return events  # type: ignore[no-any-return]
        return await self._ready(flags, _deadline(timeout))

    def get(self, option: int) -> Any:
        """A socket option; a read of EVENTS wakes waiters (it drains the fd)."""
        value = _get(self, option)
        if option == _EVENTS and self._nwait:
            self._wake()
        return value

    getsockopt = get

    @property
    def events(self) -> int:  # type: ignore[override]
        """ZMQ_EVENTS (the read wakes waiters)."""
        return self.get(_EVENTS)  # type: ignore[no-any-return]

    def close(self, linger: int | None = None) -> None:
        """Close; tasks waiting on the socket raise ZMQError(ENOTSOCK)."""
        if self._fd_event is not None and not self.closed:
            try:
                anyio.notify_closing(_get(self, _FD))
            except Exception:  # not in a running loop: nobody can be waiting
                pass
            self._wake()
        super().close(linger)


class Context(_zmq.Context):
    """A zmqx Context whose sockets are zmqx.anyio Sockets.  ``async with``
    closes them (waking their waiters), then terminates in a worker thread."""

    _socket_class = Socket

    def __init__(self, io_threads: int = 1, shadow: int = 0) -> None:
        super().__init__(io_threads, shadow=shadow)
        self._anyio_sockets: weakref.WeakSet[Socket] = weakref.WeakSet()

    if TYPE_CHECKING:
        def socket(self, socket_type: int, **kwargs: Any) -> Socket: ...

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for s in list(self._anyio_sockets):
            s.close()
        await anyio.to_thread.run_sync(self.destroy)


class Poller(_poll._ViewPoller):
    """zmqx.poll.Poller whose poll() is awaited under anyio: zmqx sockets are
    watched through their ZMQ_FD and EVENTS (a blocking socket through an
    anyio view made at registration), other fds with wait_readable /
    wait_writable.  Nothing stays registered after a poll returns."""

    _view_class = Socket

    async def poll(self, timeout: float | None = None  # type: ignore[override]
                   ) -> list[tuple[_Pollable, int]]:
        """Wait up to ``timeout`` ms (None or negative: for ever); return
        ``[(socket, events), ...]`` as the blocking Poller does."""
        ready = self._ready()
        if ready or timeout == 0:
            return ready
        deadline = _deadline(timeout)
        while not ready and anyio.current_time() < deadline:
            async with anyio.create_task_group() as tg:
                tg.cancel_scope.deadline = deadline
                for obj, flags in self.sockets:
                    sock = self._views.get(obj, obj)
                    if isinstance(sock, Socket):
                        tg.start_soon(_until, tg, sock._ready, flags & (_POLLIN | _POLLOUT),
                                      deadline)
                    else:
                        if flags & (_POLLIN | int(POLLERR)):
                            tg.start_soon(_until, tg, anyio.wait_readable, obj)
                        if flags & _POLLOUT:
                            tg.start_soon(_until, tg, anyio.wait_writable, obj)
            ready = self._ready()
        return ready


async def _until(tg: anyio.abc.TaskGroup, wait: Callable[..., Any], *args: Any) -> None:
    """Run ``wait(*args)``, then end the poll's task group."""
    await wait(*args)
    tg.cancel_scope.cancel()
