"""send() and recv() behave the same however they are called.

zmqx serves ``send(data[, flags])`` and ``recv([flags])`` through C entry
points (zmqx/_fast.pxi) and every other call shape through the full methods;
these tests pin that both routes accept the same arguments, reject the same
mistakes and deliver the same frames (closed sockets: in test_badinput.py).
They also check that a message libzmq refuses is released at once, whichever
way the send failed.
"""
import inspect

import pytest

from _backend import TIMEOUT_MS, zc_outstanding, zmq

SEND_SHAPES = {
    "positional": lambda s, d: s.send(d),
    "flags positional": lambda s, d: s.send(d, 0),
    "flags keyword": lambda s, d: s.send(d, flags=0),
    "data keyword": lambda s, d: s.send(data=d),
    "copy positional": lambda s, d: s.send(d, 0, True),
    "copy=False": lambda s, d: s.send(d, copy=False),
    "track=False": lambda s, d: s.send(d, track=False),
    "enum flags": lambda s, d: s.send(d, zmq.DONTWAIT),
}

RECV_SHAPES = {
    "no arguments": lambda s: s.recv(),
    "flags positional": lambda s: s.recv(0),
    "flags keyword": lambda s: s.recv(flags=0),
    "copy keyword": lambda s: s.recv(copy=True),
    "copy positional": lambda s: s.recv(0, True),
}


@pytest.mark.parametrize("shape", SEND_SHAPES)
@pytest.mark.parametrize("payload", [b"", b"x", b"y" * 1024, bytearray(b"z" * 100),
                                     memoryview(b"w" * 70_000)],
                         ids=["empty", "1B", "1KiB", "bytearray", "memoryview-70k"])
def test_every_send_shape_delivers(pair, shape, payload):
    a, b = pair()
    SEND_SHAPES[shape](a, payload)
    assert b.recv() == bytes(payload)


@pytest.mark.parametrize("shape", RECV_SHAPES)
def test_every_recv_shape_returns_bytes(pair, shape):
    a, b = pair()
    a.send(b"hello")
    assert RECV_SHAPES[shape](b) == b"hello"


def test_recv_copy_false_positional_and_keyword_give_frames(pair):
    a, b = pair()
    a.send(b"one")
    a.send(b"two")
    assert b.recv(0, False).bytes == b"one"
    assert b.recv(copy=False).bytes == b"two"


def test_positional_sndmore_builds_a_multipart_message(pair):
    a, b = pair()
    a.send(b"head", zmq.SNDMORE)
    a.send(b"tail")
    assert b.recv_multipart() == [b"head", b"tail"]


@pytest.mark.parametrize("flags", [zmq.NOBLOCK, zmq.DONTWAIT])
def test_positional_noblock_recv_raises_again_when_empty(pair, flags):
    _, b = pair()
    with pytest.raises(zmq.Again):
        b.recv(flags)


@pytest.mark.parametrize("call, error", [
    (lambda s: s.send(), TypeError),
    (lambda s: s.send(b"x", "0"), TypeError),
    (lambda s: s.send(b"x", 1 << 40), OverflowError),
    (lambda s: s.send(b"x", 0, True, False, None, None, "extra"), TypeError),
    (lambda s: s.send(b"x", bogus=1), TypeError),
    (lambda s: s.send("text"), TypeError),
    (lambda s: s.send(12), TypeError),
    (lambda s: s.recv("0"), TypeError),
    (lambda s: s.recv(0, True, False, "extra"), TypeError),
    (lambda s: s.recv(bogus=1), TypeError),
])
def test_bad_arguments_raise_before_anything_is_sent(pair, call, error):
    a, b = pair()
    with pytest.raises(error):
        call(a)
    a.send(b"after")  # nothing half-sent is queued ahead of this
    assert b.recv() == b"after"


def test_python_subclass_overrides_are_used(ctx):
    calls = []

    class Logged(zmq.Socket):
        def send(self, data, *args, **kwargs):
            calls.append(("send", data))
            return super().send(data, *args, **kwargs)

        def recv(self, *args, **kwargs):
            data = super().recv(*args, **kwargs)
            calls.append(("recv", data))
            return data

    a, b = Logged(ctx, zmq.PAIR), Logged(ctx, zmq.PAIR)
    try:
        a.rcvtimeo = b.rcvtimeo = TIMEOUT_MS
        a.bind("inproc://subclass-shapes")
        b.connect("inproc://subclass-shapes")
        a.send(b"m")
        assert b.recv() == b"m"
        assert calls == [("send", b"m"), ("recv", b"m")]
    finally:
        a.close(linger=0)
        b.close(linger=0)


@pytest.mark.zmqx_only
def test_methods_keep_their_signatures_and_docs():
    send = inspect.signature(zmq.Socket.send)
    recv = inspect.signature(zmq.Socket.recv)
    assert list(send.parameters) == ["self", "data", "flags", "copy", "track",
                                     "routing_id", "group"]
    assert send.parameters["flags"].default == 0
    assert send.parameters["copy"].default is True
    assert list(recv.parameters) == ["self", "flags", "copy", "track"]
    assert "Send one frame" in zmq.Socket.send.__doc__
    assert "Receive one frame" in zmq.Socket.recv.__doc__


# ---- a refused message is released at once --------------------------------

def _refuse_dontwait(sock):
    s = sock(zmq.PUSH, linger=0)  # no peer: nothing can take the message
    return s, lambda data: s.send(data, zmq.DONTWAIT, copy=False)


def _refuse_timeout(sock):
    s = sock(zmq.PUSH, linger=0, sndtimeo=20)  # waits without the GIL, then Again
    return s, lambda data: s.send(data, copy=False)


def _refuse_unroutable(sock):
    s = sock(zmq.ROUTER, linger=0, router_mandatory=1)
    # the routing-id frame is the one refused (EHOSTUNREACH): send the buffer as it
    return s, lambda data: s.send(data, zmq.SNDMORE, copy=False)


@pytest.mark.parametrize("refuse, error", [
    (_refuse_dontwait, zmq.Again),
    (_refuse_timeout, zmq.Again),
    (_refuse_unroutable, zmq.ZMQError),
], ids=["dontwait", "sndtimeo", "ehostunreach"])
def test_refused_zero_copy_send_releases_the_buffer(sock, refuse, error):
    s, send = refuse(sock)
    buf = bytearray(200_000)  # above copy_threshold: handed to libzmq, not copied
    baseline = zc_outstanding()
    with pytest.raises(error):
        send(buf)
    assert zc_outstanding() == baseline
    buf.extend(b"!")  # BufferError if anything still held an export of it
    assert len(buf) == 200_001
