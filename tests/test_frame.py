"""Frame (alias Message): contents, properties and the exported buffer views."""
import gc

import pytest

from _backend import zmq

MiB = 1 << 20


@pytest.mark.parametrize("data", [b"abc", bytearray(b"abc"), memoryview(b"xabcx")[1:4]],
                         ids=["bytes", "bytearray", "memoryview"])
def test_frame_from_buffer(data):
    f = zmq.Frame(data)
    assert f.bytes == b"abc"
    assert bytes(f) == b"abc"
    assert len(f) == 3
    assert f.buffer.tobytes() == b"abc"


def test_empty_frame():
    f = zmq.Frame()
    assert len(f) == 0
    assert f.bytes == b""


def test_message_is_frame():
    assert zmq.Message is zmq.Frame


def test_received_frame_more_and_get_more(pair):
    a, b = pair()
    a.send_multipart([b"first", b"last"])
    first, last = b.recv(copy=False), b.recv(copy=False)
    assert (first.more, last.more) == (True, False)
    assert (first.get(zmq.MORE), last.get(zmq.MORE)) == (1, 0)


def test_peer_address_and_socket_type_over_tcp(pair):
    router, dealer = pair("tcp", zmq.ROUTER, zmq.DEALER)
    dealer.send(b"who am i")
    ident, body = router.recv_multipart(copy=False)
    assert body.bytes == b"who am i"
    assert body.get("Peer-Address") == "127.0.0.1"
    assert body.get("Socket-Type") == "DEALER"


def test_unknown_frame_property_is_einval(pair):
    a, b = pair("tcp")
    a.send(b"x")
    f = b.recv(copy=False)
    with pytest.raises(zmq.ZMQError) as info:
        f.get("No-Such-Property")
    assert info.value.errno == zmq.EINVAL


def test_received_megabyte_frame_works_with_numpy(pair):
    np = pytest.importorskip("numpy")
    a, b = pair()
    payload = np.arange(MiB // 4, dtype=np.uint32)
    a.send(payload)
    f = b.recv(copy=False)
    arr = np.frombuffer(f, dtype=np.uint32)
    assert arr.shape == payload.shape and (arr == payload).all()
    # every export is a view of the same memory, never a per-export copy
    assert np.frombuffer(f.buffer, dtype=np.uint8).ctypes.data == arr.ctypes.data


# ---------------------------------------------------------------- zmqx: read-only, counted views


@pytest.fixture(params=["constructed", "received"])
def frame(request, pair):
    if request.param == "constructed":
        return zmq.Frame(b"payload")
    a, b = pair()
    a.send(b"payload")
    return b.recv(copy=False)


@pytest.mark.zmqx_only
def test_frame_views_are_read_only(frame):
    mv = memoryview(frame)
    assert mv.readonly is True
    with pytest.raises(TypeError):
        mv[0] = 0
    assert frame.buffer.readonly is True
    with pytest.raises(TypeError):
        frame.buffer[0] = 0
    mv.release()
    assert frame.bytes == b"payload"


@pytest.mark.zmqx_only
def test_numpy_view_of_frame_is_not_writable(frame):
    np = pytest.importorskip("numpy")
    arr = np.frombuffer(frame, dtype=np.uint8)
    assert not arr.flags.writeable
    with pytest.raises(ValueError):
        arr[0] = 1


@pytest.mark.zmqx_only
def test_close_refused_while_views_are_alive(frame):
    first = memoryview(frame)
    second = frame.buffer
    with pytest.raises(BufferError):
        frame.close()
    first.release()
    with pytest.raises(BufferError):
        frame.close()
    assert frame.bytes == b"payload", "a refused close must leave the frame intact"
    second.release()
    frame.close()


@pytest.mark.zmqx_only
def test_views_released_by_gc_allow_close(frame):
    views = [memoryview(frame) for _ in range(3)]
    with pytest.raises(BufferError):
        frame.close()
    del views
    gc.collect()
    frame.close()


@pytest.mark.zmqx_only
def test_access_after_close_raises(frame):
    frame.close()
    assert len(frame) == 0
    with pytest.raises(ValueError, match="closed"):
        frame.bytes
    with pytest.raises(ValueError, match="closed"):
        frame.buffer
    with pytest.raises((ValueError, BufferError)):
        memoryview(frame)


@pytest.mark.zmqx_only
def test_closed_frame_cannot_be_sent(pair):
    a, b = pair()
    f = zmq.Frame(b"gone")
    f.close()
    with pytest.raises(ValueError, match="closed"):
        a.send(f)
    assert b.poll(0) == 0
