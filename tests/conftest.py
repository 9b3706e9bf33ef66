"""Fixtures for the zmqx test suite.

The binding under test comes from ``_backend`` (``ZMQX_TEST_MODULE``: ``zmqx``
by default, ``zmq`` to run the same tests against pyzmq).  Tests marked
``zmqx_only`` check behaviour pyzmq does not have and are skipped under it.
"""
import faulthandler
import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from _backend import (IS_ZMQX, MODULE_NAME, TIMEOUT_MS, TRANSPORTS, collect,  # noqa: E402
                      run_in_thread, subscribe_and_sync, wait_until, zmq)

#: a test running longer than this dumps every thread's stack and aborts the run
HANG_GUARD_S = 120
_names = itertools.count()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "zmqx_only: zmqx-specific behaviour, skipped when testing pyzmq")


def pytest_report_header(config):
    return f"module under test: {MODULE_NAME} {zmq.__version__} ({zmq.__file__}), " \
           f"libzmq {zmq.zmq_version()}"


def pytest_collection_modifyitems(config, items):
    if IS_ZMQX:
        return
    skip = pytest.mark.skip(reason=f"zmqx-specific behaviour ({MODULE_NAME} under test)")
    for item in items:
        if "zmqx_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _hang_guard():
    """Abort with every thread's traceback instead of hanging the run."""
    faulthandler.dump_traceback_later(HANG_GUARD_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _debug_counters():
    if not IS_ZMQX:
        return None
    func = getattr(zmq._zmq, "_debug_counters", None)
    return func() if func is not None else None


@pytest.fixture(autouse=True, scope="module")
def _no_leaked_frames():
    """In a debug build, every module must give back its frames and buffers."""
    collect()
    before = _debug_counters()
    yield
    if before is None:
        return
    keys = ("frames", "zc")

    def back_to_start():
        collect()
        now = _debug_counters()
        return all(now[k] <= before[k] for k in keys)

    try:
        wait_until(back_to_start, timeout=5.0, what="debug counters to return")
    except AssertionError:
        now = _debug_counters()
        pytest.fail(f"leaked objects: before {before}, after {now}")


@pytest.fixture
def ctx():
    """A fresh Context; teardown closes leftover sockets and terms it (bounded)."""
    context = zmq.Context()
    yield context
    if not context.closed:
        try:
            run_in_thread(context.destroy, 0, timeout=10.0)
        except AssertionError:
            pytest.fail("Context.destroy(linger=0) did not finish within 10 s")


@pytest.fixture
def sock(ctx):
    """Factory: ``sock(zmq.PUSH, linger=0, ...)`` makes a socket with timeouts set.

    Every socket gets RCVTIMEO and SNDTIMEO so no call can block for ever;
    keyword arguments set further options as attributes.
    """
    made = []

    def make(socket_type, **options):
        s = ctx.socket(socket_type)
        made.append(s)
        s.rcvtimeo = TIMEOUT_MS
        s.sndtimeo = TIMEOUT_MS
        for name, value in options.items():
            setattr(s, name, value)
        return s

    yield make
    for s in made:
        if not s.closed:
            s.close(linger=0)


@pytest.fixture
def endpoint(tmp_path):
    """Factory: ``endpoint(transport)`` gives a fresh address to bind to.

    tcp gives ``tcp://127.0.0.1:0``: read the real one from LAST_ENDPOINT.
    """
    def make(transport):
        n = next(_names)
        if transport == "inproc":
            return f"inproc://test-{os.getpid()}-{n}"
        if transport == "ipc":
            return f"ipc://{tmp_path}/s{n}.ipc"
        if transport == "tcp":
            return "tcp://127.0.0.1:0"
        raise ValueError(transport)

    return make


def bind(socket, url):
    """Bind and return the address peers can connect to (tcp port resolved)."""
    socket.bind(url)
    return socket.get_string(zmq.LAST_ENDPOINT)


@pytest.fixture
def bound(endpoint):
    """Factory: ``bound(socket, transport)`` binds to a fresh address, returns it."""
    return lambda socket, transport: bind(socket, endpoint(transport))


@pytest.fixture
def pair(sock, bound):
    """Factory: ``pair(transport, bind_type, connect_type)`` -> (bound, connected)."""
    def make(transport="inproc", bind_type=zmq.PAIR, connect_type=zmq.PAIR, **options):
        a = sock(bind_type, **options)
        url = bound(a, transport)
        b = sock(connect_type, **options)
        b.connect(url)
        return a, b

    return make


@pytest.fixture(params=TRANSPORTS)
def transport(request):
    return request.param


@pytest.fixture
def pubsub(pair):
    """Factory: ``pubsub(transport, topic)`` -> (pub, sub), subscribed and synced."""
    def make(transport="inproc", topic=b""):
        pub, sub = pair(transport, zmq.PUB, zmq.SUB)
        subscribe_and_sync(pub, sub, topic)
        return pub, sub

    return make
