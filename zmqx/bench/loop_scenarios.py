# SPDX-License-Identifier: BSD-3-Clause
"""The other event loops' workloads, registered as group "loops": tornado's
ZMQStream (``<module>.eventloop.zmqstream``), gevent (``<module>.green``) and
anyio on asyncio and trio (``zmqx.anyio``; pyzmq has none, so its column is
skipped -- compare with ``aio/send-recv/8B/asyncio``).

Each run wraps the rig's blocking sockets (a ZMQStream over the socket itself;
a green or anyio socket shadowing it), so set-up, peers and teardown are the
blocking scenarios' own, and every run is bounded by :data:`peers.JOIN_S`.
There is no C column: C has no event loop to compare with.
"""
from __future__ import annotations

import asyncio
import importlib
import importlib.util
from time import perf_counter, perf_counter_ns

from .peers import JOIN_S, WARM_ROUND_TRIPS, Rig, echo_role, new_socket, push_role
from .registry import Scenario, add, size_label
from .scenarios import _pair, latency_result, round_trips

# the registry checks ``needs`` as attributes: import the subpackages that exist
for _name in ("zmqx.eventloop.zmqstream", "zmqx.green", "zmqx.anyio",
              "zmq.eventloop.zmqstream", "zmq.green"):
    try:
        importlib.import_module(_name)
    except ImportError:
        pass

_HAVE_TRIO = importlib.util.find_spec("trio") is not None


def _pull_role(zmq, ctx, endpoint, done, count):
    """Receive ``count`` messages (the peer of the stream-sending run)."""
    sock = new_socket(ctx, zmq.PULL)
    try:
        sock.connect(endpoint)
        recv = sock.recv
        for _ in range(count):
            recv()
        done()
    finally:
        sock.close()


# ---- tornado ZMQStream --------------------------------------------------------


def _stream_run(zmq, sock, start):
    """Run ``start(stream, finish)`` on a fresh asyncio loop (tornado's IOLoop
    on it) until ``finish(value)``; return the value."""
    ZMQStream = importlib.import_module(f"{zmq.__name__}.eventloop.zmqstream").ZMQStream

    async def main():
        fut = asyncio.get_running_loop().create_future()
        stream = ZMQStream(sock)
        start(stream, fut.set_result)
        try:
            return await asyncio.wait_for(fut, JOIN_S)
        finally:
            stream.io_loop.remove_handler(stream._fd)  # the rig closes the socket

    return asyncio.run(main())


def stream_throughput(zmq, count, transport, size):
    """PUSH (peer) -> PULL whose ZMQStream on_recv counts: count + 1 messages,
    the last count timed."""
    def start(stream, finish):
        n, t0 = [0], [0.0]

        def on_recv(msg):
            n[0] += 1
            if n[0] == 1:
                t0[0] = perf_counter()
            elif n[0] == count + 1:
                finish(perf_counter() - t0[0])

        stream.on_recv(on_recv)

    with Rig(zmq, transport, push_role, (size, count + 1)) as rig:
        sock = rig.socket(zmq.PULL)
        rig.start(rig.bind(sock))
        seconds = _stream_run(zmq, sock, start)
    return {"ops": count, "seconds": seconds}


def stream_send_throughput(zmq, count, transport, size):
    """ZMQStream.send of count messages on a PUSH to a PULL peer; timed until
    the last send callback (every message has left the stream)."""
    def start(stream, finish):
        msg, n, t0 = b"x" * size, [0], perf_counter()

        def on_send(_msg, _status):
            n[0] += 1
            if n[0] == count:
                finish(perf_counter() - t0)

        stream.on_send(on_send)
        for _ in range(count):
            stream.send(msg)

    with Rig(zmq, transport, _pull_role, (count,)) as rig:
        sock = rig.socket(zmq.PUSH)
        rig.start(rig.bind(sock))
        seconds = _stream_run(zmq, sock, start)
    return {"ops": count, "seconds": seconds}


