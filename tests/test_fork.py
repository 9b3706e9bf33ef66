"""fork(): a child never tears down its parent's context or sockets."""
import gc
import os
import time

import pytest

from _backend import TIMEOUT_MS, zmq

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork only")

CHILD_TIMEOUT_S = 10.0


def fork_child(body):
    """Fork; the child runs ``body(write)`` and reports with ``write(bytes)``.

    Returns (exit status, everything the child wrote). The child always ends
    with os._exit and must end within CHILD_TIMEOUT_S, or it is killed and the
    test fails.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        status = 1
        try:
            os.close(r)
            body(lambda data: os.write(w, data))
            status = 0
        except BaseException as exc:  # report and exit
            os.write(w, b"child error: " + repr(exc).encode())
        finally:
            os._exit(status)
    os.close(w)
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(r)
            pytest.fail(f"forked child still running after {CHILD_TIMEOUT_S}s")
        time.sleep(0.01)  # no event to wait on for a child's exit but SIGCHLD
    with os.fdopen(r, "rb") as f:
        report = f.read()
    return os.waitstatus_to_exitcode(status), report


def exchange(a, b, payload):
    a.send(payload)
    assert b.recv() == payload
    b.send(payload[::-1])
    assert a.recv() == payload[::-1]


def test_child_gc_of_inherited_objects_leaves_parent_working():
    c = zmq.Context()
    a, b = c.socket(zmq.PAIR), c.socket(zmq.PAIR)
    try:
        for s in (a, b):
            s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        exchange(a, b, b"before fork")
        holder = {"ctx": c, "a": a, "b": b}

        def child(write):
            holder.clear()  # drop the inherited Context and Sockets
            gc.collect()
            write(b"collected")

        code, report = fork_child(child)
        assert (code, report) == (0, b"collected")
        exchange(a, b, b"after fork")
        exchange(a, b, b"x" * 100000)
    finally:
        a.close(linger=0)
        b.close(linger=0)
        c.term()


def test_instance_in_child_is_a_new_context():
    parent_instance = zmq.Context.instance()
    try:
        def child(write):
            inst = zmq.Context.instance()
            write(b"new " if inst is not parent_instance else b"same ")
            a, b = inst.socket(zmq.PAIR), inst.socket(zmq.PAIR)
            for s in (a, b):
                s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
            a.bind("inproc://child")
            b.connect("inproc://child")
            exchange(a, b, b"in child")
            write(b"usable")

        code, report = fork_child(child)
        assert (code, report) == (0, b"new usable")
        assert zmq.Context.instance() is parent_instance
    finally:
        parent_instance.term()

