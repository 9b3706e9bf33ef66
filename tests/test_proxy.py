"""proxy, proxy_steerable (+ STATISTICS), and the priority proxy.

Every proxy runs in a thread that owns its sockets and closes them when the
proxy ends (returns on TERMINATE, raises ContextTerminated when the context
terminates, as pyzmq); each test ends it and joins the thread with a timeout.
"""
import os
import signal
import struct
import subprocess
import sys
import threading
import time

import pytest
from _backend import PACKAGE_PARENT, run_in_thread, zmq
from _forwarding import JOIN_S, bound, connected

pytestmark = pytest.mark.zmqx_only   # statistics, priority proxy: zmqx's


class ProxyThread(threading.Thread):
    """Run ``func(*sockets, **kw)``; close ``sockets`` (and ``kw``'s) after it returns."""

    def __init__(self, func, *sockets, **kw):
        super().__init__(daemon=True)
        self.func, self.sockets, self.kw = func, sockets, kw
        self.result = self.error = None

    def run(self):
        try:
            self.result = self.func(*self.sockets, **self.kw)
        except BaseException as exc:  # noqa: BLE001 -- handed to the test by finish()
            self.error = exc
        finally:
            for s in (*self.sockets, *self.kw.values()):
                for x in (s if isinstance(s, list) else [s]):
                    if x is not None:
                        x.close()       # LINGER is 0 already (see bound())

    def finish(self):
        self.join(JOIN_S)
        assert not self.is_alive(), "proxy still running"
        if self.error is not None:
            raise self.error
        return self.result

    def finish_terminated(self):
        """finish() for a proxy ended by context termination: it raised ContextTerminated."""
        with pytest.raises(zmq.ContextTerminated):
            self.finish()


def terminate(ctx, *sockets):
    """Close the test's own sockets, then terminate the context (bounded)."""
    for s in sockets:
        s.close(linger=0)
    run_in_thread(ctx.term, timeout=JOIN_S)


@pytest.fixture
def url(request):
    n = iter(range(100))
    return lambda name: f"inproc://{request.node.name}-{name}-{next(n)}"


# --- proxy ------------------------------------------------------------------

@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_proxy_req_rep_with_capture_raises_on_term(ctx, transport):
    ctx.linger = 0
    fe = ctx.socket(zmq.ROUTER)
    be = ctx.socket(zmq.DEALER)
    cap = ctx.socket(zmq.PUSH)
    if transport == "tcp":
        fe_url = f"tcp://127.0.0.1:{fe.bind_to_random_port('tcp://127.0.0.1')}"
        be_url = f"tcp://127.0.0.1:{be.bind_to_random_port('tcp://127.0.0.1')}"
    else:
        fe_url, be_url = "inproc://p-fe", "inproc://p-be"
        fe.bind(fe_url)
        be.bind(be_url)
    cap.bind("inproc://p-cap")
    tap = connected(ctx, zmq.PULL, "inproc://p-cap")
    t = ProxyThread(zmq.proxy, fe, be, cap)
    t.start()
    req = connected(ctx, zmq.REQ, fe_url)
    rep = connected(ctx, zmq.REP, be_url)
    for i in range(3):
        req.send_multipart([b"ask", str(i).encode()])
        assert rep.recv_multipart() == [b"ask", str(i).encode()]
        rep.send(b"answer")
        assert req.recv() == b"answer"
    # capture saw each request (routing frames included) and each reply
    captured = [tap.recv_multipart() for _ in range(6)]
    assert [c[-1] for c in captured] == [b"0", b"answer", b"1", b"answer", b"2", b"answer"]
    terminate(ctx, req, rep, tap)
    t.finish_terminated()                # as pyzmq: the proxy's sockets were closed after it


