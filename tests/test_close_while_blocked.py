"""Closing a socket, or destroying its context, while other threads wait on it.

libzmq aborts the process (signaler.cpp assertion) when zmq_close runs while
another thread is inside libzmq on the same socket, and overflows its stack
freeing a very long subscription.  zmqx must turn each case into an exception.
Every scenario runs in a child process (this file, run as a script), so a
regression fails its test with the child's output instead of killing pytest.
"""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from _backend import zmq

pytestmark = pytest.mark.zmqx_only
CHILD_TIMEOUT_S = 60
SETTLE_S = 0.2  # lets a waiter reach its wait; the outcome does not depend on it


def run_scenario(name, *args):
    """Run ``name`` in a child process; return its stdout (last line: "ok ...")."""
    root = os.path.dirname(os.path.dirname(zmq.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, __file__, name, *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    assert proc.returncode == 0, \
        f"{name}: exit {proc.returncode} ({signal_name(proc.returncode)})\n" \
        f"{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def signal_name(rc):
    return signal.Signals(-rc).name if rc < 0 else "no signal"


# --- scenarios (run in the child) ---------------------------------------------

class Waiter(threading.Thread):
    """Runs ``call`` in a thread and records what it raised or returned."""

    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.result, self.error = call, None, None

    def run(self):
        try:
            self.result = self.call()
        except BaseException as e:  # noqa: B036 -- the test checks what it was
            self.error = e

    def outcome(self, timeout=10):
        self.join(timeout)
        assert not self.is_alive(), "the waiter is still blocked"
        return self.error


def expect_enotsock(err):
    assert isinstance(err, zmq.ZMQError) and err.errno == zmq.ENOTSOCK, repr(err)


def expect_term(err):
    assert isinstance(err, zmq.ContextTerminated), repr(err)


def blocked_calls(ctx):
    """(name, socket, call) for every kind of call that waits on a socket."""
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://recv")
    push = ctx.socket(zmq.PUSH)  # no peer: send blocks
    push.bind("inproc://send")
    polled = ctx.socket(zmq.PULL)
    polled.bind("inproc://poll")
    zpolled = ctx.socket(zmq.PULL)
    zpolled.bind("inproc://zpoll")
    ep = ctx.socket(zmq.PULL)
    ep.bind("inproc://poller-epoll")
    zp = ctx.socket(zmq.PULL)
    zp.bind("inproc://poller-zmq")
    into = ctx.socket(zmq.PULL)
    into.bind("inproc://recv-into")
    multi = ctx.socket(zmq.PULL)
    multi.bind("inproc://recv-multipart")

    def poller(sock, strategy):
        p = zmq.PollSet(strategy)
        p.register(sock, zmq.POLLIN)
        return lambda: p.poll()

    return [("recv", pull, pull.recv), ("send", push, lambda: push.send(b"x")),
            ("recv_multipart", multi, multi.recv_multipart),
            ("recv_into", into, lambda: into.recv_into(bytearray(8))),
            ("socket.poll", polled, polled.poll),
            ("zmq_poll", zpolled, lambda: zmq.zmq_poll([(zpolled, zmq.POLLIN), (ep, 0)])),
            ("PollSet(epoll)", ep, poller(ep, "epoll")),
            ("PollSet(zmq_poll)", zp, poller(zp, "zmq_poll"))]


def close_while_blocked():
    """Each kind of blocked call, its socket closed by the main thread."""
    ctx = zmq.Context()
    for name, sock, call in blocked_calls(ctx):
        w = Waiter(call)
        w.start()
        time.sleep(SETTLE_S)
        sock.close()
        expect_enotsock(w.outcome())
        print(name, "ENOTSOCK")
    ctx.destroy(linger=0)


def destroy_while_blocked():
    """destroy() while every kind of call waits: all raise ContextTerminated."""
    ctx = zmq.Context()
    waiters = [Waiter(call) for _, _, call in blocked_calls(ctx)]
    for w in waiters:
        w.start()
    time.sleep(SETTLE_S)
    ctx.destroy(linger=0)
    for w in waiters:
        expect_term(w.outcome())


def with_context_exit():
    """Leaving ``with Context() as ctx:`` while a worker waits in recv."""
    with zmq.Context() as ctx:
        s = ctx.socket(zmq.PULL)
        s.bind("inproc://w")
        w = Waiter(s.recv)
        w.start()
        time.sleep(SETTLE_S)
    expect_term(w.outcome())


def term_while_blocked():
    """term() (not destroy): the waiter gets ContextTerminated, closes, term ends."""
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.bind("inproc://t")

    def worker():
        try:
            s.recv()
        finally:
            s.close()
    w = Waiter(worker)
    w.start()
    time.sleep(SETTLE_S)
    ctx.term()
    expect_term(w.outcome())


def many_waiters():
    """Eight threads waiting on one socket: one close wakes them all."""
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.bind("inproc://m")
    ws = [Waiter(s.recv) for _ in range(8)]
    for w in ws:
        w.start()
    time.sleep(SETTLE_S)
    s.close()
    for w in ws:
        expect_enotsock(w.outcome())
    ctx.term()


def no_message_lost(count):
    """A thread receives while messages trickle in, waiting between them; every
    message arrives once and in order, then a close ends its last wait."""
    count = int(count)
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://n")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://n")
    got = []

    def receive():
        while True:
            got.append(int(pull.recv()))
    w = Waiter(receive)
    w.start()
    for i in range(count):
        push.send(b"%d" % i)
        if i % 50 == 0:
            time.sleep(0.001)  # let the receiver drain and wait again
    deadline = time.monotonic() + 20
    while len(got) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    pull.close()
    expect_enotsock(w.outcome())
    assert got == list(range(count)), (len(got), got[:5])
    ctx.destroy(linger=0)


def close_from_signal_handler():
    """A signal handler closes the socket its own thread waits on."""
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.bind("inproc://sig")
    signal.signal(signal.SIGALRM, lambda *a: s.close())
    signal.setitimer(signal.ITIMER_REAL, SETTLE_S)
    try:
        s.recv()
    except zmq.ZMQError as e:
        expect_enotsock(e)
    else:
        raise AssertionError("recv returned")
    ctx.term()


def recv_timeout_still_applies():
    """RCVTIMEO and SNDTIMEO still bound the waits (Again, not before the time)."""
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.rcvtimeo = 150
    s.bind("inproc://to")
    t0 = time.monotonic()
    try:
        s.recv()
    except zmq.Again:
        pass
    waited = time.monotonic() - t0
    assert 0.14 <= waited < 5, waited
    ctx.destroy(linger=0)


def proxy_sockets(ctx):
    front, back = ctx.socket(zmq.ROUTER), ctx.socket(zmq.DEALER)
    front.bind("tcp://127.0.0.1:0")
    back.bind("tcp://127.0.0.1:0")
    return front, back


def close_proxy_socket():
    """zmqx.proxy: closing its frontend from another thread ends it (ENOTSOCK);
    the forwarding loops and proxy_steerable refuse the close (EBUSY) and go on."""
    from zmqx.devices import monitored_queue
    from zmqx.proxy import priority_proxy, proxy_steerable
    ctx = zmq.Context()
    front, back = proxy_sockets(ctx)
    w = Waiter(lambda: zmq.proxy(front, back))
    w.start()
    time.sleep(SETTLE_S)
    front.close()
    expect_enotsock(w.outcome())
    back.close()
    print("proxy ENOTSOCK")
    for name in ("proxy_steerable", "priority_proxy", "monitored_queue"):
        front, back = proxy_sockets(ctx)
        ctl = ctx.socket(zmq.PAIR)
        ctl.bind("inproc://ctl-" + name)
        mon = ctx.socket(zmq.PUB)
        call = {"proxy_steerable": lambda: proxy_steerable(front, back, None, ctl),
                "priority_proxy": lambda: priority_proxy([front], back, None, ctl),
                "monitored_queue": lambda: monitored_queue(front, back, mon)}[name]
        w = Waiter(call)
        w.start()
        time.sleep(SETTLE_S)
        try:
            front.close()
        except zmq.ZMQError as e:
            assert e.errno == __import__("errno").EBUSY, e
            print(name, "EBUSY")
        assert not front.closed and w.is_alive()
        if name == "monitored_queue":
            ctx.destroy(linger=0)  # ends it with ContextTerminated, as pyzmq's
            expect_term(w.outcome())
            print(name, "ended by destroy")
        else:
            c = ctx.socket(zmq.PAIR)
            c.connect("inproc://ctl-" + name)
            c.send(b"TERMINATE")
            assert w.outcome() is None, w.error
            for x in (front, back, ctl, mon, c):
                x.close()
            print(name, "TERMINATE")


def destroy_proxies():
    """destroy() while each kind of proxy runs: each ends with ContextTerminated
    (pyzmq's contract), nothing crashes."""
    from zmqx.devices import monitored_queue
    from zmqx.proxy import priority_proxy, proxy, proxy_steerable
    ctx = zmq.Context()
    calls = []
    for i, name in enumerate(("proxy", "proxy_steerable", "priority_proxy", "monitored_queue",
                              "_zmq.proxy")):
        front, back = ctx.socket(zmq.ROUTER), ctx.socket(zmq.DEALER)
        front.bind(f"inproc://f{i}")
        back.bind(f"inproc://b{i}")
        ctl, mon = ctx.socket(zmq.PAIR), ctx.socket(zmq.PUB)
        calls.append({"proxy": lambda f=front, b=back: proxy(f, b),
                      "proxy_steerable": lambda f=front, b=back, c=ctl: proxy_steerable(f, b, None, c),
                      "priority_proxy": lambda f=front, b=back, c=ctl: priority_proxy([f], b, None, c),
                      "monitored_queue": lambda f=front, b=back, m=mon: monitored_queue(f, b, m),
                      "_zmq.proxy": lambda f=front, b=back: zmq._zmq.proxy(f, b)}[name])
    ws = [Waiter(c) for c in calls]
    for w in ws:
        w.start()
    time.sleep(SETTLE_S)
    ctx.destroy(linger=0)
    for w in ws:
        expect_term(w.outcome())


def long_subscription(size):
    """A too-long SUBSCRIBE raises ValueError; the socket and context close."""
    ctx = zmq.Context()
    s = ctx.socket(zmq.SUB)
    try:
        s.setsockopt(zmq.SUBSCRIBE, b"x" * int(size))
        print("accepted")
    except ValueError as e:
        print("ValueError", e)
    s.close()
    ctx.term()


# --- tests ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["close_while_blocked", "destroy_while_blocked",
                                  "with_context_exit", "term_while_blocked", "many_waiters",
                                  "close_from_signal_handler", "recv_timeout_still_applies",
                                  "destroy_proxies"])
