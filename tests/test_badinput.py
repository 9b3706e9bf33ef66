"""Bad input raises a clear exception: nothing crashes, hangs or half-sends."""
import errno
import time

import pytest

from _backend import zmq

ENDPOINT_ERRNOS = {errno.EINVAL, errno.EPROTONOSUPPORT}


@pytest.mark.parametrize("data", ["text", 123, None, 1.5, [b"list"]],
                         ids=["str", "int", "None", "float", "list"])
def test_send_non_buffer_is_type_error(pair, data):
    a, b = pair()
    with pytest.raises(TypeError):
        a.send(data)
    with pytest.raises(TypeError):
        a.send(data, copy=False)
    assert b.poll(0) == 0


@pytest.mark.parametrize("parts", [["ok", b"1"], [b"ok", 1], [b"a", b"b", None]],
                         ids=["str-first", "int-second", "None-last"])
def test_bad_multipart_sends_no_frame(pair, parts):
    a, b = pair()
    with pytest.raises(TypeError):
        a.send_multipart(parts)
    a.send(b"marker")  # inproc keeps order: anything half-sent would come first
    assert b.recv() == b"marker"
    assert not b.rcvmore


def test_send_string_needs_str(pair):
    a, _ = pair()
    with pytest.raises(TypeError):
        a.send_string(b"bytes")


def test_frame_of_non_buffer_is_type_error():
    for bad in (123, "text", 1.5):
        with pytest.raises(TypeError):
            zmq.Frame(bad)


@pytest.mark.parametrize("target", [b"immutable", memoryview(b"read-only")],
                         ids=["bytes", "readonly-memoryview"])
def test_recv_into_read_only_buffer(pair, target):
    a, b = pair()
    a.send(b"data")
    with pytest.raises((TypeError, BufferError)):
        b.recv_into(target)


def test_recv_into_bad_nbytes(pair):
    _, b = pair()
    for nbytes in (-1, 10):
        with pytest.raises(ValueError):
            b.recv_into(bytearray(4), nbytes=nbytes)


# ---------------------------------------------------------------- options


def test_unknown_option_is_einval(sock):
    s = sock(zmq.PUSH)
    for call in (lambda: s.setsockopt(9999, 1), lambda: s.getsockopt(9999),
                 lambda: s.set(9999, 1), lambda: s.get(9999)):
        with pytest.raises(zmq.ZMQError) as info:
            call()
        assert info.value.errno == errno.EINVAL


def test_int_option_given_str_is_type_error(sock):
    s = sock(zmq.PUSH)
    with pytest.raises(TypeError):
        s.linger = "10"
    with pytest.raises(TypeError):
        s.setsockopt(zmq.SNDHWM, "10")
    with pytest.raises(TypeError):
        s.set_string(zmq.LINGER, "10")
    assert s.linger == -1 and s.sndhwm == 1000


def test_bytes_option_given_str_is_type_error(sock):
    s = sock(zmq.DEALER)
    with pytest.raises(TypeError):
        s.routing_id = "text"


@pytest.mark.parametrize("attr,value", [("linger", 2**40), ("linger", -2**40),
                                        ("sndhwm", 2**31), ("affinity", 2**64)])
def test_out_of_range_option_is_overflow_error(sock, attr, value):
    s = sock(zmq.PUSH)
    before = getattr(s, attr)
    with pytest.raises(OverflowError):
        setattr(s, attr, value)
    assert getattr(s, attr) == before


def test_negative_value_rejected_by_libzmq(sock):
    with pytest.raises(zmq.ZMQError) as info:
        sock(zmq.PUSH).sndhwm = -5
    assert info.value.errno == errno.EINVAL


# ---------------------------------------------------------------- endpoints and sockets


@pytest.mark.parametrize("url", ["nonsense", "tcp://", "foo://bar", "tcp://127.0.0.1:notaport"])
@pytest.mark.parametrize("method", ["bind", "connect"])
def test_invalid_endpoint(sock, method, url):
    with pytest.raises(zmq.ZMQError) as info:
        getattr(sock(zmq.PUSH), method)(url)
    assert info.value.errno in ENDPOINT_ERRNOS


