"""Hypothesis drives random sequences of zmqx calls -- random methods, random
argument types and values, closed sockets, terminated contexts, calls blocked
in one thread while another closes, destroys or terms -- and checks that each
call returns or raises one of the documented exception types.  A crash kills
this process and a hang trips the faulthandler deadline: either fails the
parent test (test_fuzz.py), which runs this as a script:

    python _fuzz.py EXAMPLES SEED
"""
import faulthandler
import json
import sys
import threading
import time

from hypothesis import HealthCheck, given, settings, seed as hseed, strategies as st

import zmqx as zmq
from zmqx.poll import Poller

#: what a call with bad input, on a closed socket or a dead context may raise
#: (as pyzmq: IndexError for send_multipart([]), RuntimeError for a destroyed
#: context's get/set)
DOCUMENTED = (zmq.ZMQError, TypeError, ValueError, OverflowError, KeyError,
              NotImplementedError, BufferError, IndexError, RuntimeError)
WATCHDOG_S = 2.0      # a call still blocked after this: its sockets are closed
ADDRS = ["inproc://a", "inproc://b", "tcp://127.0.0.1:0", "tcp://127.0.0.1:1",
         "tcp://", "nonsense", "inproc://", b"inproc://a", b"\xff\xfe", 7, None]

values = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.integers(-5, 300),
    st.floats(allow_nan=True), st.binary(max_size=300), st.text(max_size=30),
    st.lists(st.binary(max_size=20), max_size=4), st.sampled_from(ADDRS),
    st.builds(bytearray, st.binary(max_size=64)), st.builds(object))
flags = st.one_of(st.sampled_from([0, zmq.DONTWAIT, zmq.SNDMORE, zmq.DONTWAIT | zmq.SNDMORE]),
                  st.integers(-2**33, 2**33))
OPS = ["socket", "close", "bind", "connect", "unbind", "disconnect", "set", "get", "send",
       "recv", "send_multipart", "recv_multipart", "poll", "subscribe", "frame", "term",
       "destroy", "ctx_set", "ctx_get", "poller", "recv_into", "thread_recv", "attr",
       "send_string", "recv_string", "monitor"]
step = st.tuples(st.sampled_from(OPS), st.integers(0, 7), values, values, flags)


class World:
    """One example's contexts, sockets and helper threads."""

    def __init__(self):
        self.ctx = zmq.Context()
        self.socks = []
        self.threads = []

    def sock(self, i):
        return self.socks[i % len(self.socks)] if self.socks else None

    def run(self, op, i, a, b, f):
        s = self.sock(i)
        if op == "socket":
            self.socks.append(self.ctx.socket(a if isinstance(a, int) else i % 12))
            return
        if op == "term":
            return self.ctx.term() if not self.open_sockets() else None
        if op == "destroy":
            return self.ctx.destroy(linger=a if isinstance(a, int) else 0)
        if op == "ctx_set":
            return self.ctx.set(i, a)
        if op == "ctx_get":
            return self.ctx.get(a)
        if op == "frame":
            fr = zmq.Frame(a)
            return fr.bytes, len(fr), fr.buffer
        if s is None:
            return
        if op == "close":
            return s.close(linger=a if isinstance(a, int) or a is None else 0)
        if op in ("bind", "connect", "unbind", "disconnect"):
            return getattr(s, op)(a)
        if op == "set":
            return s.set(a if isinstance(a, int) else i, b)
        if op == "get":
            return s.get(a if isinstance(a, int) else i)
        if op == "attr":
            return getattr(s, "rcvtimeo"), setattr(s, "linger", a)
        if op in ("send", "send_string"):
            return getattr(s, op)(a, f)
        if op in ("recv", "recv_multipart", "recv_string"):
            return getattr(s, op)(f | zmq.DONTWAIT if i % 2 else f)
        if op == "send_multipart":
            return s.send_multipart(a, f)
        if op == "recv_into":
            return s.recv_into(a, flags=f | zmq.DONTWAIT)
        if op == "poll":
            return s.poll(a if isinstance(a, int) and -1 <= a < 300 else 10, f)
        if op == "subscribe":
            return s.subscribe(a)
        if op == "poller":
            p = Poller()
            p.register(s, f & 3)
            return p.poll(a if isinstance(a, int) and 0 <= a < 300 else 10)
        if op == "monitor":
            return s.monitor(a if i % 2 else f"inproc://mon{i}", f & 0xFFFF)
        if op == "thread_recv":  # another thread blocks on s; the next steps may close it
            t = threading.Thread(target=self.guarded, args=(s.recv,), daemon=True)
            t.start()
            self.threads.append(t)

    def open_sockets(self):
        return [s for s in self.socks if not s.closed]

    def guarded(self, call):
        try:
            call()
        except DOCUMENTED:
            pass
        except BaseException as e:  # noqa: BLE001 -- reported, fails the run
            report(f"thread call raised {type(e).__name__}: {e!r}")

    def close_all(self):
        for s in self.socks:
            s.close(linger=0)

    def finish(self):
        self.ctx.destroy(linger=0)
        for t in self.threads:
            t.join(5)
            if t.is_alive():
                report("a thread stayed blocked after destroy()")


FAILURES = []
EXAMPLES = [0]
#: findings handed to their owners, counted apart until fixed (op, exception type)
KNOWN: set[tuple[str, str]] = set()
KNOWN_SEEN = []


def report(msg):
    FAILURES.append(msg)


def with_watchdog(world, call):
    """Run ``call``; if it is still blocked after WATCHDOG_S, another thread
    closes every socket (which must wake it)."""
    done = threading.Event()

    def watch():
        if not done.wait(WATCHDOG_S):
            world.close_all()
    w = threading.Thread(target=watch, daemon=True)
    w.start()
    try:
        return call()
    finally:
        done.set()
        w.join()


@settings(max_examples=int(sys.argv[1]) if len(sys.argv) > 1 else 100, deadline=None,
          suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(step, min_size=1, max_size=25))
def fuzz(steps):
    EXAMPLES[0] += 1
    world = World()
    try:
        for op, i, a, b, f in steps:
            try:
                with_watchdog(world, lambda: world.run(op, i, a, b, f))
            except DOCUMENTED:
                pass
            except Exception as e:  # noqa: BLE001
                msg = f"{op}({a!r:.40}, {b!r:.40}, {f!r}) raised {type(e).__name__}: {e}"
                (KNOWN_SEEN.append if (op, type(e).__name__) in KNOWN else report)(msg)
    finally:
        world.finish()


if __name__ == "__main__":
    faulthandler.dump_traceback_later(600, exit=True)   # a hang fails, with stacks
    if len(sys.argv) > 2:
        fuzz = hseed(int(sys.argv[2]))(fuzz)
    t0 = time.monotonic()
    fuzz()
    print(json.dumps({"examples": EXAMPLES[0], "seconds": round(time.monotonic() - t0, 1),
                      "failures": FAILURES[:20], "failure_count": len(FAILURES),
                      "known_findings": sorted(set(KNOWN_SEEN))[:5]}))
    sys.exit(1 if FAILURES else 0)
