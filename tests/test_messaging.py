"""Sending and receiving: buffers, frames, multipart, serialisation, patterns."""
import pytest

from _backend import zmq

MiB = 1 << 20
PAYLOADS = {
    "bytes": b"hello",
    "bytearray": bytearray(b"mutable"),
    "memoryview": memoryview(b"0123456789")[2:8],
    "empty": b"",
    "1MiB": bytes(range(256)) * (MiB // 256),
}


@pytest.mark.parametrize("kind", PAYLOADS)
@pytest.mark.parametrize("copy", [True, False], ids=["copy", "nocopy"])
def test_send_recv_buffer_types(pair, transport, kind, copy):
    a, b = pair(transport)
    payload = PAYLOADS[kind]
    a.send(payload, copy=copy)
    assert b.recv() == bytes(payload)


def test_recv_copy_false_returns_frame(pair, transport):
    a, b = pair(transport)
    a.send(b"as a frame")
    frame = b.recv(copy=False)
    assert isinstance(frame, zmq.Frame)
    assert frame.bytes == b"as a frame"
    assert bytes(frame) == b"as a frame"
    assert len(frame) == len(b"as a frame")
    assert frame.more is False


def test_send_frame_object(pair):
    a, b = pair()
    a.send(zmq.Frame(b"prebuilt"))
    a.send(zmq.Message(b"alias"))
    assert [b.recv(), b.recv()] == [b"prebuilt", b"alias"]


def test_flags_keyword_and_dontwait(pair):
    a, b = pair()
    a.send(b"x", flags=zmq.DONTWAIT)
    assert b.poll(5000)
    assert b.recv(flags=zmq.NOBLOCK) == b"x"


# ---------------------------------------------------------------- recv_into


def test_recv_into_larger_buffer(pair, transport):
    a, b = pair(transport)
    a.send(b"abc")
    buf = bytearray(b"-" * 8)
    assert b.recv_into(buf) == 3
    assert buf == b"abc-----"


def test_recv_into_truncates_and_returns_full_size(pair, transport):
    a, b = pair(transport)
    a.send(b"0123456789")
    a.send(b"next")
    buf = bytearray(4)
    assert b.recv_into(buf) == 10
    assert buf == b"0123"
    assert b.recv() == b"next", "the truncated message must be consumed whole"


def test_recv_into_nbytes_and_memoryview_slice(pair):
    a, b = pair()
    a.send(b"abcdef")
    a.send(b"uvwxyz")
    buf = bytearray(b"." * 10)
    assert b.recv_into(buf, nbytes=2) == 6
    assert buf == b"ab........"
    assert b.recv_into(memoryview(buf)[5:]) == 6
    assert buf == b"ab...uvwxy"


def test_recv_into_flags(pair):
    a, b = pair()
    with pytest.raises(zmq.Again):
        b.recv_into(bytearray(4), flags=zmq.NOBLOCK)
    a.send(b"hi")
    assert b.poll(5000)
    assert b.recv_into(bytearray(4), flags=zmq.NOBLOCK) == 2


# ---------------------------------------------------------------- multipart


def test_multipart_round_trip(pair, transport):
    a, b = pair(transport)
    parts = [b"head", b"", bytearray(b"middle"), memoryview(b"tail"), zmq.Frame(b"frame")]
    a.send_multipart(parts)
    assert b.recv_multipart() == [b"head", b"", b"middle", b"tail", b"frame"]


def test_multipart_copy_false_gives_frames_with_more(pair, transport):
    a, b = pair(transport)
    big = b"z" * (100 * 1024)
    a.send_multipart([b"one", big, b"three"], copy=False)
    frames = b.recv_multipart(copy=False)
    assert all(isinstance(f, zmq.Frame) for f in frames)
    assert [f.bytes for f in frames] == [b"one", big, b"three"]
    assert [f.more for f in frames] == [True, True, False]


def test_sndmore_flag_builds_a_multipart(pair):
    a, b = pair()
    a.send(b"1", zmq.SNDMORE)
    a.send_string("2", zmq.SNDMORE)
    a.send(b"3")
    assert b.recv_multipart() == [b"1", b"2", b"3"]


def test_single_part_multipart(pair):
    a, b = pair()
    a.send_multipart([b"only"])
    assert b.recv_multipart() == [b"only"]


def test_many_part_multipart(pair):
    a, b = pair()
    parts = [b"%d" % i for i in range(1000)]
    a.send_multipart(parts)
    assert b.recv_multipart() == parts


# ---------------------------------------------------------------- serialisation


def test_send_recv_string(pair):
    a, b = pair()
    a.send_string("héllo wörld ✓")
    assert b.recv_string() == "héllo wörld ✓"
    a.send_string("utf-16 text", encoding="utf-16")
    assert b.recv_string(encoding="utf-16") == "utf-16 text"


def test_send_recv_json(pair):
    a, b = pair()
    obj = {"a": [1, 2.5, None, True], "b": {"nested": "ü"}}
    a.send_json(obj)
    assert b.recv_json() == obj


def test_send_recv_pyobj(pair):
    a, b = pair()
    obj = {"set": {1, 2}, "tuple": (1, b"raw"), "complex": 1 + 2j}
    a.send_pyobj(obj)
    assert b.recv_pyobj() == obj


def test_send_recv_serialized(pair):
    a, b = pair()

    def serialize(msg):
        return [msg["key"].encode(), str(msg["n"]).encode()]

    def deserialize(frames):
        assert all(isinstance(f, zmq.Frame) for f in frames)
        return {"key": frames[0].bytes.decode(), "n": int(frames[1].bytes)}

    a.send_serialized({"key": "k", "n": 42}, serialize)
    assert b.recv_serialized(deserialize, copy=False) == {"key": "k", "n": 42}


# ---------------------------------------------------------------- patterns


def test_req_rep(pair, transport):
    rep, req = pair(transport, zmq.REP, zmq.REQ)
    for i in range(3):
        req.send(b"request %d" % i)
        assert rep.recv() == b"request %d" % i
        rep.send(b"reply %d" % i)
        assert req.recv() == b"reply %d" % i


def test_req_cannot_send_twice(pair):
    _, req = pair("inproc", zmq.REP, zmq.REQ)
    req.send(b"first")
    with pytest.raises(zmq.ZMQError) as info:
        req.send(b"second")
    assert info.value.errno == zmq.EFSM


def test_pub_sub(pubsub, transport):
    pub, sub = pubsub(transport, topic=b"news")
    pub.send_multipart([b"news.world", b"body"])
    pub.send_multipart([b"sport", b"ignored"])
    pub.send_multipart([b"news.local", b"body2"])
    assert sub.recv_multipart() == [b"news.world", b"body"]
    assert sub.recv_multipart() == [b"news.local", b"body2"]


def test_push_pull_keeps_order(pair, transport):
    pull, push = pair(transport, zmq.PULL, zmq.PUSH)
    for i in range(200):
        push.send(b"%d" % i)
    assert [pull.recv() for _ in range(200)] == [b"%d" % i for i in range(200)]


def test_push_round_robins_over_pulls(sock, bound):
    pulls = [sock(zmq.PULL), sock(zmq.PULL)]
    push = sock(zmq.PUSH)
    for p in pulls:
        push.connect(bound(p, "inproc"))
    for i in range(6):
        push.send(b"%d" % i)
    assert [pulls[0].recv() for _ in range(3)] == [b"0", b"2", b"4"]
    assert [pulls[1].recv() for _ in range(3)] == [b"1", b"3", b"5"]


def test_router_dealer_routes_replies(sock, bound, transport):
    router = sock(zmq.ROUTER)
    url = bound(router, transport)
    dealers = {}
    for name in (b"alice", b"bob"):
        dealers[name] = sock(zmq.DEALER, routing_id=name)
        dealers[name].connect(url)
        dealers[name].send_multipart([b"", b"hello from " + name])
    seen = {}
    for _ in dealers:
        ident, empty, body = router.recv_multipart()
        assert empty == b""
        seen[ident] = body
    assert seen == {name: b"hello from " + name for name in dealers}
    for name in (b"bob", b"alice"):
        router.send_multipart([name, b"", b"reply to " + name])
    for name, dealer in dealers.items():
        assert dealer.recv_multipart() == [b"", b"reply to " + name]


def test_router_learns_generated_identity(pair, transport):
    router, dealer = pair(transport, zmq.ROUTER, zmq.DEALER)
    dealer.send(b"anonymous")
    ident, body = router.recv_multipart()
    assert body == b"anonymous" and len(ident) > 0
    router.send_multipart([ident, b"back"])
    assert dealer.recv() == b"back"


def test_unroutable_router_message_is_dropped(pair):
    router, dealer = pair("inproc", zmq.ROUTER, zmq.DEALER, routing_id=b"known")
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"known", b"hi"]
    router.send_multipart([b"unknown", b"lost"])
    router.send_multipart([b"known", b"found"])
    assert dealer.recv() == b"found"