def test_address_in_use(sock, bound):
    url = bound(sock(zmq.PULL), "tcp")
    with pytest.raises(zmq.ZMQError) as info:
        sock(zmq.PULL).bind(url)
    assert info.value.errno == errno.EADDRINUSE


def test_unknown_socket_type_is_einval(ctx):
    with pytest.raises(zmq.ZMQError) as info:
        ctx.socket(9999)
    assert info.value.errno == errno.EINVAL


def test_socket_type_must_be_int(ctx):
    with pytest.raises(TypeError):
        ctx.socket("PUSH")


CLOSED_SOCKET_CALLS = {
    "send": lambda s: s.send(b"x"),
    "send flags": lambda s: s.send(b"x", 0),        # zmqx's C entry, like send(b"x")
    "send copy=False": lambda s: s.send(b"x", copy=False),  # the full def method
    "recv": lambda s: s.recv(),
    "recv flags": lambda s: s.recv(0),
    "recv copy=False": lambda s: s.recv(copy=False),
    "send_multipart": lambda s: s.send_multipart([b"x", b"y"]),
    "recv_multipart": lambda s: s.recv_multipart(),
    "recv_into": lambda s: s.recv_into(bytearray(4)),
    "bind": lambda s: s.bind("inproc://closed"),
    "connect": lambda s: s.connect("inproc://closed"),
    "getsockopt": lambda s: s.getsockopt(zmq.LINGER),
    "setsockopt": lambda s: s.setsockopt(zmq.LINGER, 0),
    "attribute": lambda s: s.rcvmore,
}


@pytest.mark.parametrize("call", CLOSED_SOCKET_CALLS.values(), ids=CLOSED_SOCKET_CALLS.keys())
def test_closed_socket_raises_enotsock(ctx, call):
    s = ctx.socket(zmq.PAIR)
    s.close()
    with pytest.raises(zmq.ZMQError) as info:
        call(s)
    assert info.value.errno == errno.ENOTSOCK


def test_poll_on_closed_socket_raises(ctx):
    s = ctx.socket(zmq.PAIR)
    s.close()
    with pytest.raises(zmq.ZMQError):
        s.poll(0)


@pytest.mark.zmqx_only
def test_poll_on_closed_socket_is_enotsock(ctx):
    s = ctx.socket(zmq.PAIR)
    s.close()
    with pytest.raises(zmq.ZMQError) as info:
        s.poll(0)
    assert info.value.errno == errno.ENOTSOCK


def test_socket_on_terminated_context(ctx):
    ctx.term()
    with pytest.raises(zmq.ZMQError):
        ctx.socket(zmq.PAIR)


# ---------------------------------------------------------------- non-blocking never blocks


def _nonblocking_calls(sock, pair):
    push = sock(zmq.PUSH, sndtimeo=-1, rcvtimeo=-1)          # no peer at all
    full_a, _ = pair(sndhwm=1, rcvhwm=1, sndtimeo=-1)        # peer never reads
    while True:
        try:
            full_a.send(b"fill", zmq.NOBLOCK)
        except zmq.Again:
            break
    pull = sock(zmq.PULL, rcvtimeo=-1)
    return {
        "send-no-peer": lambda: push.send(b"x", zmq.NOBLOCK),
        "send-full-queue": lambda: full_a.send(b"x", zmq.DONTWAIT),
        "send-multipart": lambda: push.send_multipart([b"a", b"b"], zmq.NOBLOCK),
        "recv-empty": lambda: pull.recv(zmq.NOBLOCK),
        "recv-frame": lambda: pull.recv(zmq.NOBLOCK, copy=False),
        "recv-multipart": lambda: pull.recv_multipart(zmq.NOBLOCK),
        "recv-into": lambda: pull.recv_into(bytearray(8), flags=zmq.NOBLOCK),
        "recv-string": lambda: pull.recv_string(zmq.NOBLOCK),
    }


def test_nonblocking_calls_raise_again_at_once(sock, pair):
    for name, call in _nonblocking_calls(sock, pair).items():
        start = time.monotonic()
        with pytest.raises(zmq.Again):
            call()
        assert time.monotonic() - start < 0.5, name
