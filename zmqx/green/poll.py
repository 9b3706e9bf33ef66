# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green.poll: the gevent-cooperative Poller and select().

A poll first asks libzmq (a zero-timeout zmq_poll over the registered set);
when nothing is ready it waits in the hub on io watchers (ZMQ_FD for zmqx
sockets, the fd itself for others) and asks again.
"""
from __future__ import annotations

from collections.abc import Collection
from time import monotonic
from typing import TYPE_CHECKING, Any

import gevent  # type: ignore[import-untyped]
from gevent.event import Event  # type: ignore[import-untyped]

from zmqx import _zmq
from zmqx import poll as _poll
from zmqx.constants import FD, POLLERR, POLLIN, POLLOUT

if TYPE_CHECKING:
    from zmqx._zmq import _Pollable

__all__ = ["Poller", "select"]

_FD = int(FD)


def _fileno(obj: Any) -> int:
    if isinstance(obj, int):
        return obj
    return int(obj.fileno())


class Poller(_poll.Poller):
    """zmqx.poll.Poller whose poll() blocks only the calling greenlet
    (pyzmq's ``zmq.green.Poller``).

    Invariant: a poll leaves no watcher behind (each wait starts its
    watchers and closes them on return, timeout, kill or error), and after
    each zmq_poll it passes the sockets' ZMQ_EVENTS on to green sockets with
    waiting greenlets (the zmq_poll drained their fd's edge).
    """

    def _now(self) -> list[tuple[_Pollable, int]]:
        ready = super().poll(0)
        late = {}
        for obj, flags in self.sockets:
            if getattr(obj, "_nwait", 0):
                # this read drains the fd again: what it sees counts too
                late[obj] = obj._on_fd() & flags
        if late:
            seen = dict(ready)
            ready = [(obj, ev) for obj, _ in self.sockets
                     if (ev := seen.get(obj, 0) | late.get(obj, 0))]
        return ready

    def poll(self, timeout: float | None = -1) -> list[tuple[_Pollable, int]]:
        """Wait up to ``timeout`` ms (negative or None: for ever) for events;
        ``[(socket, events), ...]`` as the blocking Poller returns."""
        ready = self._now()
        if ready or timeout == 0:
            return ready
        deadline = None if timeout is None or timeout < 0 else monotonic() + timeout / 1000.0
        loop = gevent.get_hub().loop
        while True:
            wake = Event()
            watchers = []
            try:
                for obj, flags in self.sockets:
                    if isinstance(obj, _zmq.Socket):
                        watchers.append(loop.io(obj.get(_FD), 1))
                    else:
                        mask = ((1 if flags & (POLLIN | POLLERR) else 0)
                                | (2 if flags & POLLOUT else 0))
                        watchers.append(loop.io(_fileno(obj), mask))
                for w in watchers:
                    w.start(wake.set)
                if deadline is None:
                    wake.wait()
                else:
                    wake.wait(max(0.0, deadline - monotonic()))
            finally:
                for w in watchers:
                    w.stop()
                    w.close()
            ready = self._now()
            if ready or (deadline is not None and monotonic() >= deadline):
                return ready


def select(
    rlist: Collection[_Pollable], wlist: Collection[_Pollable], xlist: Collection[_Pollable],
    timeout: float | None = None,
) -> tuple[list[_Pollable], list[_Pollable], list[_Pollable]]:
    """zmqx.select (``timeout`` in seconds, None: for ever), blocking only the
    calling greenlet."""
    poller = Poller()
    for obj in dict.fromkeys([*rlist, *wlist, *xlist]):
        poller.register(obj, (POLLIN if obj in rlist else 0) | (POLLOUT if obj in wlist else 0)
                        | (POLLERR if obj in xlist else 0))
    ms = None if timeout is None else max(0, int(timeout * 1000))
    ready = poller.poll(ms)
    return ([s for s, ev in ready if ev & POLLIN],
            [s for s, ev in ready if ev & POLLOUT],
            [s for s, ev in ready if ev & POLLERR])


_Poller = Poller  # pyzmq's name in zmq.green.poll
