"""The benchmark workloads and their registration: the same code for every module.

Each workload takes the module under test (``zmqx`` or ``zmq``) as its first
argument and uses only pyzmq's API, so both bindings run identical code; the
peer at the other end of a two-party scenario uses the same module.  The
``cargs`` of each scenario name the C program's equivalent work
(``csrc/bench/zmqx_cbench.c``).  Groups, in report order: throughput,
latency, per-call, poll, proxy.
"""
from __future__ import annotations

import queue
import statistics
import threading
import timeit
from functools import partial
from math import ceil
from time import perf_counter, perf_counter_ns

from .peers import (
    JOIN_S, TIMEOUT_MS, WARM_ROUND_TRIPS, Rig, echo_role, proxy_role, push_many_role,
    push_role,
)
from .registry import Scenario, add, count_for, size_label

SIZES = (1, 64, 1 << 10, 64 << 10, 1 << 20)
TRANSPORTS = ("inproc", "ipc", "tcp")
BATCH = 1000
#: bytes a throughput run moves (at least 1,024 messages): about 0.3 s over tcp at
#: 1 MiB, long enough that a burst of noise on a shared machine is averaged out
_THR_BYTES = 1 << 30


# ---- measurement helpers ---------------------------------------------------


def _timed_receive(recv, count):
    """Receive one message (the sender is up: start the clock), then ``count``."""
    recv()
    t0 = perf_counter()
    for _ in range(count):
        recv()
    return perf_counter() - t0


def _timed_receive_many(sock, count, batch):
    """Like :func:`_timed_receive` with the batch API: ``recv_many(max, timeout_ms)``."""
    sock.recv()
    recv_many, got = sock.recv_many, 0
    t0 = perf_counter()
    while got < count:
        msgs = recv_many(min(batch, count - got), TIMEOUT_MS)
        if not msgs:
            raise TimeoutError("recv_many returned nothing")
        got += len(msgs)
    return perf_counter() - t0


def latency_result(rtt_ns):
    """Median and nearest-rank p99 of round-trip times (ns), in µs; the C
    program computes the same two numbers the same way."""
    rtt = sorted(rtt_ns)
    return {
        "ops": len(rtt),
        "seconds": sum(rtt) * 1e-9,
        "median_us": statistics.median(rtt) / 1e3,
        "p99_us": rtt[ceil(0.99 * len(rtt)) - 1] / 1e3,
    }


def _call_in_thread(fn, timeout, what):
    """Run ``fn()`` in a helper thread; raise if it has not returned in time."""
    done = threading.Thread(target=fn, daemon=True)
    done.start()
    done.join(timeout)
    if done.is_alive():
        raise RuntimeError(f"{what} did not return within {timeout:.0f} s")


# ---- workloads -------------------------------------------------------------


def throughput(zmq, count, transport, size, copy=True, batch=0):
    """PUSH -> PULL: the peer sends count + 1 messages, we time the last count."""
    role, args = (push_many_role, (size, count + 1, batch)) if batch else (
        push_role, (size, count + 1, copy))
    with Rig(zmq, transport, role, args) as rig:
        sock = rig.socket(zmq.PULL)
        rig.start(rig.bind(sock))
        if batch:
            seconds = _timed_receive_many(sock, count, batch)
        else:
            recv = sock.recv if copy else partial(sock.recv, copy=False)
            seconds = _timed_receive(recv, count)
    return {"ops": count, "seconds": seconds}


def latency(zmq, count, transport, size, pattern):
    """REQ/REP or PAIR round trips to an echoing peer, each one timed."""
    mine, theirs = (zmq.PAIR, zmq.PAIR) if pattern == "pair" else (zmq.REQ, zmq.REP)
    with Rig(zmq, transport, echo_role, (theirs, count + WARM_ROUND_TRIPS)) as rig:
        sock = rig.socket(mine)
        rig.start(rig.bind(sock))
        rtt = round_trips(sock, b"x" * size, count)
    return latency_result(rtt)


def round_trips(sock, msg, count):
    """``WARM_ROUND_TRIPS`` untimed, then ``count`` timed send(msg)+recv()
    round trips on ``sock``: their times in ns (latency, green latency)."""
    send, recv, clock = sock.send, sock.recv, perf_counter_ns
    for _ in range(WARM_ROUND_TRIPS):
        send(msg)
        recv()
    rtt = [0] * count
    for i in range(count):
        t0 = clock()
        send(msg)
        recv()
        rtt[i] = clock() - t0
    return rtt


def calls(zmq, count, stmt, setup):
    """Time ``stmt`` ``count`` times in one thread (timeit's loop; the names
    that ``setup(zmq, rig)`` returns are bound as fast locals)."""
    with Rig(zmq) as rig:
        names = setup(zmq, rig)
        bind = "; ".join(f"{name} = _names[{name!r}]" for name in names) or "pass"
        seconds = timeit.Timer(stmt, bind, globals={"_names": names}).timeit(count)
    return {"ops": count, "seconds": seconds}