def test_scenario(name):
    run_scenario(name)


def test_close_while_blocked_names_every_call():
    out = run_scenario("close_while_blocked")
    assert out.split() == [w for name in ("recv", "send", "recv_multipart", "recv_into",
                                          "socket.poll", "zmq_poll", "PollSet(epoll)",
                                          "PollSet(zmq_poll)") for w in (name, "ENOTSOCK")] + ["ok"]


def test_close_proxy_socket():
    assert run_scenario("close_proxy_socket").split("\n")[:4] == [
        "proxy ENOTSOCK", "proxy_steerable EBUSY", "proxy_steerable TERMINATE",
        "priority_proxy EBUSY"]


def test_no_message_lost():
    run_scenario("no_message_lost", 2000)


def test_long_subscription_is_refused():
    out = run_scenario("long_subscription", 262144)
    assert out.startswith("ValueError") and "pyzmq-differences" in out


def test_64k_subscription_is_accepted():
    assert run_scenario("long_subscription", 65536).startswith("accepted")


def test_xsub_subscription_message_is_capped():
    code = ("import zmqx; c = zmqx.Context(); x = c.socket(zmqx.XSUB); x.linger = 0\n"
            "x.connect('inproc://nowhere')\n"
            "for head in (b'\\x01', b'\\x00'):\n"
            "    try: x.send(head + b'x' * 262144)\n"
            "    except ValueError: print('refused')\n"
            "x.send(b'\\x01' + b'x' * 65536); x.send(b'\\x02' + b'x' * 262144); x.close(); c.term()\n"
            "print('ok')")
    root = os.path.dirname(os.path.dirname(zmq.__file__))
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=root),
                         capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    assert out.stdout.split() == ["refused", "refused", "ok"], (out.returncode, out.stderr)


def test_limit_follows_stack_size():
    """threading.stack_size() lowers the limit: 1 MiB stacks take 8 KiB topics."""
    code = ("import threading, zmqx; threading.stack_size(1 << 20); s = zmqx.Context().socket("
            "zmqx.SUB)\ntry: s.subscribe(b'x' * 8193)\nexcept ValueError: print('refused')\n"
            "s.subscribe(b'x' * 8192); print('ok')")
    root = os.path.dirname(os.path.dirname(zmq.__file__))
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=root),
                         capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    assert out.stdout.split() == ["refused", "ok"], out.stderr


if __name__ == "__main__" and len(sys.argv) > 1:
    globals()[sys.argv[1]](*sys.argv[2:])
    print("ok")