def stream_latency(zmq, count, transport, size):
    """REQ round trips through a ZMQStream to an echoing REP peer: each reply's
    on_recv sends the next request."""
    total = count + WARM_ROUND_TRIPS

    def start(stream, finish):
        msg, rtt, n, t0 = b"x" * size, [0] * total, [0], [0]

        def on_recv(_msg):
            rtt[n[0]] = perf_counter_ns() - t0[0]
            n[0] += 1
            if n[0] == total:
                finish(rtt[WARM_ROUND_TRIPS:])
                return
            t0[0] = perf_counter_ns()
            stream.send(msg)

        stream.on_recv(on_recv)
        t0[0] = perf_counter_ns()
        stream.send(msg)

    with Rig(zmq, transport, echo_role, (zmq.REP, total)) as rig:
        sock = rig.socket(zmq.REQ)
        rig.start(rig.bind(sock))
        rtt = _stream_run(zmq, sock, start)
    return latency_result(rtt)


# ---- gevent -------------------------------------------------------------------


def _green(zmq, sock):
    green = importlib.import_module(f"{zmq.__name__}.green")
    return green.Socket(shadow=sock.underlying)


def _in_greenlet(func, *args):
    import gevent
    return gevent.spawn(func, *args).get(timeout=JOIN_S)


def green_throughput(zmq, count, transport, size):
    """PUSH (peer) -> green PULL received in a greenlet: count + 1 messages,
    the last count timed."""
    def work(sock):
        recv = sock.recv
        recv()
        t0 = perf_counter()
        for _ in range(count):
            recv()
        return perf_counter() - t0

    with Rig(zmq, transport, push_role, (size, count + 1)) as rig:
        sock = rig.socket(zmq.PULL)
        rig.start(rig.bind(sock))
        seconds = _in_greenlet(work, _green(zmq, sock))
    return {"ops": count, "seconds": seconds}


def green_latency(zmq, count, transport, size):
    """Green REQ round trips to an echoing REP peer, in a greenlet."""
    with Rig(zmq, transport, echo_role, (zmq.REP, count + WARM_ROUND_TRIPS)) as rig:
        sock = rig.socket(zmq.REQ)
        rig.start(rig.bind(sock))
        rtt = _in_greenlet(lambda s: round_trips(s, b"x" * size, count), _green(zmq, sock))
    return latency_result(rtt)


# ---- anyio --------------------------------------------------------------------


def anyio_send_recv(zmq, count, backend, size):
    """``await send(m); await recv()`` on an inproc PAIR in one anyio task (the
    form of aio/send-recv), on ``backend``."""
    import anyio
    za = importlib.import_module(f"{zmq.__name__}.anyio")

    async def work(a, b):
        send, recv, msg = a.send, b.recv, b"x" * size
        with anyio.fail_after(JOIN_S):
            t0 = perf_counter()
            for _ in range(count):
                await send(msg)
                await recv()
            return perf_counter() - t0

    with Rig(zmq) as rig:
        a, b = (za.Socket.from_socket(s) for s in _pair(rig))
        seconds = anyio.run(work, a, b, backend=backend)
    return {"ops": count, "seconds": seconds}


def _register():
    tcp64 = dict(transport="tcp", size=64)
    label = size_label(64)
    stream = ("eventloop.zmqstream.ZMQStream",)
    add(Scenario(f"loop/stream/thr/tcp/{label}", "loops", "rate", stream_throughput, 100_000,
                 tcp64, size=64, needs=stream))
    add(Scenario(f"loop/stream/thr-send/tcp/{label}", "loops", "rate", stream_send_throughput,
                 100_000, tcp64, size=64, needs=stream))
    add(Scenario(f"loop/stream/lat/reqrep/tcp/{label}", "loops", "latency", stream_latency,
                 2000, tcp64, size=64, needs=stream, min_count=50))
    green = ("green.Socket",)
    add(Scenario(f"loop/green/thr/tcp/{label}", "loops", "rate", green_throughput, 200_000,
                 tcp64, size=64, needs=green))
    add(Scenario(f"loop/green/lat/reqrep/tcp/{label}", "loops", "latency", green_latency,
                 2000, tcp64, size=64, needs=green, min_count=50))
    for backend in ("asyncio", "trio") if _HAVE_TRIO else ("asyncio",):
        add(Scenario(f"loop/anyio/send-recv/8B/{backend}", "loops", "time", anyio_send_recv,
                     20_000, dict(backend=backend, size=8), needs=("anyio.Socket",),
                     calibrate=True))


_register()