def test_proxy_is_interrupted_by_a_raising_signal_handler(ctx):
    fe = bound(ctx, zmq.PULL, "inproc://sig-fe")
    be = bound(ctx, zmq.PUSH, "inproc://sig-be")

    def handler(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            zmq.proxy(fe, be)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert time.monotonic() - start < 5


# --- steerable proxy and statistics ---------------------------------------------

@pytest.fixture
def steerable(ctx, url):
    """A running PULL -> PUSH steerable proxy: (producer, consumer, control, thread)."""
    fe, be, ctl = url("fe"), url("be"), url("ctl")
    t = ProxyThread(zmq.proxy_steerable, bound(ctx, zmq.PULL, fe), bound(ctx, zmq.PUSH, be),
                    None, bound(ctx, zmq.PAIR, ctl))
    t.start()
    socks = (connected(ctx, zmq.PUSH, fe), connected(ctx, zmq.PULL, be),
             connected(ctx, zmq.PAIR, ctl))
    yield (*socks, t)
    if t.is_alive():
        terminate(ctx, *socks)
        t.finish_terminated()


def test_statistics_count_whole_messages_and_bytes(steerable):
    push, pull, control, t = steerable
    for _ in range(3):
        push.send_multipart([b"ab", b"cde"])           # one message of 5 bytes
    push.send(b"0123456789")
    for _ in range(4):
        pull.recv_multipart()
    stats = zmq.proxy_statistics(control, timeout=5)
    assert stats.frontend == (4, 25, 0, 0)
    assert stats.backend == (0, 0, 4, 25)
    assert stats.frontend.messages_in == stats.backend.messages_out == 4
    control.send(b"TERMINATE")
    assert t.finish() == 0            # as pyzmq: zmq_proxy_steerable's rc


def test_pause_holds_messages_until_resume(steerable):
    push, pull, control, t = steerable
    control.send(b"PAUSE")
    zmq.proxy_statistics(control, timeout=5)    # answered after PAUSE: it is paused
    push.send(b"held")
    assert pull.poll(200) == 0
    control.send(b"RESUME")
    assert pull.recv() == b"held"
    control.send(b"TERMINATE")
    t.finish()


def test_steerable_proxy_raises_on_context_term(ctx, steerable):
    push, pull, control, t = steerable
    terminate(ctx, push, pull, control)
    t.finish_terminated()


def test_statistics_timeout_raises_again(ctx):
    lonely = bound(ctx, zmq.PAIR, "inproc://nobody-answers")
    start = time.monotonic()
    with pytest.raises(zmq.Again):
        zmq.proxy_statistics(lonely, timeout=0.05)
    assert time.monotonic() - start < 2


def test_statistics_from_frames():
    frames = [struct.pack("=Q", v) for v in range(1, 9)]
    stats = zmq.ProxyStatistics.from_frames(frames)
    assert stats.frontend.bytes_out == 4 and stats.backend.messages_in == 5
    with pytest.raises(ValueError):
        zmq.ProxyStatistics.from_frames(frames[:7])


def test_proxy_stats_example_runs_and_stops_by_itself():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    out = subprocess.run([sys.executable, os.path.join(root, "examples", "proxy_stats.py"),
                          "--messages", "1500", "--interval", "0.05", "--pause", "0.0001"],
                         env=env, capture_output=True, text=True, timeout=30, check=False)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == "done: 1500 messages through the proxy"
    assert "in   1500 msgs   150000 B" in lines[-2]


# --- priority proxy ---------------------------------------------------------------

def fill(ctx, url, tag, n):
    """Queue ``n`` two-frame messages [tag, i] for a bound PULL at ``url``."""
    push = connected(ctx, zmq.PUSH, url, sndhwm=10_000)
    for i in range(n):
        push.send_multipart([tag, b"%d" % i])
    return push


def test_priority_order_when_all_are_queued(ctx, url):
    names = [b"high", b"mid", b"low"]
    urls = {n: url(n.decode()) for n in names}
    fronts = [bound(ctx, zmq.PULL, urls[n], rcvhwm=10_000) for n in names]
    producers = [fill(ctx, urls[n], n, 100) for n in reversed(names)]  # low queued first
    be_url, ctl_url = url("be"), url("ctl")
    t = ProxyThread(zmq.priority_proxy, fronts, bound(ctx, zmq.PUSH, be_url),
                    control=bound(ctx, zmq.PAIR, ctl_url))
    out = connected(ctx, zmq.PULL, be_url)
    ctl = connected(ctx, zmq.PAIR, ctl_url)
    t.start()
    got = [out.recv_multipart() for _ in range(300)]
    assert [tag for tag, _ in got] == [n for n in names for _ in range(100)]
    for name in names:
        assert [int(i) for tag, i in got if tag == name] == list(range(100))
    ctl.send(b"TERMINATE")
    assert t.finish() == [100, 100, 100]
    terminate(ctx, *producers, out, ctl)


def test_high_priority_overtakes_queued_low_priority_under_load(ctx, url):
    """300 low messages are queued behind a full backend; 50 high ones sent
    later come out next, together, before every low one still queued."""
    hi_url, lo_url, be_url, ctl_url = url("hi"), url("lo"), url("be"), url("ctl")
    t = ProxyThread(zmq.priority_proxy,
                    [bound(ctx, zmq.PULL, hi_url, rcvhwm=10_000),
                     bound(ctx, zmq.PULL, lo_url, rcvhwm=10_000)],
                    bound(ctx, zmq.PUSH, be_url, sndhwm=5),
                    control=bound(ctx, zmq.REP, ctl_url))
    t.start()
    out = connected(ctx, zmq.PULL, be_url, rcvhwm=5)
    ctl = connected(ctx, zmq.REQ, ctl_url)
    low = fill(ctx, lo_url, b"low", 300)
    got = [out.recv_multipart()]              # the proxy is moving low messages
    ctl.send(b"PAUSE")
    assert ctl.recv() == b""                  # REP control: every command answered
    high = fill(ctx, hi_url, b"high", 50)
    ctl.send(b"RESUME")
    assert ctl.recv() == b""
    got += [out.recv_multipart() for _ in range(349)]
    order = [tag for tag, _ in got]
    first = order.index(b"high")
    assert first <= 15, f"only the backend's queue (~10) may precede: {first}"
    assert order[first:first + 50] == [b"high"] * 50
    assert [int(i) for tag, i in got if tag == b"low"] == list(range(300))
    assert [int(i) for tag, i in got if tag == b"high"] == list(range(50))
    ctl.send(b"TERMINATE")
    assert ctl.recv() == b""
    assert t.finish() == [50, 300]
    terminate(ctx, low, high, out, ctl)


def test_priority_proxy_capture_and_context_term(ctx, url):
    fe_url, be_url, cap_url = url("fe"), url("be"), url("cap")
    t = ProxyThread(zmq.priority_proxy, [bound(ctx, zmq.PULL, fe_url)],
                    bound(ctx, zmq.PUSH, be_url), capture=bound(ctx, zmq.PUSH, cap_url))
    t.start()
    push = connected(ctx, zmq.PUSH, fe_url)
    out = connected(ctx, zmq.PULL, be_url)
    tap = connected(ctx, zmq.PULL, cap_url)
    push.send_multipart([b"a", b"", b"ccc"])
    assert out.recv_multipart() == [b"a", b"", b"ccc"]
    assert tap.recv_multipart() == [b"a", b"", b"ccc"]
    terminate(ctx, push, out, tap)
    t.finish_terminated()


def test_priority_proxy_signals(ctx, url):
    """A raising handler interrupts it; a returning one lets it go on."""
    fe = bound(ctx, zmq.PULL, url("fe"))
    be = bound(ctx, zmq.PUSH, url("be"))
    control = bound(ctx, zmq.PAIR, ctl_url := url("ctl"))
    ctl = connected(ctx, zmq.PAIR, ctl_url)
    handled = threading.Event()

    def raising(signum, frame):
        raise KeyboardInterrupt

    def returning(signum, frame):
        handled.set()

    def stop_after_signal():
        if handled.wait(JOIN_S):
            ctl.send(b"TERMINATE")

    old = signal.signal(signal.SIGALRM, raising)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with pytest.raises(KeyboardInterrupt):
            zmq.priority_proxy([fe], be, control=control)
        signal.signal(signal.SIGALRM, returning)
        stopper = threading.Thread(target=stop_after_signal)
        stopper.start()
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        assert zmq.priority_proxy([fe], be, control=control) == [0]
        stopper.join(JOIN_S)
        assert handled.is_set() and not stopper.is_alive()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_priority_proxy_bad_arguments(ctx):
    be = ctx.socket(zmq.PUSH)
    with pytest.raises(ValueError):
        zmq.priority_proxy([], be)
    with pytest.raises(TypeError):
        zmq.priority_proxy([None], be)
    with pytest.raises(TypeError):
        zmq.priority_proxy([ctx.socket(zmq.PULL)], None)