def proxy(zmq, count, transport, size):
    """PUSH (peer process) -> zmq.proxy (thread, own context) -> PULL (here).
    The proxy stops when its context is terminated, outside the clock."""
    with Rig(zmq, transport, push_role, (size, count + 1)) as rig:
        pctx, endpoints = zmq.Context(), queue.Queue()
        thread = threading.Thread(
            target=proxy_role, args=(zmq, pctx, transport, endpoints), daemon=True)
        thread.start()
        try:
            front, back = endpoints.get(timeout=JOIN_S)
            sink = rig.socket(zmq.PULL)
            sink.connect(back)
            rig.start(front)
            seconds = _timed_receive(sink.recv, count)
        finally:
            _call_in_thread(pctx.term, JOIN_S, "terminating the proxy's context")
            thread.join(JOIN_S)
    return {"ops": count, "seconds": seconds}


# ---- per-call set-ups: names bound for the timed statement -----------------


def _pair(rig):
    a, b = rig.socket(rig.zmq.PAIR), rig.socket(rig.zmq.PAIR)
    b.connect(rig.bind(a, "call"))
    return a, b


def _send_recv(size, recv_name="recv"):
    def setup(zmq, rig):
        a, b = _pair(rig)
        return {"send": a.send, recv_name: getattr(b, recv_name), "m": b"x" * size,
                "buf": bytearray(size)}
    return setup


def _multipart(frames, size):
    def setup(zmq, rig):
        a, b = _pair(rig)
        return {"send_multipart": a.send_multipart, "recv_multipart": b.recv_multipart,
                "parts": [b"x" * size] * frames}
    return setup


def _one_socket(zmq, rig):
    return {"s": rig.socket(zmq.PAIR), "EVENTS": zmq.EVENTS}


def _frame(size):
    return lambda zmq, rig: {"Frame": zmq.Frame, "m": b"x" * size}


def _poller(nsockets):
    def setup(zmq, rig):
        poller = zmq.Poller()
        for _ in range(nsockets):
            poller.register(rig.socket(zmq.PULL), zmq.POLLIN)
        return {"poll": poller.poll}
    return setup


# ---- registration ----------------------------------------------------------


def _register():
    for size in SIZES:
        for transport in TRANSPORTS:
            add(Scenario(
                f"thr/{transport}/{size_label(size)}", "throughput", "rate", throughput,
                count_for(size, _THR_BYTES, 1024, 200_000),
                dict(transport=transport, size=size), ("thr", transport, size, 1), size))
    add(Scenario(
        "thr/tcp/1MiB/zero-copy", "throughput", "rate", throughput, 1024,
        dict(transport="tcp", size=1 << 20, copy=False), ("thr", "tcp", 1 << 20, 0), 1 << 20))
    add(Scenario(
        "thr/tcp/64B/batch", "throughput", "rate", throughput, 200_000,
        dict(transport="tcp", size=64, batch=BATCH), ("thr", "tcp", 64, 1), 64,
        needs=("Socket.send_many", "Socket.recv_many")))

    for pattern in ("reqrep", "pair"):
        for size in SIZES:
            for transport in TRANSPORTS:
                add(Scenario(
                    f"lat/{pattern}/{transport}/{size_label(size)}", "latency", "latency",
                    latency, count_for(size, 64 << 20, 200, 2000),
                    dict(transport=transport, size=size, pattern=pattern),
                    ("lat", pattern, transport, size), size, min_count=50))

    per_call = [
        ("send-recv/8B", "send(m); recv()", _send_recv(8), ("sendrecv", 8), ()),
        ("send-recv/1KiB", "send(m); recv()", _send_recv(1024), ("sendrecv", 1024), ()),
        ("multipart/3x8B", "send_multipart(parts); recv_multipart()", _multipart(3, 8),
         ("multipart", 3, 8), ()),
        ("recv_into/8B", "send(m); recv_into(buf)", _send_recv(8, "recv_into"),
         ("sendrecv", 8), ("Socket.recv_into",)),
        ("zero-copy/64KiB", "send(m, copy=False); recv(copy=False)", _send_recv(64 << 10),
         ("zerocopy", 64 << 10), ()),
        ("zero-copy/1MiB", "send(m, copy=False); recv(copy=False)", _send_recv(1 << 20),
         ("zerocopy", 1 << 20), ()),
        ("opt/rcvmore", "s.rcvmore", _one_socket, ("getopt", "rcvmore"), ()),
        ("opt/get-EVENTS", "s.get(EVENTS)", _one_socket, ("getopt", "events"), ()),
        ("opt/linger=0", "s.linger = 0", _one_socket, ("setopt", "linger"), ()),
        ("Frame/64B", "Frame(m)", _frame(64), ("msginit", 64), ("Frame",)),
    ]
    for name, stmt, setup, cargs, needs in per_call:
        add(Scenario(f"call/{name}", "per-call", "time", calls, 20_000,
                     dict(stmt=stmt, setup=setup), cargs, needs=needs, calibrate=True))

    for nsockets in (1, 10, 100):
        add(Scenario(f"poll/{nsockets}-idle", "poll", "time", calls, 2000,
                     dict(stmt="poll(0)", setup=_poller(nsockets)), ("poll", nsockets),
                     needs=("Poller",), calibrate=True))

    for size in (64, 64 << 10):
        add(Scenario(f"proxy/tcp/{size_label(size)}", "proxy", "rate", proxy,
                     count_for(size, 128 << 20, 256, 100_000),
                     dict(transport="tcp", size=size), ("proxy", "tcp", size), size,
                     needs=("proxy",)))


_register()
