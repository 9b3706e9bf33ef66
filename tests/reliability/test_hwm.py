"""High-water marks: PUB drops, PUSH blocks (Again with SNDTIMEO/DONTWAIT),
ROUTER_MANDATORY refuses an unknown peer (EHOSTUNREACH)."""
import time

import pytest
import zmqx as zmq
from _rel import record


@pytest.fixture
def ctx():
    c = zmq.Context()
    yield c
    c.destroy(linger=0)


def pair(ctx, a, b, hwm):
    x, y = ctx.socket(a), ctx.socket(b)
    for s in (x, y):
        s.linger, s.sndhwm, s.rcvhwm = 0, hwm, hwm
        s.sndbuf = s.rcvbuf = 32768   # small kernel buffers: the HWM is reached soon
    x.bind("tcp://127.0.0.1:0")
    y.connect(x.last_endpoint)
    return x, y


def test_pub_drops_at_hwm(ctx):
    pub, sub = pair(ctx, zmq.PUB, zmq.SUB, 10)
    sub.subscribe(b"")
    while not sub.poll(10):            # until the subscription has arrived
        pub.send(b"sync")
    while sub.poll(50):
        sub.recv()
    n = 20_000
    t0 = time.monotonic()
    for i in range(n):
        pub.send(b"%d" % i)            # never blocks, whatever the subscriber does
    sent_s = time.monotonic() - t0
    got = 0
    while sub.poll(300):
        sub.recv()
        got += 1
    record("hwm_pub", sent=n, received=got, hwm=10, send_seconds=round(sent_s, 3))
    assert 0 < got < n


def test_push_blocks_then_again(ctx):
    pull, push = pair(ctx, zmq.PULL, zmq.PUSH, 10)
    push.send(b"hello")   # connected, so what fills up is the peer and the kernel
    assert pull.poll(10_000) and pull.recv() == b"hello"
    queued = 0
    try:
        while queued < 1_000_000:
            push.send(b"x" * 1000, zmq.DONTWAIT)
            queued += 1
    except zmq.Again:
        pass
    time.sleep(0.2)       # the I/O thread has moved all it can into the kernel
    try:
        while queued < 1_000_000:
            push.send(b"x" * 1000, zmq.DONTWAIT)
            queued += 1
    except zmq.Again:
        pass
    push.sndtimeo = 200
    for attempt in range(100_000):   # the kernel takes some more: until it does not
        t0 = time.monotonic()
        try:
            push.send(b"x" * 1000)
            queued += 1
        except zmq.Again:
            break
    else:
        raise AssertionError("PUSH never blocked")
    waited = time.monotonic() - t0
    got = 0
    while pull.poll(300):
        pull.recv()
        got += 1
    record("hwm_push", queued_before_again=queued, sndtimeo_ms=200,
           blocked_s=round(waited, 3), delivered=got)
    assert queued < 100_000 and 0.19 <= waited < 5 and got == queued


def test_router_mandatory(ctx):
    r = ctx.socket(zmq.ROUTER)
    r.router_mandatory = 1
    r.bind("tcp://127.0.0.1:0")
    with pytest.raises(zmq.ZMQError) as e:
        r.send_multipart([b"nobody", b"hi"])
    assert e.value.errno == zmq.EHOSTUNREACH
