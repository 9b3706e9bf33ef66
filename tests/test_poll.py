"""Poller, select() and the C poll core (PollSet) they stand on.

zmq_poll (one fresh zmq_pollitem_t array per call) is the reference: the
Poller must report exactly what it reports, through any sequence of
register/modify/unregister.  Also: fds (a pipe, a socketpair), timeouts,
and signals arriving while a poll waits without the GIL.
"""
import contextlib
import os
import random
import signal
import socket
import time

import pytest
from _backend import IS_ZMQX, zmq

IN, OUT, INOUT = zmq.POLLIN, zmq.POLLOUT, zmq.POLLIN | zmq.POLLOUT


@pytest.fixture
def pipe():
    r, w = os.pipe()
    yield r, w
    os.close(r)
    os.close(w)


def reference(entries, timeout=0):
    """What zmq_poll reports for ``[(obj, flags), ...]``."""
    if IS_ZMQX:
        return zmq.zmq_poll(entries, timeout)
    return zmq.backend.zmq_poll(entries, timeout)


# --- agreement with zmq_poll ------------------------------------------------

def test_poller_agrees_with_zmq_poll_through_random_changes(pair, pipe):
    """200 random steps: register/modify/unregister/send/recv, then compare."""
    rng = random.Random(1234)
    pairs = [pair("inproc", zmq.PAIR, zmq.PAIR, sndhwm=2, rcvhwm=2) for _ in range(6)]
    objs = [s for p in pairs for s in p] + [pipe[0], pipe[1]]
    poller = zmq.Poller()
    registered = {}
    for step in range(200):
        obj = rng.choice(objs)
        action = rng.randrange(5)
        if action == 0:
            flags = rng.choice([IN, OUT, INOUT, 0])
            poller.register(obj, flags)
            if flags:
                registered[obj] = flags
            else:
                registered.pop(obj, None)
        elif action == 1 and obj in registered:
            poller.unregister(obj)
            del registered[obj]
        elif action == 2 and isinstance(obj, zmq.Socket):
            with contextlib.suppress(zmq.Again):
                obj.send(b"x", zmq.NOBLOCK)
        elif action == 3 and isinstance(obj, zmq.Socket):
            with contextlib.suppress(zmq.Again):
                obj.recv(zmq.NOBLOCK)
        elif action == 4 and obj == pipe[1]:
            os.write(pipe[1], b"x")
        expected = reference(list(registered.items()))
        assert poller.poll(0) == expected, f"step {step}"
        assert poller.sockets == list(registered.items())


def test_poll_reports_in_registration_order(pair):
    sockets = [s for _ in range(5) for s in pair()]
    poller = zmq.Poller()
    for s in reversed(sockets):
        poller.register(s, OUT)
    assert [s for s, _ in poller.poll(0)] == list(reversed(sockets))


def test_many_idle_sockets_then_a_few_ready(pair):
    pairs = [pair() for _ in range(50)]
    poller = zmq.Poller()
    for a, b in pairs:
        poller.register(a, IN)
        poller.register(b, IN)
    assert poller.poll(0) == []
    for i in (3, 17, 42):
        pairs[i][1].send(b"x")
    assert poller.poll(0) == [(pairs[i][0], IN) for i in (3, 17, 42)]


# --- register / modify / unregister -----------------------------------------

def test_register_modify_unregister(pair):
    a, b = pair()
    poller = zmq.Poller()
    poller.register(a)                       # default POLLIN | POLLOUT
    assert poller.poll(0) == [(a, OUT)]
    b.send(b"x")
    assert poller.poll(0) == [(a, INOUT)]
    poller.modify(a, IN)
    assert poller.poll(0) == [(a, IN)]
    poller.register(a, OUT)                  # registering again modifies
    assert poller.sockets == [(a, OUT)]
    poller.unregister(a)
    assert poller.poll(0) == [] and poller.sockets == []
    with pytest.raises(KeyError):
        poller.unregister(a)


def test_register_with_no_flags_unregisters(pair):
    a, b = pair()
    poller = zmq.Poller()
    poller.register(a, IN)
    poller.register(b, OUT)
    poller.register(a, 0)
    assert poller.sockets == [(b, OUT)]
    poller.register(a, 0)                    # not registered: ignored
    assert poller.sockets == [(b, OUT)]


def test_unregister_from_the_middle_keeps_the_rest_working(pair):
    a, b = pair()
    c, d = pair()
    poller = zmq.Poller()
    for s in (a, b, c, d):
        poller.register(s, OUT)
    poller.unregister(b)
    poller.modify(d, IN)                     # d moved down a slot: still found
    c.send(b"x")
    assert poller.poll(0) == [(a, OUT), (c, OUT), (d, IN)]
    assert poller.sockets == [(a, OUT), (c, OUT), (d, IN)]


