# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green.core: the gevent-cooperative Socket and Context.

Every call is first tried with DONTWAIT; when it goes through, that is the
whole call (no hub switch, no watcher).  When it cannot, the calling greenlet
waits for the socket's ZMQ_FD (a gevent io watcher, alive while anyone waits)
and re-reads ZMQ_EVENTS, so the hub keeps running other greenlets.
"""
from __future__ import annotations

import functools
import json
import pickle
from time import monotonic
from typing import TYPE_CHECKING, Any, Callable

import gevent  # type: ignore[import-untyped]
from gevent.event import Event  # type: ignore[import-untyped]

from zmqx import _zmq
from zmqx._edge import EndpointsWakeWaiters, ManySender
from zmqx.constants import EVENTS, FD, NOBLOCK, POLLIN, POLLOUT, RCVTIMEO, SNDTIMEO
from zmqx.errors import Again, ZMQError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Context", "Socket"]

_NOBLOCK, _EVENTS, _POLLIN, _POLLOUT = int(NOBLOCK), int(EVENTS), int(POLLIN), int(POLLOUT)
_RCVTIMEO, _SNDTIMEO, _FD = int(RCVTIMEO), int(SNDTIMEO), int(FD)
_core = _zmq.Socket
_REFUSED_S = 0.01  # see Socket._wait
_send, _recv, _get = _core.send, _core.recv, _core.get
_send_multipart, _recv_multipart = _core.send_multipart, _core.recv_multipart
_recv_into, _recv_many = _core.recv_into, _core.recv_many

#: pyzmq's: the options that bound a wait (which zmqx's green sockets honour)
TIMEOS: tuple[int, ...] = (RCVTIMEO, SNDTIMEO)


class Socket(EndpointsWakeWaiters, _zmq.Socket):
    """A zmqx socket whose blocking calls block only the calling greenlet
    (pyzmq's ``zmq.green.Socket``).

    Invariants:
    * A call first tries DONTWAIT.  Only on EAGAIN (and without NOBLOCK) does
      it wait: ``_nwait`` counts the greenlets waiting, and ``_watcher`` (a
      gevent io watcher on ZMQ_FD) runs exactly while ``_nwait > 0``.
    * ZMQ_FD is edge-triggered, and any call in which libzmq processes the
      socket's commands may drain it: whoever does (the watcher's callback, a
      waiter before sleeping, ``get(EVENTS)``, a green Poller, bind/connect,
      a call that succeeds or fails with NOBLOCK while others wait) passes
      ZMQ_EVENTS on to ``_readable`` / ``_writable``, so no edge is consumed
      unseen.  A waiter re-reads EVENTS after every wake and tries only when
      it shows its direction; a try refused all the same (a full
      ROUTER_MANDATORY peer) looks again after ``_REFUSED_S`` at the latest.
    * Messages are taken only by a DONTWAIT call in the greenlet that returns
      them, so gevent.Timeout, kill() or close() interrupting a wait moves no
      message.  close() wakes every waiter, whose retry raises ENOTSOCK.
    * RCVTIMEO / SNDTIMEO (read when a call has to wait) bound the wait: Again
      on expiry, as the blocking socket does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._nwait = 0
        self._watcher: Any = None
        self._readable = Event()
        self._writable = Event()

    # --- waiting --------------------------------------------------------------

    def _note(self, events: int) -> None:
        """Pass a ZMQ_EVENTS reading on to the waiters it concerns."""
        if events & _POLLIN:
            self._readable.set()
        if events & _POLLOUT:
            self._writable.set()

    def _on_fd(self) -> int:
        """The watcher's callback (in the hub): drain the fd's edge by reading
        EVENTS (returned); on an error (closed socket, terminated context)
        wake everyone, so each waiter's retry raises it."""
        try:
            events = _get(self, _EVENTS)
        except ZMQError:
            events = _POLLIN | _POLLOUT
        self._note(events)
        return events  # type: ignore[no-any-return]

    def _wait(self, is_recv: bool, attempt: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Retry ``attempt(*args)`` (a DONTWAIT call that raised Again) until it
        goes through, yielding to the hub between tries."""
        timeo = _get(self, _RCVTIMEO if is_recv else _SNDTIMEO)
        deadline = None if timeo < 0 else monotonic() + timeo / 1000.0
        event, mask = (self._readable, _POLLIN) if is_recv else (self._writable, _POLLOUT)
        self._nwait += 1
        if self._watcher is None:
            self._watcher = gevent.get_hub().loop.io(_get(self, _FD), 1)
            self._watcher.start(self._on_fd)
        refused = False  # EVENTS said ready, yet the call got EAGAIN
        try:
            while True:
                event.clear()
                try:
                    events = _get(self, _EVENTS)
                except ZMQError:
                    events = mask  # let the retry raise it
                self._note(events & ~mask)
                if events & mask and not refused:
                    try:
                        result = attempt(*args)
                    except Again:  # (a ROUTER_MANDATORY peer is full, say)
                        refused = True
                        continue
                    if self._nwait > 1:
                        self._on_fd()
                    return result
                # Wait for the fd.  A refused call may wait for a change that
                # EVENTS does not show, and the EVENTS read above may have
                # drained that edge: it retries after _REFUSED_S at the latest.
                timeout = _REFUSED_S if refused else None
                if deadline is not None:
                    left = deadline - monotonic()
                    if left <= 0:
                        raise Again()
                    timeout = left if timeout is None else min(left, timeout)
                event.wait(timeout)
                refused = False
        finally:
            self._nwait -= 1
            if not self._nwait:
                self._stop_watcher()  # (made in the hub of the thread that waits)

    def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
            watcher.close()

    def _io(self, is_recv: bool, attempt: Callable[..., Any], args: tuple[Any, ...],
            flags: int) -> Any:
        """The shared shape of every call: try now, wait only if it must."""
        try:
            result = attempt(*args)
        except Again:
            if flags & _NOBLOCK:
                if self._nwait:  # the failed call may have drained the fd
                    self._on_fd()
                raise
            return self._wait(is_recv, attempt, args)
        if self._nwait:
            self._on_fd()
        return result

    def _fd_drained(self) -> None:  # after bind/connect/... (zmqx/_edge.py)
        self._on_fd()

    # --- messages -------------------------------------------------------------

    def send(self, data: Any, flags: int = 0, copy: bool = True,  # type: ignore[override]
             track: bool = False, **kwargs: Any) -> Any:
        """Send one frame (``routing_id=``, ``group=`` as the blocking send),
        blocking only this greenlet."""
        args = (self, data, flags | _NOBLOCK, copy, track)
        if kwargs:
            return self._io(False, functools.partial(_send, **kwargs), args, flags)
        try:
            result = _send(*args)
        except Again:
            if flags & _NOBLOCK:
                if self._nwait:  # the failed call may have drained the fd
                    self._on_fd()
                raise
            return self._wait(False, _send, args)
        if self._nwait:
            self._on_fd()
        return result

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        """Receive one frame, blocking only this greenlet."""
        try:
            result = _recv(self, flags | _NOBLOCK, copy)
        except Again:
            if flags & _NOBLOCK:
                if self._nwait:  # the failed call may have drained the fd
                    self._on_fd()
                raise
            return self._wait(True, _recv, (self, flags | _NOBLOCK, copy))
        if self._nwait:
            self._on_fd()
        return result

    # pyzmq's green send_multipart / recv_multipart take (*args, **kwargs) and
    # pass them on: so do these, to the signatures of the blocking socket.

    def send_multipart(self, *args: Any, **kwargs: Any) -> Any:
        """``send_multipart(msg_parts, flags=0, copy=True, track=False, **kwargs)``:
        send a multipart message, blocking only this greenlet."""
        return self._send_multipart(*args, **kwargs)

    def _send_multipart(self, msg_parts: Iterable[Any], flags: int = 0, copy: bool = True,
                        track: bool = False, **kwargs: Any) -> Any:
        if type(msg_parts) is not list and type(msg_parts) is not tuple:
            msg_parts = list(msg_parts)  # a retry must see the same parts
        attempt = functools.partial(_send_multipart, **kwargs) if kwargs else _send_multipart
        return self._io(False, attempt, (self, msg_parts, flags | _NOBLOCK, copy, track), flags)

    def recv_multipart(self, *args: Any, **kwargs: Any) -> Any:
        """``recv_multipart(flags=0, copy=True, track=False)``: receive every
        frame of one message, blocking only this greenlet."""
        return self._recv_multipart(*args, **kwargs)

    def _recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        return self._io(True, _recv_multipart, (self, flags | _NOBLOCK, copy), flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        """Receive one frame into ``buffer``; its full size."""
        return self._io(True, _recv_into, (self, buffer, nbytes, flags | _NOBLOCK),  # type: ignore[no-any-return]
                        flags)

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        return self.recv(flags).decode(encoding)  # type: ignore[no-any-return]

    recv_unicode = recv_string

    def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        return json.loads(self.recv(flags), **kwargs)

    def recv_pyobj(self, flags: int = 0) -> Any:
        """Receive and unpickle.  Only unpickle data from peers you trust."""
        return pickle.loads(self.recv(flags))

    def send_many(self, messages: Iterable[Any], flags: int = 0, copy: bool = True) -> int:
        """Send every message, yielding while the socket is full (see the
        blocking send_many); with NOBLOCK, how many went at once."""
        attempt = ManySender(self, messages, flags, copy)
        try:
            return self._io(False, attempt, (), flags)  # type: ignore[no-any-return]
        except BaseException as e:
            e.sent = attempt.done  # type: ignore[attr-defined]
            raise

    def recv_many(self, max_messages: int = 1000, timeout: int | None = -1,
                  copy: bool = True) -> list[Any]:
        """Wait up to ``timeout`` ms (-1 or None: for ever) for a message, then
        return it and every message queued behind it, at most ``max_messages``."""
        out: list[Any] = _recv_many(self, max_messages, 0, copy)
        if not out and timeout != 0:
            ready = self.poll(timeout, _POLLIN)
            if ready:
                out = _recv_many(self, max_messages, 0, copy)
        if self._nwait:
            self._on_fd()
        return out

    # --- readiness ------------------------------------------------------------

    def poll(self, timeout: float | None = None, flags: int = _POLLIN) -> int:
        """Wait up to ``timeout`` ms (None or negative: for ever) for ``flags``;
        the events ready among them (0 on timeout).  Yields to the hub."""
        events = _get(self, _EVENTS)
        self._note(events)
        if events & flags or timeout == 0:
            return events & flags  # type: ignore[no-any-return]
        from zmqx.green.poll import Poller
        poller = Poller()
        poller.register(self, flags)
        return dict(poller.poll(timeout)).get(self, 0)

    def get(self, opt: int) -> Any:
        """A socket option; a read of EVENTS is passed on to waiting greenlets.
        (RCVTIMEO / SNDTIMEO are honoured here, so unlike pyzmq's green socket
        this one does not warn about them.)"""
        value = _get(self, opt)
        if opt == _EVENTS and self._nwait:
            self._note(value)
        return value

    def set(self, opt: int, val: Any) -> None:
        """Set a socket option (pyzmq's green parameter names)."""
        _core.set(self, opt, val)

    def getsockopt(self, option: int) -> Any:
        return self.get(option)

    @property
    def events(self) -> int:  # type: ignore[override]
        """ZMQ_EVENTS (passed on to waiting greenlets)."""
        return self.get(_EVENTS)  # type: ignore[no-any-return]

    def close(self, linger: int | None = None) -> None:
        """Close; greenlets waiting on the socket wake and raise ENOTSOCK."""
        self._stop_watcher()
        super().close(linger)
        self._readable.set()
        self._writable.set()


class Context(_zmq.Context):
    """A zmqx Context whose sockets are green Sockets (pyzmq's
    ``zmq.green.Context``); its ``instance()`` is separate from zmqx.Context's."""

    _socket_class = Socket

    if TYPE_CHECKING:
        def socket(self, socket_type: int, **kwargs: Any) -> Socket: ...


_Socket, _Context = Socket, Context  # pyzmq's names in zmq.green.core
