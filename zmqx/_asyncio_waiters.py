# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.asyncio's engine: the futures of the calls waiting on one socket, settled
from its ZMQ_FD.

libzmq's ZMQ_FD is not a readiness fd.  It becomes readable when the socket's
command mailbox gets work, and reading ZMQ_EVENTS -- or any send or recv --
drains it.  So readiness is learnt only from EVENTS, and whatever drains the
fd must re-read EVENTS on behalf of everyone still waiting: `Waiters.recheck`,
which also makes the waiting calls' moves while the socket is ready.
"""
from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Callable
from errno import EAGAIN
from typing import Any, TypeVar

from zmqx._zmq import Socket as _SyncSocket
from zmqx._zmq import _DoneFuture
from zmqx.constants import EVENTS, NOBLOCK, POLLIN, POLLOUT, RCVTIMEO, SNDTIMEO
from zmqx.errors import Again, ZMQError

_T = TypeVar("_T")

__all__ = ["Waiters", "Pending", "CLOSED", "NO_ADD_READER", "outcome", "settle"]

_get = _SyncSocket.get
_GONE = object()
_EVENTS, _POLLIN, _POLLOUT = int(EVENTS), int(POLLIN), int(POLLOUT)
_NOBLOCK, _RCVTIMEO, _SNDTIMEO = int(NOBLOCK), int(RCVTIMEO), int(SNDTIMEO)

#: the message of the CancelledError a waiter gets when its socket is closed
CLOSED = "zmqx.asyncio: the socket was closed while this call waited on it"

NO_ADD_READER = (
    "zmqx.asyncio needs an event loop with add_reader(), which {loop} lacks (on "
    "Windows, the default ProactorEventLoop).  Fix: call asyncio.set_event_loop_policy("
    "asyncio.WindowsSelectorEventLoopPolicy()) before starting the loop.")


class Waiters:
    """The calls waiting on one socket (their futures), and the socket's fd reader on the loop.

    Invariants:
    * ``recv`` and ``send`` map the futures of calls waiting to receive or to
      send, oldest first, to their ``(attempt, args, timer, again)``.  Only
      the first live one of a queue makes its attempt (one DONTWAIT try), and only
      while EVENTS says the socket is ready for it; on success the future gets
      the result at once, in the same step, so a message is only ever taken
      for a future that is not done: a cancelled call took nothing.  A refused
      attempt (Again) stays first in line (FIFO).
    * ``polls`` maps the futures of poll() callers to the events they wait
      for; every ready one gets its ready events, as polling takes nothing.
    * ``n`` counts the futures in all three; only when it is 0 may Socket's
      fast path skip this machinery.  A future leaves its queue when it is
      settled here, and when its owner cancels it (within ``cancel()``: see
      Pending).
    * Whenever a queue's first future could move now, it has: `recheck`
      (reading EVENTS, which also drains the fd) runs after every operation
      while n > 0, when a call queues or leaves, and whenever the fd fires.
    * The fd is registered with at most one loop (``loop``), from the first
      wait until `close` or `detach`.  Neither the registration nor the queues
      reference the socket strongly, so they never keep it alive.
    """

    __slots__ = ("recv", "send", "polls", "n", "loop", "fd", "sock")

    def __init__(self, sock: _SyncSocket) -> None:
        self.recv: OrderedDict[asyncio.Future[Any], _Op] = OrderedDict()
        self.send: OrderedDict[asyncio.Future[Any], _Op] = OrderedDict()
        self.polls: dict[asyncio.Future[Any], int] = {}
        self.n = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.fd = -1
        self.sock = weakref.ref(sock)

    # --- the fd on the loop -------------------------------------------------

    def attach(self, sock: _SyncSocket) -> asyncio.AbstractEventLoop:
        """The current loop (running, else the thread's), with ``sock``'s fd registered on it."""
        loop = asyncio._get_running_loop()
        if loop is None:
            loop = asyncio.get_event_loop()
        if loop is self.loop:
            return loop
        if self.loop is not None:
            if self.n and not self.loop.is_closed():
                raise RuntimeError(f"{sock!r} is awaited on another event loop")
            self.close()  # a closed loop's waiters can never be settled
        fd = sock.fileno()
        try:
            loop.add_reader(fd, self._on_fd)
        except NotImplementedError:
            raise RuntimeError(NO_ADD_READER.format(loop=type(loop).__name__)) from None
        self.loop, self.fd = loop, fd
        return loop

    def detach(self) -> None:
        """Unregister the fd (a no-op once the loop is closed)."""
        loop, self.loop = self.loop, None
        if loop is not None and not loop.is_closed():
            loop.remove_reader(self.fd)

    def _on_fd(self) -> None:
        sock = self.sock()
        if sock is None or sock.closed:
            self.detach()
            return
        try:
            self.recheck(sock, False)
        except ZMQError:
            self.detach()  # e.g. ETERM: every waiter has the error; stop listening

    # --- settling -------------------------------------------------------------

    def recheck(self, sock: _SyncSocket, fresh: bool = True) -> int:
        """Read EVENTS (draining the fd), let the first waiter of each ready
        queue move (again while it can), settle ready polls; return the events
        (``fresh`` False: the caller ignores them, so they are not re-read
        after the last waiter moved).

        A libzmq error (ETERM, ...) is given to every waiter, then raised."""
        events = self._events(sock)
        if self.n:
            recv, send = self.recv, self.send
            while ((recv and events & _POLLIN and self._move(recv))
                   or (send and events & _POLLOUT and self._move(send))):
                if fresh or self.n:
                    events = self._events(sock)
            for fut, mask in self.polls.items():
                if events & mask and not fut.done():
                    fut.set_result(events & mask)
        return events

    def _events(self, sock: _SyncSocket) -> int:
        try:
            events: int = _get(sock, _EVENTS)
        except ZMQError as e:
            self.fail(e)
            raise
        return events

    def _move(self, queue: OrderedDict[asyncio.Future[Any], _Op]) -> bool:
        """The first live waiter of ``queue`` makes its attempt; whether it
        went (its future then has the result or the error)."""
        while queue:
            fut, (attempt, args, _, _) = next(iter(queue.items()))
            if fut.done():  # cancelled; its done callback has not run yet
                self._drop(fut)
                continue
            try:
                result = attempt(*args)
            except Again:
                return False  # stays first in line (POLLOUT: "some peer can take one")
            except Exception as e:
                self._drop(fut)
                fut.set_exception(e)
                return True
            self._drop(fut)
            fut.set_result(result)
            return True
        return False

    def _recheck_quietly(self, sock: _SyncSocket) -> None:
        """recheck() where an error must not replace the caller's result."""
        if self.n and not sock.closed:
            try:
                self.recheck(sock, False)
            except ZMQError:
                pass  # fail() gave it to the waiters

    def fail(self, exc: ZMQError) -> None:
        """Every waiter raises a copy of the ZMQError ``exc``."""
        for fut in [*self.recv, *self.send, *self.polls]:
            self._drop(fut)
            if not fut.done() and not fut.get_loop().is_closed():
                fut.set_exception(type(exc)(exc.errno))

    def close(self) -> None:
        """The socket closes: cancel every waiter (as pyzmq does; the CancelledError
        says why, see CLOSED) and unregister the fd."""
        for fut in [*self.recv, *self.send, *self.polls]:
            self._drop(fut)
            self.polls.pop(fut, None)
            try:
                fut.cancel(CLOSED)
            except RuntimeError:
                pass  # its loop is closed: nobody is left to tell
        self.n = 0
        self.detach()

    # --- waiting ------------------------------------------------------------

    def io(self, sock: _SyncSocket, is_recv: bool, attempt: Callable[..., _T],
           args: tuple[Any, ...], nowait: bool | int = False, timeout: int | None = None,
           again: Callable[[], Any] | None = None,
           ) -> asyncio.Future[_T]:
        """The future of ``attempt(*args)`` (one DONTWAIT try; raises Again when
        the socket is not ready), made as the first in line of its queue: the
        path for any call made while someone waits (n > 0).  ``nowait``: Again
        rather than wait; ``timeout``: ms to wait (default: RCVTIMEO or
        SNDTIMEO); ``again``: the outcome when the call cannot go (default:
        raise Again), called for it."""
        if not (self.recv if is_recv else self.send):
            try:
                result = attempt(*args)
            except Again:
                if nowait:
                    self._recheck_quietly(sock)
                    return outcome(again)
            except Exception as e:
                self._recheck_quietly(sock)
                return _DoneFuture(None, e)
            else:
                self._recheck_quietly(sock)
                return _DoneFuture(result)
        elif nowait:
            return outcome(again)
        return self.wait(sock, is_recv, attempt, args, timeout, again)

    def wait(self, sock: _SyncSocket, is_recv: bool, attempt: Callable[..., _T],
             args: tuple[Any, ...], timeout: int | None = None,
             again: Callable[[], Any] | None = None,
             ) -> asyncio.Future[_T]:
        """Queue a future that ``attempt(*args)`` settles once it goes, first in
        line; ``again()`` settles it after ``timeout`` ms (-1: never)."""
        if timeout is None:
            try:
                timeout = _get(sock, _RCVTIMEO if is_recv else _SNDTIMEO)
            except ZMQError as e:
                return _DoneFuture(None, e)
        if timeout == 0:
            self._recheck_quietly(sock)
            return outcome(again)
        loop = self.attach(sock)
        fut: Pending[_T] = Pending(loop=loop)
        fut.left = self._left
        timer = loop.call_later(timeout / 1000.0, self._expire, fut) if timeout > 0 else None
        (self.recv if is_recv else self.send)[fut] = (attempt, args, timer, again)
        self.n += 1
        self._recheck_quietly(sock)  # our failed try may have drained the fd's edge
        return fut

    def _drop(self, fut: asyncio.Future[Any]) -> bool:
        """Take ``fut`` out of recv/send (cancelling its timer); whether it was there."""
        op = self.recv.pop(fut, None) or self.send.pop(fut, None)
        if op is None:
            return False
        self.n -= 1
        if op[2] is not None:
            op[2].cancel()
        return True

    def _left(self, fut: asyncio.Future[Any]) -> None:
        """A waiter's future was cancelled by its owner: it leaves its queue,
        and whoever is next may go."""
        if self._drop(fut):
            sock = self.sock()
            if sock is not None:
                self._recheck_quietly(sock)

    def _expire(self, fut: asyncio.Future[Any]) -> None:
        op = self.recv.get(fut) or self.send.get(fut)
        if op is not None and not fut.done():
            self._drop(fut)
            settle(fut, op[3])

    def add_poll(self, sock: _SyncSocket, fut: asyncio.Future[Any], mask: int) -> None:
        """Have recheck() settle ``fut`` (result: the ready events) once ``sock``
        has events in ``mask``; several sockets may share one future (Poller)."""
        self.attach(sock)
        self.polls[fut] = mask
        self.n += 1

    def remove_poll(self, fut: asyncio.Future[Any]) -> None:
        if self.polls.pop(fut, _GONE) is not _GONE:
            self.n -= 1


class Pending(asyncio.Future[_T]):
    """The future of a call that waits: an asyncio.Future whose cancel() runs
    ``left(self)`` before it returns, so that a cancelled call has left its
    socket's queue at once, not a loop iteration later (as a done callback
    would: ``gather`` of futures already cancelled returns before then)."""

    __slots__ = ("left",)
    left: Callable[[asyncio.Future[Any]], None]

    def cancel(self, msg: Any | None = None) -> bool:
        if not super().cancel(msg):
            return False
        self.left(self)
        return True


#: a queued call: (attempt, its args, its timeout's timer or None, again)
_Op = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.TimerHandle | None",
            "Callable[[], Any] | None"]


def _raise_again() -> Any:
    raise Again(EAGAIN)


def outcome(again: Callable[[], Any] | None) -> _DoneFuture[Any]:
    """A done future of what ``again()`` (default: raise Again) returns or raises."""
    try:
        return _DoneFuture((again or _raise_again)())
    except Exception as e:
        return _DoneFuture(None, e)


def settle(fut: asyncio.Future[Any], again: Callable[[], Any] | None) -> None:
    """Give ``fut`` what ``again()`` (default: raise Again) returns or raises."""
    try:
        result = (again or _raise_again)()
    except Exception as e:
        fut.set_exception(e)
    else:
        fut.set_result(result)
