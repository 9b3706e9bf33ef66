# SPDX-License-Identifier: BSD-3-Clause
"""Shared by the asyncio test files: the async module under test, loop kinds,
socket pairs, and the checks that a socket and a loop are left clean.

Every test runs once per loop kind (the default loop and uvloop; uvloop's run
is skipped when it is not installed).  ``run`` bounds the whole test.
"""
import asyncio
import importlib

import pytest

from _backend import IS_ZMQX, MODULE_NAME, run_in_thread, zmq

aio = importlib.import_module(f"{MODULE_NAME}.asyncio")

try:
    import uvloop
except ImportError:  # the uvloop runs are skipped
    uvloop = None

LOOP_KINDS = ["asyncio", pytest.param("uvloop", marks=pytest.mark.skipif(
    uvloop is None, reason="uvloop is not installed"))]
#: bound on any single await in these tests (s)
WAIT_S = 10.0


@pytest.fixture(params=LOOP_KINDS)
def loop_kind(request):
    return request.param


@pytest.fixture
def run(loop_kind):
    """``run(coro, timeout=60)``: run ``coro`` on a fresh loop of the kind, bounded."""
    factory = asyncio.new_event_loop if loop_kind == "asyncio" else uvloop.new_event_loop

    def run_(coro, timeout=60.0):
        loop = factory()
        try:
            return loop.run_until_complete(asyncio.wait_for(coro, timeout))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    return run_


@pytest.fixture
def actx():
    """A fresh async Context, destroyed (linger 0, bounded) after the test."""
    context = aio.Context()
    yield context
    run_in_thread(context.destroy, 0, timeout=10.0)


@pytest.fixture
def apair(actx):
    """``apair(bind_type, connect_type, transport="inproc", **options)`` -> (bound, connected)."""
    counter = iter(range(1 << 30))

    def make(bind_type=zmq.PAIR, connect_type=zmq.PAIR, transport="inproc", **options):
        a, b = actx.socket(bind_type), actx.socket(connect_type)
        for s in (a, b):
            s.linger = 0
            for name, value in options.items():
                setattr(s, name, value)
        url = f"inproc://aio-{next(counter)}" if transport == "inproc" else "tcp://127.0.0.1:0"
        a.bind(url)
        b.connect(a.get_string(zmq.LAST_ENDPOINT))
        return a, b

    return make


def assert_no_waiters(*socks):
    """zmqx: nothing is queued on the sockets (no leaked futures)."""
    if not IS_ZMQX:
        return
    for s in socks:
        w = s._w
        assert (w.n, len(w.recv), len(w.send), len(w.polls)) == (0, 0, 0, 0), s


def assert_loop_clean(loop):
    """The default loop holds no callback and no live timer of zmqx.asyncio's
    (other loops hide theirs: nothing to check there)."""
    if not isinstance(loop, asyncio.BaseEventLoop):
        return
    ours = ("zmqx", "zmq.asyncio", "zmq._future")
    leftovers = [h for h in list(loop._ready) + list(loop._scheduled)
                 if not h.cancelled() and getattr(h._callback, "__module__", "").startswith(ours)]
    assert leftovers == []


async def settle():
    """Let every callback already scheduled run (a few loop iterations)."""
    for _ in range(5):
        await asyncio.sleep(0)
