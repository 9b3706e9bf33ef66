"""Context: creation, options, term/destroy, instance(), context manager."""
import errno
import threading

import pytest

from _backend import TIMEOUT_MS, run_in_thread, zmq


def test_default_io_threads(ctx):
    assert ctx.get(zmq.IO_THREADS) == 1


def test_io_threads_argument():
    c = zmq.Context(io_threads=2)
    try:
        assert c.get(zmq.IO_THREADS) == 2
        assert c.io_threads == 2
    finally:
        c.term()


def test_max_sockets_get_set(ctx):
    assert isinstance(ctx.max_sockets, int) and ctx.max_sockets > 0
    ctx.set(zmq.MAX_SOCKETS, 16)
    assert ctx.get(zmq.MAX_SOCKETS) == 16
    ctx.max_sockets = 32
    assert ctx.max_sockets == 32


def test_max_sockets_is_enforced(ctx):
    ctx.max_sockets = 2
    made = [ctx.socket(zmq.PUSH), ctx.socket(zmq.PUSH)]
    try:
        with pytest.raises(zmq.ZMQError) as info:
            made.append(ctx.socket(zmq.PUSH))
        assert info.value.errno == errno.EMFILE
    finally:
        for s in made:
            s.close()


def test_unknown_context_option_is_einval(ctx):
    with pytest.raises(zmq.ZMQError) as info:
        ctx.set(9999, 1)
    assert info.value.errno == zmq.EINVAL


def test_socket_options_on_context_apply_to_new_sockets(ctx):
    before = ctx.socket(zmq.PUSH)
    ctx.linger = 0
    ctx.setsockopt(zmq.SNDHWM, 17)
    after = ctx.socket(zmq.PUSH)
    try:
        assert ctx.linger == 0
        assert after.linger == 0
        assert after.sndhwm == 17
        assert before.linger == -1, "options set later must not touch existing sockets"
        assert before.sndhwm == 1000
    finally:
        before.close()
        after.close()


def test_socket_knows_its_context_and_type(ctx):
    s = ctx.socket(zmq.DEALER)
    try:
        assert s.context is ctx
        assert s.type == zmq.DEALER
        assert s.get(zmq.TYPE) == zmq.DEALER
    finally:
        s.close()


def test_term_is_idempotent_and_sets_closed():
    c = zmq.Context()
    assert not c.closed
    c.term()
    assert c.closed
    c.term()
    assert c.closed


def test_term_waits_for_open_sockets():
    c = zmq.Context()
    s = c.socket(zmq.PULL)
    done = threading.Event()
    t = threading.Thread(target=lambda: (c.term(), done.set()), daemon=True)
    t.start()
    # term() must still be waiting for the open socket (nothing to wait on
    # but the absence of an event, so a short bounded wait)
    assert not done.wait(0.3), "term() returned while a socket was still open"
    s.close()
    t.join(5)
    assert done.is_set() and c.closed


def test_term_makes_blocked_recv_raise_context_terminated():
    c = zmq.Context()
    s = c.socket(zmq.PULL)
    s.rcvtimeo = TIMEOUT_MS
    s.bind("inproc://blocked-recv")
    started = threading.Event()
    outcome = {}

    def receiver():
        started.set()
        try:
            s.recv()
        except zmq.ContextTerminated as exc:
            outcome["error"] = exc
        finally:
            s.close()

    t = threading.Thread(target=receiver, daemon=True)
    t.start()
    started.wait(5)
    run_in_thread(c.term, timeout=5)
    t.join(5)
    assert isinstance(outcome.get("error"), zmq.ContextTerminated)
    assert outcome["error"].errno == zmq.ETERM


def test_context_manager_terms():
    with zmq.Context() as c:
        s = c.socket(zmq.PUSH)
        assert not c.closed
        s.close()
    assert c.closed


def test_destroy_closes_every_socket_and_terms():
    c = zmq.Context()
    push = c.socket(zmq.PUSH)
    push.connect("tcp://127.0.0.1:1")  # nobody listens: the message stays queued
    push.send(b"pending")              # and linger -1 would make term() wait for ever
    others = [c.socket(t) for t in (zmq.PULL, zmq.PUB, zmq.ROUTER)]
    run_in_thread(lambda: c.destroy(linger=0), timeout=5)
    assert c.closed
    assert push.closed and all(s.closed for s in others)


def test_destroy_is_idempotent():
    c = zmq.Context()
    c.destroy()
    c.destroy()
    assert c.closed


def test_instance_is_a_singleton():
    inst = zmq.Context.instance()
    try:
        assert zmq.Context.instance() is inst
        assert isinstance(inst, zmq.Context)
    finally:
        inst.term()
    fresh = zmq.Context.instance()
    try:
        assert fresh is not inst, "a terminated instance() must be replaced"
        assert not fresh.closed
    finally:
        fresh.term()


def test_instance_is_shared_between_threads():
    inst = zmq.Context.instance()
    try:
        assert run_in_thread(zmq.Context.instance) is inst
    finally:
        inst.term()


def test_many_contexts_in_sequence_term_cleanly():
    for _ in range(20):
        c = zmq.Context()
        a = c.socket(zmq.PAIR)
        a.bind("inproc://seq")
        b = c.socket(zmq.PAIR)
        b.connect("inproc://seq")
        b.rcvtimeo = TIMEOUT_MS
        a.send(b"x")
        assert b.recv() == b"x"
        a.close()
        b.close()
        run_in_thread(c.term, timeout=5)


def test_close_with_linger_during_term_lets_term_finish():
    context = zmq.Context()
    s = context.socket(zmq.PULL)
    s.rcvtimeo = 5000
    terming = threading.Thread(target=context.term, daemon=True)
    terming.start()
    with pytest.raises(zmq.ContextTerminated):
        s.recv()
    s.close(linger=0)  # setting LINGER fails with ETERM here; close must still close
    assert s.closed
    terming.join(timeout=10)
    assert not terming.is_alive() and context.closed
