# SPDX-License-Identifier: BSD-3-Clause
"""The asyncio workloads: ``<module>.asyncio`` (zmqx.asyncio, zmq.asyncio) on
the default loop and on uvloop, registered as group "asyncio".

Each run wraps the rig's blocking sockets with ``asyncio.Socket.from_socket``
(both bindings have it), so the set-up, peers and teardown are the blocking
scenarios' own.  The awaited side waits without RCVTIMEO (what services do);
instead the whole run is bounded by :data:`peers.JOIN_S`.  There is no C
column: C has no event loop to compare with.  uvloop rows are registered only
when uvloop is installed.  Compare ``aio/send-recv/8B/*`` with
``call/send-recv/8B`` for the cost of awaiting a call that completes at once
(zmqx: a compiled done future), and ``aio/pingpong/8B/*`` for a call that waits
(a loop future settled from the socket's fd, with no network in the way).
"""
from __future__ import annotations

import asyncio
import importlib
import importlib.util
from time import perf_counter, perf_counter_ns

from .peers import JOIN_S, WARM_ROUND_TRIPS, Rig, echo_role, push_role
from .registry import Scenario, add, size_label
from .scenarios import _pair, latency_result

LOOPS = ("asyncio", "uvloop") if importlib.util.find_spec("uvloop") else ("asyncio",)


def _run(loop, zmq, sockets, work):
    """Run ``work(*async_views)`` on a fresh ``loop`` ("asyncio" or "uvloop"),
    bounded; return its result.  The loop is closed, not the views (pyzmq's
    would close the rig's sockets), before the rig closes the sockets."""
    aio = importlib.import_module(f"{zmq.__name__}.asyncio")
    if loop == "uvloop":
        import uvloop
        ev = uvloop.new_event_loop()
    else:
        ev = asyncio.new_event_loop()
    try:
        for sock in sockets:
            sock.rcvtimeo = sock.sndtimeo = -1
        views = [aio.Socket.from_socket(sock) for sock in sockets]
        return ev.run_until_complete(asyncio.wait_for(work(*views), JOIN_S))
    finally:
        ev.close()


def send_recv(zmq, count, loop, size):
    """``await send(m); await recv()`` on an inproc PAIR in one task: the
    awaited form of call/send-recv."""
    async def work(a, b):
        send, recv, msg = a.send, b.recv, b"x" * size
        t0 = perf_counter()
        for _ in range(count):
            await send(msg)
            await recv()
        return perf_counter() - t0

    with Rig(zmq) as rig:
        seconds = _run(loop, zmq, _pair(rig), work)
    return {"ops": count, "seconds": seconds}


def pingpong(zmq, count, loop, size):
    """Two tasks bounce a message over an inproc PAIR: every recv waits, and
    is woken through the loop by the other task's send.  Per round trip."""
    async def side(sock, n, first, msg):
        send, recv = sock.send, sock.recv
        if first:
            await send(msg)
        for _ in range(n):
            await recv()
            await send(msg)

    async def work(a, b):
        msg = b"x" * size
        t0 = perf_counter()
        await asyncio.gather(side(a, count, True, msg), side(b, count, False, msg))
        await b.recv()  # a's last
        return perf_counter() - t0

    with Rig(zmq) as rig:
        seconds = _run(loop, zmq, _pair(rig), work)
    return {"ops": count, "seconds": seconds}


def latency(zmq, count, loop, transport, size):
    """REQ round trips to an echoing REP peer (another process over tcp): every
    recv waits for the socket's fd through the loop."""
    async def work(sock):
        send, recv, msg, clock = sock.send, sock.recv, b"x" * size, perf_counter_ns
        for _ in range(WARM_ROUND_TRIPS):
            await send(msg)
            await recv()
        rtt = [0] * count
        for i in range(count):
            t0 = clock()
            await send(msg)
            await recv()
            rtt[i] = clock() - t0
        return rtt

    with Rig(zmq, transport, echo_role, (zmq.REP, count + WARM_ROUND_TRIPS)) as rig:
        sock = rig.socket(zmq.REQ)
        rig.start(rig.bind(sock))
        rtt = _run(loop, zmq, [sock], work)
    return latency_result(rtt)


def throughput(zmq, count, loop, transport, size):
    """PUSH (peer) -> PULL awaited here: the peer sends count + 1 messages, the
    last count are timed."""
    async def work(sock):
        recv = sock.recv
        await recv()
        t0 = perf_counter()
        for _ in range(count):
            await recv()
        return perf_counter() - t0

    with Rig(zmq, transport, push_role, (size, count + 1)) as rig:
        sock = rig.socket(zmq.PULL)
        rig.start(rig.bind(sock))
        seconds = _run(loop, zmq, [sock], work)
    return {"ops": count, "seconds": seconds}


def _register():
    for loop in LOOPS:
        add(Scenario(f"aio/send-recv/8B/{loop}", "asyncio", "time", send_recv, 20_000,
                     dict(loop=loop, size=8), calibrate=True))
        add(Scenario(f"aio/pingpong/8B/{loop}", "asyncio", "time", pingpong, 5_000,
                     dict(loop=loop, size=8)))
        tcp64 = dict(loop=loop, transport="tcp", size=64)
        add(Scenario(f"aio/lat/reqrep/tcp/{size_label(64)}/{loop}", "asyncio", "latency",
                     latency, 2000, tcp64, size=64, min_count=50))
        add(Scenario(f"aio/thr/tcp/{size_label(64)}/{loop}", "asyncio", "rate", throughput,
                     200_000, tcp64, size=64))


_register()
