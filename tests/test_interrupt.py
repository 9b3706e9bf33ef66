"""Blocking calls (send, recv, poll, term) and signals; the GIL while blocked.

Every call that would block for ever has a rescuer: a thread that, if the
signal failed to interrupt the call within a few seconds, makes it return
(delivers or takes a message, closes the socket), so a broken binding fails
the test instead of hanging it.
"""
import contextlib
import signal
import threading
import time

import pytest

from _backend import run_in_thread, zmq

RESCUE_AFTER_S = 5.0


class Interrupted(Exception):
    """Raised by the test's signal handler."""


def raising_handler(signum, frame):
    raise Interrupted(signum)


@contextlib.contextmanager
def alarm(handler, delay, interval=0.0):
    """SIGALRM after ``delay`` s (then every ``interval`` s) handled by ``handler``."""
    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, delay, interval)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def rescuer(action, after=RESCUE_AFTER_S):
    """Run ``action`` in a thread after ``after`` s unless the block ends first."""
    done = threading.Event()

    def run():
        if not done.wait(after):
            action()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join(after + 5)
        assert not t.is_alive()


class Counter:
    """A signal handler that counts and returns (does not raise)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, signum, frame):
        self.calls += 1


class Blocking:
    """A socket call that blocks until its timeout; ``rescue`` unblocks it."""

    def __init__(self, ctx, sock, url, kind):
        self.ctx, self.sock, self.url, self.kind = ctx, sock, url, kind

    def block(self, timeout_ms):
        """Make the call; return True if it timed out."""
        s = self.sock
        if self.kind == "poll":
            return s.poll(None if timeout_ms < 0 else timeout_ms) == 0
        try:
            if self.kind == "recv":
                s.rcvtimeo = timeout_ms
                s.recv()
            else:
                s.sndtimeo = timeout_ms
                s.send(b"blocked")
        except zmq.Again:
            return True
        return False

    def rescue(self):
        peer_type = zmq.PULL if self.kind == "send" else zmq.PUSH
        with self.ctx.socket(peer_type) as peer:
            peer.linger = 1000
            peer.rcvtimeo = 5000
            peer.connect(self.url)
            if self.kind == "send":
                peer.recv()
            else:
                peer.send(b"rescue")


@pytest.fixture(params=["recv", "send", "poll"])
def blocking(request, ctx, sock, bound):
    own_type = zmq.PUSH if request.param == "send" else zmq.PULL
    s = sock(own_type)
    return Blocking(ctx, s, bound(s, "inproc"), request.param)


def test_raising_handler_interrupts_blocking_call(blocking):
    with rescuer(blocking.rescue):
        start = time.monotonic()
        with alarm(raising_handler, 0.2):
            with pytest.raises(Interrupted):
                blocking.block(-1)
        elapsed = time.monotonic() - start
    assert elapsed < 1.2, f"interrupted only after {elapsed:.2f}s"


def test_non_raising_handler_lets_call_resume(blocking):
    handler = Counter()
    start = time.monotonic()
    with alarm(handler, 0.1):
        assert blocking.block(500) is True
    elapsed = time.monotonic() - start
    assert handler.calls == 1
    assert 0.4 < elapsed < 1.5, f"timed out after {elapsed:.2f}s"


@pytest.mark.zmqx_only
def test_repeated_signals_do_not_restart_the_timeout(blocking):
    """Resuming with the *remaining* timeout: a signal every 50 ms must not
    keep a 300 ms call alive (restarting with the full timeout never ends)."""
    handler = Counter()
    with rescuer(blocking.rescue):
        start = time.monotonic()
        with alarm(handler, 0.05, 0.05):
            assert blocking.block(300) is True
        elapsed = time.monotonic() - start
    assert handler.calls >= 3
    assert 0.25 < elapsed < 1.5, f"timed out after {elapsed:.2f}s"


def test_sigint_raises_keyboard_interrupt(blocking):
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    main = threading.main_thread().ident
    timer = threading.Timer(0.2, signal.pthread_kill, (main, signal.SIGINT))
    try:
        with rescuer(blocking.rescue):
            start = time.monotonic()
            timer.start()
            with pytest.raises(KeyboardInterrupt):
                blocking.block(-1)
            elapsed = time.monotonic() - start
    finally:
        timer.cancel()
        timer.join(5)
        signal.signal(signal.SIGINT, previous)
    assert elapsed < 1.2, f"interrupted only after {elapsed:.2f}s"


def test_term_interrupted_by_raising_handler():
    c = zmq.Context()
    push = c.socket(zmq.PUSH)
    push.linger = -1
    push.connect("tcp://127.0.0.1:1")  # nobody listens: the message stays queued
    push.send(b"pending")
    try:
        with rescuer(lambda: push.close(linger=0)):
            start = time.monotonic()
            with alarm(raising_handler, 0.2):
                with pytest.raises(Interrupted):
                    c.term()  # waits for the open socket
            elapsed = time.monotonic() - start
        assert elapsed < 1.2, f"interrupted only after {elapsed:.2f}s"
    finally:
        if not push.closed:
            push.close(linger=0)
        run_in_thread(c.term, timeout=5)
    assert c.closed


def test_blocking_calls_release_the_gil(blocking):
    stop = threading.Event()
    count = [0]

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin, daemon=True)
    t.start()
    try:
        before = count[0]
        assert blocking.block(300) is True
        during = count[0] - before
    finally:
        stop.set()
        t.join(5)
    assert during > 10000, f"another thread ran only {during} iterations in 300 ms"


@pytest.mark.zmqx_only  # pyzmq's term() returns on EINTR with the socket still open
def test_term_resumes_after_non_raising_handler():
    c = zmq.Context()
    push = c.socket(zmq.PUSH)
    handler = Counter()
    with rescuer(lambda: push.close(linger=0), after=0.5):
        start = time.monotonic()
        with alarm(handler, 0.1):
            c.term()  # returns only once the rescuer has closed the socket
        elapsed = time.monotonic() - start
    assert handler.calls == 1
    assert c.closed and push.closed
    assert 0.45 < elapsed < 2, f"term() returned after {elapsed:.2f}s"
