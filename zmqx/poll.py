# SPDX-License-Identifier: BSD-3-Clause
"""Poller and select(): pyzmq's polling API over zmqx's C poll core.

The registered set lives in a ``zmqx._zmq.PollSet`` (a C array of
``zmq_pollitem_t`` kept between calls), so ``Poller.poll()`` does no Python
work per registered socket; only the ready ones become Python tuples.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, ClassVar

from zmqx._zmq import PollSet, Socket, zmq_poll
from zmqx.constants import POLLERR, POLLIN, POLLOUT

if TYPE_CHECKING:
    from zmqx._zmq import _Pollable

__all__ = ["Poller", "select"]


def _timeout_ms(timeout: float | None) -> int:
    """pyzmq's rule: None or negative waits forever; floats are truncated."""
    if timeout is None or timeout < 0:
        return -1
    return int(timeout)


class Poller:
    """Wait for events on zmqx sockets, int fds and objects with ``fileno()``.

    ``register(obj, flags)`` adds or changes an entry (flags 0 removes it, as
    in pyzmq); ``poll(timeout_ms)`` returns ``[(obj, events), ...]`` for the
    entries ready, in registration order.  Entries are keyed by the object
    registered: an fd and a file object with that fd are different entries.
    """

    def __init__(self) -> None:
        self._set = PollSet()

    @property
    def sockets(self) -> list[tuple[_Pollable, int]]:
        """``[(obj, flags), ...]`` as registered, in order (a new list each time)."""
        return self._set.entries()

    def register(self, socket: _Pollable, flags: int = POLLIN | POLLOUT) -> None:
        """Poll ``socket`` for ``flags`` (POLLIN, POLLOUT, POLLERR); 0 unregisters."""
        if flags:
            self._set.register(socket, int(flags))
        elif socket in self._set:
            self._set.unregister(socket)

    modify = register

    def unregister(self, socket: _Pollable) -> None:
        """Stop polling ``socket`` (KeyError if it is not registered)."""
        self._set.unregister(socket)

    def poll(self, timeout: float | None = None) -> list[tuple[_Pollable, int]]:
        """Wait up to ``timeout`` ms (None or negative: forever) for events.

        Returns ``[(socket, events), ...]`` for every entry with events.
        Waits without the GIL; a signal handler that raises (Ctrl-C)
        interrupts it, one that returns lets it resume with the time left.
        """
        return self._set.poll(_timeout_ms(timeout))

    def __len__(self) -> int:
        return len(self._set)

    def __contains__(self, socket: object) -> bool:
        return socket in self._set

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.Poller with {len(self._set)} entries>"


class _ViewPoller(Poller):
    """Base of the awaited Pollers (zmqx.asyncio, zmqx.anyio), whose sockets
    are watched through ZMQ_FD and EVENTS by their own cooperative Socket
    class (``_view_class``): a blocking zmqx socket registered here is watched
    through a view of that class, made at registration."""

    _view_class: ClassVar[Any]  # the module's Socket, with from_socket() and events

    def __init__(self) -> None:
        super().__init__()
        self._views: dict[Socket, Any] = {}  # blocking zmqx socket -> its view

    def register(self, socket: _Pollable, flags: int = POLLIN | POLLOUT) -> None:
        if isinstance(socket, Socket) and not isinstance(socket, self._view_class):
            if not flags:
                self._views.pop(socket, None)
            elif socket not in self._views:
                self._views[socket] = self._view_class.from_socket(socket)
        super().register(socket, flags)

    modify = register

    def unregister(self, socket: _Pollable) -> None:
        super().unregister(socket)
        self._views.pop(socket, None)

    def _ready(self) -> list[tuple[_Pollable, int]]:
        """[(registered object, events)] ready now.  Sockets are read through
        their view's ``events`` (a zmq_poll over the originals would not see
        what the views took from the fd), which also wakes their waiters."""
        entries = self.sockets
        fds = [(obj, flags) for obj, flags in entries
               if not isinstance(self._views.get(obj, obj), self._view_class)]
        fd_events = dict(zmq_poll(fds, 0)) if fds else {}
        ready: list[tuple[_Pollable, int]] = []
        for obj, flags in entries:
            sock = self._views.get(obj, obj)
            events = (sock.events & flags if isinstance(sock, self._view_class)
                      else fd_events.get(obj, 0))
            if events:
                ready.append((obj, events))
        return ready


def select(
    rlist: Collection[_Pollable], wlist: Collection[_Pollable], xlist: Collection[_Pollable],
    timeout: float | None = None,
) -> tuple[list[_Pollable], list[_Pollable], list[_Pollable]]:
    """Like ``select.select``, for zmqx sockets and fds: ``timeout`` in seconds
    (None: forever); returns the ready subsets ``(rlist, wlist, xlist)``."""
    ms = -1 if timeout is None else max(-1, int(timeout * 1000))
    pollset = PollSet()
    for obj in dict.fromkeys([*rlist, *wlist, *xlist]):
        flags = ((POLLIN if obj in rlist else 0) | (POLLOUT if obj in wlist else 0)
                 | (POLLERR if obj in xlist else 0))
        pollset.register(obj, flags)
    ready = pollset.poll(ms)
    return ([s for s, ev in ready if ev & POLLIN],
            [s for s, ev in ready if ev & POLLOUT],
            [s for s, ev in ready if ev & POLLERR])
