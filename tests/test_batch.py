"""The batch API: send_many, recv_many, recv_multipart_into (zmqx only)."""
import time

import pytest

from _backend import zmq

pytestmark = pytest.mark.zmqx_only


def test_send_many_single_and_multipart_in_order(pair, transport):
    a, b = pair(transport)
    messages = [b"one", [b"two", b"parts"], memoryview(b"three"), zmq.Frame(b"four")]
    assert a.send_many(messages) == 4
    assert b.recv() == b"one"
    assert b.recv_multipart() == [b"two", b"parts"]
    assert b.recv() == b"three"
    assert b.recv() == b"four"


def test_send_many_checks_everything_before_sending(pair):
    a, b = pair()
    with pytest.raises(TypeError, match="message 2"):
        a.send_many([b"ok", [b"ok", b"too"], [b"x", "not bytes"]])
    assert b.poll(100) == 0  # nothing was sent
    with pytest.raises(ValueError, match="message 1"):
        a.send_many([b"ok", []])
    assert b.poll(100) == 0


def test_send_many_dontwait_reports_partial_progress(pair):
    a, b = pair(sndhwm=5, rcvhwm=5)
    sent = a.send_many([b"%d" % i for i in range(10_000)], flags=zmq.DONTWAIT)
    assert 0 < sent < 10_000
    got = []
    while True:
        batch = b.recv_many(1000, timeout=0)
        if not batch:
            break
        got += batch
    assert got == [b"%d" % i for i in range(sent)]  # exactly what was reported, in order


def test_send_many_error_carries_sent_count(pair, sock, bound):
    router = sock(zmq.ROUTER, router_mandatory=1)
    with pytest.raises(zmq.ZMQError) as info:
        router.send_many([[b"nobody", b"x"]])
    assert info.value.errno == zmq.EHOSTUNREACH
    assert info.value.sent == 0


def test_recv_many_returns_queued_messages_up_to_bound(pair, transport):
    a, b = pair(transport)
    a.send_many([b"m%d" % i for i in range(50)] + [[b"multi", b"part"]])
    got = []
    deadline = time.monotonic() + 5
    while len(got) < 51 and time.monotonic() < deadline:
        got += b.recv_many(20, timeout=1000)
    assert got[:50] == [b"m%d" % i for i in range(50)]
    assert got[50] == [b"multi", b"part"]


def test_recv_many_bound_and_timeout(pair):
    a, b = pair()
    a.send_many([b"x"] * 10)
    assert b.poll(1000)
    assert len(b.recv_many(3, timeout=0)) == 3
    assert len(b.recv_many(100, timeout=0)) == 7
    t0 = time.monotonic()
    assert b.recv_many(100, timeout=100) == []
    assert 0.05 < time.monotonic() - t0 < 2.0
    with pytest.raises(ValueError):
        b.recv_many(0)


def test_recv_many_frames_without_copy(pair):
    a, b = pair()
    a.send_many([b"a" * 100, [b"b", b"c"]])
    assert b.poll(1000)
    got = b.recv_many(10, timeout=1000, copy=False)
    assert isinstance(got[0], zmq.Frame) and got[0].bytes == b"a" * 100
    assert [f.bytes for f in got[1]] == [b"b", b"c"]
    assert got[1][0].more and not got[1][1].more


def test_recv_multipart_into_fills_buffers_and_keeps_extra_frames(pair, transport):
    a, b = pair(transport)
    a.send_multipart([b"12345", b"67", b"rest"])
    first, second = bytearray(3), bytearray(10)
    sizes = b.recv_multipart_into([first, second])
    assert sizes == [5, 2, b"rest"]  # 5 > 3: truncated, full size reported
    assert first == b"123" and second[:2] == b"67"


def test_recv_multipart_into_checks_buffers_first(pair):
    a, b = pair()
    a.send_multipart([b"x", b"y"])
    with pytest.raises((TypeError, BufferError)):
        b.recv_multipart_into([bytearray(4), b"read-only"])
    assert b.recv_multipart() == [b"x", b"y"]  # the message was not consumed