@pytest.mark.zmqx_only
def test_closed_registered_socket_raises_enotsock(pair):
    a, b = pair()
    poller = zmq.Poller()
    poller.register(a, IN)
    poller.register(b, IN)
    b.close()
    with pytest.raises(zmq.ZMQError) as info:
        poller.poll(0)
    assert info.value.errno == zmq.ENOTSOCK
    poller.unregister(b)
    assert poller.poll(0) == []


@pytest.mark.zmqx_only
def test_pollset_is_the_core(pair):
    a, b = pair()
    ps = zmq.PollSet()
    ps.register(a, IN)
    assert len(ps) == 1 and a in ps and b not in ps and ps.events(a) == IN
    b.send(b"x")
    assert ps.poll(0) == [(a, IN)]
    with pytest.raises(KeyError):
        ps.modify(b, IN)
    with pytest.raises(TypeError):
        ps.register(object(), IN)


# --- file descriptors ---------------------------------------------------------

def test_pipe_fds(pipe):
    r, w = pipe
    poller = zmq.Poller()
    poller.register(r, IN)
    poller.register(w, OUT)
    assert poller.poll(0) == [(w, OUT)]
    os.write(w, b"x")
    assert poller.poll(0) == [(r, IN), (w, OUT)]
    os.read(r, 1)
    assert poller.poll(0) == [(w, OUT)]


def test_objects_with_fileno_and_zmq_sockets_together(pair):
    a, b = pair()
    left, right = socket.socketpair()
    with left, right:
        poller = zmq.Poller()
        poller.register(left, IN)
        poller.register(a, IN)
        assert poller.poll(0) == []
        right.send(b"x")
        b.send(b"y")
        assert poller.poll(1000) == [(left, IN), (a, IN)]


# --- select ---------------------------------------------------------------------

def test_select(pair, pipe):
    a, b = pair()
    r, w = pipe
    rl, wl, xl = zmq.select([a, r], [b, w], [a], 0)
    assert (rl, wl, xl) == ([], [b, w], [])
    b.send(b"x")
    os.write(w, b"x")
    rl, wl, xl = zmq.select([a, r], [], [], 1.0)
    assert rl == [a, r] and wl == [] and xl == []


def test_select_timeout_is_in_seconds(pair):
    a, _ = pair()
    start = time.monotonic()
    assert zmq.select([a], [], [], 0.1) == ([], [], [])
    assert 0.09 <= time.monotonic() - start < 2.0


# --- timeouts -------------------------------------------------------------------

@pytest.mark.parametrize("timeout", [50, 50.7])
def test_poll_timeout_is_in_ms(pair, timeout):
    a, _ = pair()
    poller = zmq.Poller()
    poller.register(a, IN)
    start = time.monotonic()
    assert poller.poll(timeout) == []
    assert 0.045 <= time.monotonic() - start < 2.0


def test_poll_without_timeout_wakes_for_a_message(ctx, pair):
    import threading
    a, b = pair("tcp")
    poller = zmq.Poller()
    poller.register(a, IN)
    sender = threading.Thread(target=b.send, args=(b"wake",))
    sender.start()
    assert poller.poll(None) == [(a, IN)]     # a lost wakeup hangs: the hang guard fails it
    sender.join(5)
    assert a.recv() == b"wake"


def test_poll_with_nothing_registered_honours_timeout():
    start = time.monotonic()
    assert zmq.Poller().poll(30) == []
    assert 0.025 <= time.monotonic() - start < 2.0


# --- signals --------------------------------------------------------------------

class Alarm(Exception):
    pass


@contextlib.contextmanager
def sigalrm(handler, after):
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, after)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _raise(signum, frame):
    raise Alarm()


def test_raising_signal_handler_interrupts_poll(pair):
    a, _ = pair()
    poller = zmq.Poller()
    poller.register(a, IN)
    start = time.monotonic()
    with sigalrm(_raise, 0.05), pytest.raises(Alarm):
        poller.poll(5000)
    assert time.monotonic() - start < 2.0


def test_returning_signal_handler_resumes_with_time_left(pair):
    a, _ = pair()
    poller = zmq.Poller()
    poller.register(a, IN)
    calls = []
    start = time.monotonic()
    with sigalrm(lambda *_: calls.append(time.monotonic() - start), 0.2):
        assert poller.poll(400) == []
    elapsed = time.monotonic() - start
    assert len(calls) == 1 and calls[0] < 0.4
    # resumed for the ~0.2 s left, not for a new 0.4 s (which would end near 0.6 s)
    assert 0.38 <= elapsed < 0.55, elapsed


def test_raising_signal_handler_interrupts_select(pair):
    a, _ = pair()
    with sigalrm(_raise, 0.05), pytest.raises(Alarm):
        zmq.select([a], [], [], 5.0)
