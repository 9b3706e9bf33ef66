# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.eventloop.zmqstream: ZMQStream, callbacks for a socket's messages on
tornado's IOLoop (pyzmq's ``zmq.eventloop.zmqstream``).

The stream watches the socket's ZMQ_FD with ``IOLoop.add_handler`` and, on
each wake, receives every message that is there (up to ``BATCH``, 256) before
yielding to the loop.  A send with nothing queued ahead of it goes out at
once (DONTWAIT); only one the socket cannot take now waits in the queue.
"""
from __future__ import annotations

import asyncio
import functools
import pickle
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tornado.ioloop import IOLoop
from tornado.log import gen_log

from zmqx import _zmq
from zmqx.constants import EFSM, EVENTS, FD, NOBLOCK, POLLIN, POLLOUT
from zmqx.errors import Again, ContextTerminated, ZMQError
from zmqx.poll import Poller

__all__ = ["ZMQStream"]

#: Messages received per wake before the stream yields to the loop.
BATCH = 256

_NOBLOCK, _EVENTS, _POLLIN, _POLLOUT = int(NOBLOCK), int(EVENTS), int(POLLIN), int(POLLOUT)
_EFSM = int(EFSM)
_core = _zmq.Socket
_get, _send_multipart, _recv_multipart = _core.get, _core.send_multipart, _core.recv_multipart


class ZMQStream:
    """Run callbacks as a zmqx socket receives and sends, on a tornado IOLoop.

    ``on_recv(cb)`` calls ``cb(frames)`` for every message received (a list,
    as recv_multipart returns); ``send*`` send, calling the ``on_send``
    callback with ``(msg, status)`` once sent.  Callbacks may be coroutine
    functions.  ``stream.bind``, ``connect``, ``setsockopt`` ... are the
    socket's own methods.

    Invariants:
    * ``_state`` is POLLIN while a recv callback is set, | POLLOUT while sends
      are queued; the fd handler stays registered until close().
    * ZMQ_FD is edge-triggered, so after every operation the stream itself
      makes (and after every batch of callbacks) it re-reads EVENTS and, if
      ``_state`` is ready, schedules its handler (``_scheduled``: at most one
      pending).  Nothing waits on an edge that has already been consumed.
    * Messages go out in ``send*`` call order: a send goes at once only while
      the queue is empty.  Each message is received exactly once, by the
      stream's own DONTWAIT recv, and handed to the callback set at that time
      (``stop_on_recv()`` inside a callback stops the batch at once).
    * Callbacks always run from the loop, never inside ``send*``.
    """

    socket: Any
    io_loop: IOLoop
    poller: Poller  # pyzmq's attribute (a blocking Poller over the socket)
    # the socket's own methods, bound in __init__
    bind: Callable[..., Any]
    bind_to_random_port: Callable[..., int]
    connect: Callable[..., Any]
    setsockopt: Callable[..., None]
    getsockopt: Callable[..., Any]
    setsockopt_string: Callable[..., None]
    getsockopt_string: Callable[..., str]
    setsockopt_unicode: Callable[..., None]
    getsockopt_unicode: Callable[..., str]

    def __init__(self, socket: _zmq.Socket, io_loop: IOLoop | None = None) -> None:
        if isinstance(socket, _zmq._AsyncSocket):
            warnings.warn("ZMQStream only supports the blocking zmqx.Socket: use"
                          " zmqx.Socket(shadow=sock.underlying)", RuntimeWarning, stacklevel=2)
            self._shadowed = socket  # keeps the libzmq socket open
            socket = _zmq.Socket(socket.context, shadow=socket.underlying)
        self.socket = socket
        self.io_loop = io_loop or IOLoop.current()
        self.poller = Poller()
        self._fd: int = _get(socket, int(FD))
        self._send_queue: deque[tuple[Sequence[Any], dict[str, Any]]] = deque()
        self._sent: list[tuple[Callable[..., Any], Any, Any]] = []  # callbacks due, sent at once
        self._recv_callback: Callable[..., Any] | None = None
        self._send_callback: Callable[..., Any] | None = None
        self._close_callback: Callable[[], Any] | None = None
        self._recv_copy = True
        self._state = 0
        self._scheduled = False
        for name in ("setsockopt", "getsockopt",
                     "setsockopt_string", "getsockopt_string", "setsockopt_unicode",
                     "getsockopt_unicode"):
            setattr(self, name, getattr(socket, name))
        for name in ("bind", "bind_to_random_port", "connect"):
            setattr(self, name, self._then_check_events(getattr(socket, name)))
        self.io_loop.add_handler(self._fd, self._handle_events, IOLoop.READ)

    # --- callbacks --------------------------------------------------------------

    def on_recv(self, callback: Callable[[list[Any]], Any] | None, copy: bool = True) -> None:
        """Call ``callback(frames)`` for each message received (frames as
        recv_multipart returns them: bytes, or Frames with ``copy=False``);
        None stops receiving.  Replaces any earlier callback."""
        self._check_closed()
        assert callback is None or callable(callback)
        self._recv_callback = callback
        self._recv_copy = copy
        if callback is None:
            self._state &= ~_POLLIN
        else:
            self._state |= _POLLIN
            self._check_events()

    def on_recv_stream(self, callback: Callable[[ZMQStream, list[Any]], Any] | None,
                       copy: bool = True) -> None:
        """on_recv, with ``callback(stream, frames)``."""
        if callback is None:
            self.stop_on_recv()
        else:
            self.on_recv(lambda msg: callback(self, msg), copy=copy)

    def on_send(self, callback: Callable[[Any, Any], Any] | None) -> None:
        """Call ``callback(msg, status)`` after each send: ``msg`` as given to
        send_multipart (send wraps it in a list), ``status`` what the socket's
        send_multipart returned (a MessageTracker or None) or the ZMQError it
        raised.  None stops calling it."""
        self._check_closed()
        assert callback is None or callable(callback)
        self._send_callback = callback

    def on_send_stream(self, callback: Callable[[ZMQStream, Any, Any], Any] | None) -> None:
        """on_send, with ``callback(stream, msg, status)``."""
        if callback is None:
            self.stop_on_send()
        else:
            self.on_send(lambda msg, status: callback(self, msg, status))

    def stop_on_recv(self) -> None:
        """Stop receiving (messages stay in the socket)."""
        self.on_recv(None)

    def stop_on_send(self) -> None:
        """Stop calling the send callback."""
        self.on_send(None)

    def on_err(self, callback: Callable[..., Any]) -> None:
        """Deprecated in pyzmq; does nothing."""
        gen_log.warning("on_err does nothing, and will be removed")

    def stop_on_err(self) -> None:
        """Deprecated in pyzmq; does nothing."""
        gen_log.warning("on_err does nothing, and will be removed")

    def set_close_callback(self, callback: Callable[[], Any] | None) -> None:
        """Call ``callback()`` when the stream is closed."""
        self._close_callback = callback

    # --- sending ----------------------------------------------------------------

    def send(self, msg: Any, flags: int = 0, copy: bool = True, track: bool = False,
             callback: Callable[[Any, Any], Any] | None = None, **kwargs: Any) -> None:
        """Send one frame; see send_multipart."""
        self.send_multipart([msg], flags=flags, copy=copy, track=track, callback=callback,
                            **kwargs)

    def send_multipart(self, msg: Sequence[Any], flags: int = 0, copy: bool = True,
                       track: bool = False, callback: Callable[[Any, Any], Any] | None = None,
                       **kwargs: Any) -> None:
        """Send a multipart message: at once if nothing is queued ahead and the
        socket takes it, else when the socket can.  ``callback`` (if given)
        becomes the on_send callback."""
        self._check_closed()
        if callback is not None:
            self.on_send(callback)
        kwargs.update(flags=flags, copy=copy, track=track)
        if self._send_queue:
            self._send_queue.append((msg, kwargs))
            return
        status: Any
        try:
            status = _send_multipart(self.socket, msg, flags | _NOBLOCK, copy, track)
        except Again:
            self._send_queue.append((msg, kwargs))
            self._state |= _POLLOUT
            self._check_events()
            return
        except ZMQError as e:
            gen_log.error("SEND Error: %s", e)
            status = e
        callback = self._send_callback
        if callback is not None:
            if not self._sent:  # one loop callback runs those of every send until then
                self.io_loop.add_callback(self._run_send_callbacks)
            self._sent.append((callback, msg, status))
        if self._state:  # the send may have taken the fd's edge
            self._check_events()

    def send_string(self, u: str, flags: int = 0, encoding: str = "utf-8",
                    callback: Callable[[Any, Any], Any] | None = None, **kwargs: Any) -> None:
        """Send ``u`` encoded."""
        if not isinstance(u, str):
            raise TypeError("unicode/str objects only")
        self.send(u.encode(encoding), flags=flags, callback=callback, **kwargs)

    send_unicode = send_string

    def send_json(self, obj: Any, flags: int = 0,
                  callback: Callable[[Any, Any], Any] | None = None, **kwargs: Any) -> None:
        """Send ``obj`` as JSON."""
        import json
        self.send(json.dumps(obj).encode("utf-8"), flags=flags, callback=callback, **kwargs)

    def send_pyobj(self, obj: Any, flags: int = 0, protocol: int = -1,
                   callback: Callable[[Any, Any], Any] | None = None, **kwargs: Any) -> None:
        """Send ``obj`` pickled."""
        self.send(pickle.dumps(obj, protocol), flags, callback=callback, **kwargs)

    # --- state ------------------------------------------------------------------

    def receiving(self) -> bool:
        """Whether a recv callback is set."""
        return self._recv_callback is not None

    def sending(self) -> bool:
        """Whether sends are queued."""
        return bool(self._send_queue)

    def closed(self) -> bool:
        """Whether the stream (or its socket) is closed."""
        if self.socket is None:
            return True
        if self.socket.closed:
            self.close()
            return True
        return False

    def close(self, linger: int | None = None) -> None:
        """Stop watching the socket, close it, and run the close callback.
        Queued sends are dropped."""
        if self.socket is None:
            return
        self.io_loop.remove_handler(self._fd)
        if not self.socket.closed:
            self.socket.close(linger)
        self.socket = None
        self._send_queue.clear()
        if self._close_callback:
            self._run_callback(self._close_callback)

    def flush(self, flag: int = _POLLIN | _POLLOUT, limit: int | None = None) -> int:
        """Handle now (not from the loop) the messages ready to receive and the
        queued sends the socket can take, up to ``limit`` of them in all;
        how many.  With POLLIN in ``flag``, messages are received even with no
        recv callback (and dropped)."""
        self._check_closed()
        count = 0
        while not limit or count < limit:
            events = self._events()
            did = 0
            if flag & _POLLIN and events & _POLLIN:
                did += self._recv_one(always=True)
            if self.socket is not None and flag & _POLLOUT and events & _POLLOUT \
                    and self._send_queue:
                did += self._send_one()
            count += did
            if not did or self.socket is None:
                break
        self._check_events()
        return count

    # --- the loop's side --------------------------------------------------------

    def _check_closed(self) -> None:
        if self.socket is None:
            raise OSError("Stream is closed")

    def _events(self) -> int:
        try:
            return _get(self.socket, _EVENTS)  # type: ignore[no-any-return]
        except ContextTerminated:
            gen_log.warning("Got events for stream %s after terminating context", self)
            self.closed()
        except ZMQError as e:
            if self.closed():
                gen_log.warning("Got events for stream %s attached to closed socket: %s",
                                self, e)
            else:
                gen_log.error("Error getting events for %s: %s", self, e)
        return 0

    def _then_check_events(self, method: Callable[..., Any]) -> Callable[..., Any]:
        """``method``, then _check_events (libzmq processes the socket's
        pending commands in bind and connect, draining the fd)."""
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            self._check_events()
            return result
        return call

    def _check_events(self) -> None:
        """Schedule the handler if the socket is ready for what we want (the
        fd edge may already be gone)."""
        if self.socket is not None and not self._scheduled and self._state \
                and self._events() & self._state:
            self._scheduled = True
            self.io_loop.add_callback(self._handle_events, self._fd, 0)

    def _handle_events(self, fd: int, events: int) -> None:
        """The fd handler (and scheduled re-runs): receive a batch, send what
        is queued, then re-check EVENTS."""
        self._scheduled = False
        if self.socket is None:
            return
        zmq_events = self._events()
        try:
            if zmq_events & _POLLIN and self._recv_callback is not None:
                for _ in range(BATCH):
                    if not self._recv_one() or self.socket is None:
                        break
            if self.socket is not None and zmq_events & _POLLOUT and self._send_queue:
                while self._send_queue and self._send_one() and self.socket is not None:
                    pass
        finally:  # even after a callback raised: the edge may be gone
            self._check_events()

    def _recv_one(self, always: bool = False) -> int:
        """Receive one message for the recv callback; 1 if one was received."""
        callback = self._recv_callback
        if callback is None and not always:
            return 0
        try:
            msg = _recv_multipart(self.socket, _NOBLOCK, self._recv_copy)
        except Again:
            return 0
        except ZMQError as e:
            if e.errno == _EFSM:  # a REQ whose callback has not sent the next request
                return 0
            raise
        if callback is not None:
            self._run_callback(callback, msg)
        return 1

    def _send_one(self) -> int:
        """Send the head of the queue; 1 if it left the queue."""
        msg, kwargs = self._send_queue[0]
        status: Any
        try:
            status = _send_multipart(self.socket, msg, kwargs["flags"] | _NOBLOCK,
                                     kwargs["copy"], kwargs["track"])
        except Again:
            return 0
        except ZMQError as e:
            gen_log.error("SEND Error: %s", e)
            status = e
        self._send_queue.popleft()
        if not self._send_queue:
            self._state &= ~_POLLOUT
        if self._send_callback is not None:
            self._run_callback(self._send_callback, msg, status)
        return 1

    def _run_send_callbacks(self) -> None:
        """The send callbacks of the sends that went at once, in order."""
        sent, self._sent = self._sent, []
        for callback, msg, status in sent:
            try:
                self._run_callback(callback, msg, status)
            except Exception:
                pass  # logged; the other callbacks still run

    def _run_callback(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a callback; an awaitable it returns runs as a task whose error
        is logged."""
        try:
            result = callback(*args)
        except Exception:
            gen_log.error("Uncaught exception in ZMQStream callback", exc_info=True)
            raise
        if isinstance(result, Awaitable):
            asyncio.ensure_future(result).add_done_callback(_log_error)


def _log_error(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled() and fut.exception() is not None:
        gen_log.error("Uncaught exception in ZMQStream callback", exc_info=fut.exception())
