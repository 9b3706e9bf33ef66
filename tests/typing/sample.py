# SPDX-License-Identifier: BSD-3-Clause
"""A small program over zmqx's public API, written as a typed user would.

tests/test_typing.py runs ``mypy --strict`` on it (the stubs must make it
type-check without casts or ignores) and also runs it, so every call here is
real.  ``assert_type`` pins what the stubs promise for the common calls.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import zmqx as zmq

if TYPE_CHECKING:
    from typing_extensions import assert_type
else:
    def assert_type(value, _type):
        return value

TIMEOUT_MS = 5000


def configure(sock: zmq.Socket) -> zmq.Socket:
    sock.linger = 0
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    sock.setsockopt(zmq.SNDHWM, 1000)
    sock.hwm = 1000
    return sock


def messaging(ctx: zmq.Context) -> None:
    pull = configure(ctx.socket(zmq.PULL))
    push = configure(ctx.socket(zmq.PUSH))
    with pull.bind("inproc://sample"), push.connect("inproc://sample"):
        push.send(b"copied")
        assert_type(pull.recv(), bytes)

        tracker = push.send(bytearray(100_000), copy=False, track=True)
        frame = pull.recv(copy=False)
        assert_type(frame, zmq.Frame)
        assert len(frame) == 100_000 and frame.bytes == bytes(100_000)
        with memoryview(frame) as view:
            assert view.readonly
        frame.close()  # over inproc the frame is the sent buffer itself
        if tracker is not None:
            tracker.wait(timeout=5)
            assert tracker.done

        push.send_multipart([b"a", bytearray(b"b"), memoryview(b"c"), zmq.Frame(b"d")])
        parts: list[bytes] = pull.recv_multipart()
        assert parts == [b"a", b"b", b"c", b"d"]
        push.send_multipart([b"x", b"y"])
        frames = pull.recv_multipart(copy=False)
        assert_type(frames, list[zmq.Frame])

        push.send_string("héllo")
        assert_type(pull.recv_string(), str)
        push.send_json({"n": 1})
        received: Any = pull.recv_json()
        assert received == {"n": 1}
        push.send_serialized({"n": 2}, lambda m: [json.dumps(m).encode()])
        assert pull.recv_serialized(lambda fs: json.loads(fs[0])) == {"n": 2}

        buf = bytearray(16)
        push.send(b"into")
        size: int = pull.recv_into(buf)
        assert buf[:size] == b"into"

        assert pull.poll(0) == 0
        ready = zmq.zmq_poll([(pull, zmq.POLLIN)], timeout=0)
        assert ready == []
        flags: int = zmq.NOBLOCK | zmq.SNDMORE
        assert flags == zmq.Flag.DONTWAIT | zmq.Flag.SNDMORE
        try:
            pull.recv(zmq.NOBLOCK)
        except zmq.Again as exc:
            assert isinstance(exc, zmq.ZMQError) and exc.errno == zmq.EAGAIN
    for sock in (push, pull):
        sock.close()
        assert sock.closed


def curve(ctx: zmq.Context) -> None:
    server_public, server_secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()
    assert zmq.curve_public(server_secret) == server_public
    server = configure(ctx.socket(zmq.REP))
    server.setsockopt(zmq.CURVE_SERVER, 1)
    server.setsockopt(zmq.CURVE_SECRETKEY, server_secret)
    port: int = server.bind_to_random_port("tcp://127.0.0.1")
    client = configure(ctx.socket(zmq.REQ))
    client.setsockopt(zmq.CURVE_SERVERKEY, server_public)
    client.setsockopt(zmq.CURVE_PUBLICKEY, client_public)
    client.setsockopt(zmq.CURVE_SECRETKEY, client_secret)
    client.connect(f"tcp://127.0.0.1:{port}")
    client.send(b"ping")
    assert server.recv() == b"ping"
    server.send(b"pong")
    assert client.recv() == b"pong"


def library() -> None:
    major, minor, patch = zmq.zmq_version_info()
    assert f"{major}.{minor}.{patch}" == zmq.zmq_version()
    assert isinstance(zmq.__version__, str) and zmq.pyzmq_version()
    assert zmq.has("curve") in (True, False)
    assert zmq.z85_decode(zmq.z85_encode(b"1234")) == b"1234"
    assert_type(zmq.strerror(zmq.EAGAIN), str)
    kind: zmq.constants.SocketType = zmq.constants.SocketType.PUSH
    socket_type: int = zmq.PUSH
    assert socket_type == kind
    assert all(isinstance(d, str) for d in zmq.get_includes())


def main() -> None:
    library()
    with zmq.Context() as ctx:
        messaging(ctx)
        if zmq.has("curve"):
            curve(ctx)
    print("typing sample ran")


if __name__ == "__main__":
    main()
