# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.asyncio's engine: the coroutines waiting on one socket, woken from its ZMQ_FD.

libzmq's ZMQ_FD is not a readiness fd.  It becomes readable when the socket's
command mailbox gets work, and reading ZMQ_EVENTS -- or any send or recv --
drains it.  So readiness is learnt only from EVENTS, and whatever drains the
fd must re-read EVENTS on behalf of everyone still waiting: `Waiters.recheck`.
"""
from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Callable
from errno import EAGAIN
from typing import TYPE_CHECKING, Any

from zmqx._zmq import Socket as _SyncSocket
from zmqx.constants import EVENTS, NOBLOCK, POLLIN, POLLOUT, RCVTIMEO, SNDTIMEO
from zmqx.errors import Again, ZMQError

if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")

__all__ = ["Waiters", "CLOSED", "NO_ADD_READER"]

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
    """The coroutines waiting on one socket, and the socket's fd reader on the loop.

    Invariants:
    * ``recv`` and ``send`` hold the futures of callers waiting to receive or
      to send, oldest first.  Only the first of each is ever woken (result
      None), and it stays first until its coroutine has made its attempt, so
      no later caller overtakes it (FIFO).  A message is taken only by a
      running coroutine, never in a callback: a cancelled waiter took nothing.
    * ``polls`` maps the futures of poll() callers to the events they wait
      for; every ready one is woken (result: the ready events), as polling
      takes nothing.
    * ``n`` counts the futures in all three; only when it is 0 may Socket's
      fast path skip this machinery.
    * Whenever a queue is non-empty and the socket is ready for it, its first
      future is done.  `recheck` (reading EVENTS, which also drains the fd)
      keeps this: it runs after every operation while n > 0, after a caller
      queues, when a waiter leaves, and whenever the fd fires.
    * The fd is registered with at most one loop (``loop``), from the first
      wait until `close` or `detach`.  The registration references the socket
      only weakly, so it never keeps a socket alive.
    """

    __slots__ = ("recv", "send", "polls", "n", "loop", "fd")

    def __init__(self) -> None:
        self.recv: OrderedDict[asyncio.Future[Any], None] = OrderedDict()
        self.send: OrderedDict[asyncio.Future[Any], None] = OrderedDict()
        self.polls: dict[asyncio.Future[Any], int] = {}
        self.n = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.fd = -1

    # --- the fd on the loop -------------------------------------------------

    def attach(self, sock: _SyncSocket) -> asyncio.AbstractEventLoop:
        """The running loop, with ``sock``'s fd registered on it."""
        loop = asyncio.get_running_loop()
        if loop is self.loop:
            return loop
        if self.loop is not None:
            if self.n and not self.loop.is_closed():
                raise RuntimeError(f"{sock!r} is awaited on another event loop")
            self.close()  # a closed loop's waiters can never be woken
        fd = sock.fileno()
        try:
            loop.add_reader(fd, self._on_fd, weakref.ref(sock))
        except NotImplementedError:
            raise RuntimeError(NO_ADD_READER.format(loop=type(loop).__name__)) from None
        self.loop, self.fd = loop, fd
        return loop

    def detach(self) -> None:
        """Unregister the fd (a no-op once the loop is closed)."""
        loop, self.loop = self.loop, None
        if loop is not None and not loop.is_closed():
            loop.remove_reader(self.fd)

    def _on_fd(self, sock_ref: weakref.ref[_SyncSocket]) -> None:
        sock = sock_ref()
        if sock is None or sock.closed:
            self.detach()
            return
        try:
            self.recheck(sock)
        except ZMQError:
            self.detach()  # e.g. ETERM: every waiter has the error; stop listening

    # --- waking -------------------------------------------------------------

    def recheck(self, sock: _SyncSocket) -> int:
        """Read EVENTS (draining the fd), wake whoever can go now, return the events.

        A libzmq error (ETERM, ...) is given to every waiter, then raised."""
        try:
            events: int = _get(sock, _EVENTS)
        except ZMQError as e:
            self.fail(e)
            raise
        if self.n:
            if events & _POLLIN and self.recv:
                _wake_first(self.recv)
            if events & _POLLOUT and self.send:
                _wake_first(self.send)
            for fut, mask in self.polls.items():
                if events & mask and not fut.done():
                    fut.set_result(events & mask)
        return events

    def _recheck_quietly(self, sock: _SyncSocket) -> None:
        """recheck() where an error must not replace the caller's result."""
        if self.n and not sock.closed:
            try:
                self.recheck(sock)
            except ZMQError:
                pass  # fail() gave it to the waiters

    def fail(self, exc: ZMQError) -> None:
        """Every waiter raises a copy of the ZMQError ``exc``."""
        for queue in (self.recv, self.send, self.polls):
            for fut in queue:
                if not fut.done() and not fut.get_loop().is_closed():
                    fut.set_exception(type(exc)(exc.errno))

    def close(self) -> None:
        """The socket closes: cancel every waiter (as pyzmq does; the CancelledError
        says why, see CLOSED) and unregister the fd."""
        for queue in (self.recv, self.send, self.polls):
            for fut in queue:
                try:
                    fut.cancel(CLOSED)
                except RuntimeError:
                    pass  # its loop is closed: nobody is left to tell
            queue.clear()
        self.n = 0
        self.detach()

    # --- waiting ------------------------------------------------------------

    async def io(self, sock: _SyncSocket, is_recv: bool, attempt: Callable[..., _T],
                 args: tuple[Any, ...], nowait: bool | int = False,
                 timeout: int | None = None) -> _T:
        """Run ``attempt(*args)`` (one DONTWAIT try; raises Again when the socket
        is not ready) as the first in line of its queue: the path for any call
        made while someone waits (n > 0).  ``nowait``: raise Again rather than
        wait; ``timeout``: ms to wait (default: RCVTIMEO or SNDTIMEO)."""
        if not (self.recv if is_recv else self.send):
            try:
                result = attempt(*args)
            except Again:
                if nowait:
                    self._recheck_quietly(sock)
                    raise
            else:
                self._recheck_quietly(sock)
                return result
        elif nowait:
            raise Again(EAGAIN)
        return await self.wait(sock, is_recv, attempt, args, timeout)

    async def wait(self, sock: _SyncSocket, is_recv: bool, attempt: Callable[..., _T],
                   args: tuple[Any, ...], timeout: int | None = None) -> _T:
        """Queue, and run ``attempt(*args)`` each time this caller is woken first
        in line, until it succeeds; Again after ``timeout`` ms (-1: never)."""
        if timeout is None:
            timeout = _get(sock, _RCVTIMEO if is_recv else _SNDTIMEO)
        if timeout == 0:
            self._recheck_quietly(sock)
            raise Again(EAGAIN)
        queue = self.recv if is_recv else self.send
        loop = self.attach(sock)
        fut = loop.create_future()
        queue[fut] = None
        self.n += 1
        deadline = timer = None
        if timeout > 0:
            cell = [fut]
            deadline = loop.time() + timeout / 1000.0
            timer = loop.call_at(deadline, _expire, cell)
        try:
            self._recheck_quietly(sock)  # our failed try may have drained the fd's edge
            while True:
                await fut
                try:
                    return attempt(*args)
                except Again:
                    if deadline is not None and loop.time() >= deadline:
                        raise
                # Woken, yet refused: EVENTS' POLLOUT means "some peer can take
                # a message" (not the one a ROUTER addresses), or a batch went
                # partly.  Wait again, still first in line.
                del queue[fut]
                fut = loop.create_future()
                queue[fut] = None
                queue.move_to_end(fut, last=False)
                if timer is not None:
                    cell[0] = fut
        finally:
            if queue.pop(fut, _GONE) is not _GONE:
                self.n -= 1
            if timer is not None:
                timer.cancel()
            self._recheck_quietly(sock)  # pass a wake-up on to whoever is next

    def add_poll(self, sock: _SyncSocket, fut: asyncio.Future[Any], mask: int) -> None:
        """Have recheck() wake ``fut`` (result: the ready events) once ``sock`` has
        events in ``mask``; several sockets may share one future (Poller)."""
        self.attach(sock)
        self.polls[fut] = mask
        self.n += 1

    def remove_poll(self, fut: asyncio.Future[Any]) -> None:
        if self.polls.pop(fut, _GONE) is not _GONE:
            self.n -= 1


def _wake_first(queue: OrderedDict[asyncio.Future[Any], None]) -> None:
    fut = next(iter(queue))
    if not fut.done():
        fut.set_result(None)


def _expire(cell: list[asyncio.Future[Any]]) -> None:
    fut = cell[0]
    if not fut.done():
        fut.set_exception(Again(EAGAIN))
