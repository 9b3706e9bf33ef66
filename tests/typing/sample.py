# SPDX-License-Identifier: BSD-3-Clause
"""A small program over zmqx's public API, written as a typed user would.

tests/test_typing.py runs ``mypy --strict`` on it (the stubs must make it
type-check without casts or ignores) and also runs it, so every call here is
real.  ``assert_type`` pins what the stubs promise for the common calls.
"""
from __future__ import annotations

import asyncio
import json
import threading
from typing import TYPE_CHECKING, Any, TypeVar

import zmqx as zmq
import zmqx.asyncio
import zmqx.devices
from zmqx.utils.monitor import MonitorEvent, iter_monitor_events, parse_monitor_message

if TYPE_CHECKING:
    from typing_extensions import assert_type
else:
    def assert_type(value, _type):
        return value

TIMEOUT_MS = 5000
S = TypeVar("S", bound=zmq.Socket)


def configure(sock: S) -> S:
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


def polling(ctx: zmq.Context) -> None:
    a = configure(ctx.socket(zmq.PAIR))
    b = configure(ctx.socket(zmq.PAIR))
    with a.bind("inproc://poll"), b.connect("inproc://poll"):
        poller = zmq.Poller()
        poller.register(a, zmq.POLLIN)
        poller.register(b)
        assert len(poller) == 2 and a in poller
        b.send(b"ready")
        events = dict(poller.poll(TIMEOUT_MS))
        assert events[a] & zmq.POLLIN
        poller.unregister(b)
        rlist, wlist, xlist = zmq.select([a], [b], [], timeout=5)
        assert rlist == [a] and wlist == [b] and xlist == []
        assert a.recv() == b"ready"
    a.close()
    b.close()


def proxying(ctx: zmq.Context) -> None:
    front = configure(ctx.socket(zmq.PULL))
    back = configure(ctx.socket(zmq.PUSH))
    control = configure(ctx.socket(zmq.PAIR))
    steer = configure(ctx.socket(zmq.PAIR))
    front.bind("inproc://front")
    back.bind("inproc://back")
    steer.bind("inproc://steer")
    control.connect("inproc://steer")
    thread = threading.Thread(target=zmq.proxy_steerable, args=(front, back, None, control))
    thread.start()
    producer = configure(ctx.socket(zmq.PUSH))
    consumer = configure(ctx.socket(zmq.PULL))
    producer.connect("inproc://front")
    consumer.connect("inproc://back")
    producer.send(b"proxied")
    assert consumer.recv() == b"proxied"
    stats = zmq.proxy_statistics(steer, timeout=5)
    assert_type(stats, zmq.ProxyStatistics)
    messages: int = stats.frontend.messages_in
    assert messages == 1 and stats.backend.bytes_out == len(b"proxied")
    steer.send(b"TERMINATE")
    thread.join(5)
    for sock in (front, back, control, steer, producer, consumer):
        sock.close()


class NamedSocket(zmq.Socket):
    """A pyzmq-style subclass made by its context class (``_socket_class``)."""

    role: str = "unset"


class NamedContext(zmq.Context):
    _socket_class = NamedSocket


def pyzmq_contract() -> None:
    SyncSocket = zmq.Socket[bytes]  # generic aliases, as typed pyzmq code writes them
    SyncContext = zmq.Context[Any]
    assert SyncSocket is not None and SyncContext is not None
    with NamedContext() as ctx:
        sock = ctx.socket(zmq.DEALER)
        assert isinstance(sock, NamedSocket)
        sock.LINGER = 0
        sock.name = "backend"  # an ordinary attribute
        assert sock.linger == 0 and sock.name == "backend"
        sock.set_hwm(10)
        hwm: int = sock.get_hwm()
        assert hwm == sock.hwm == 10
        ctx.linger = 0
        other = ctx.socket(zmq.PAIR, socket_class=zmq.Socket)
        assert type(other) is zmq.Socket and other.linger == 0
        for s in (sock, other):
            s.close()


def device() -> None:
    dev_ctx = zmq.Context()
    dev = zmqx.devices.ThreadDevice(zmq.QUEUE, zmq.PULL, zmq.PUSH)
    dev.context_factory = lambda: dev_ctx
    dev.bind_in("inproc://dev-in")
    dev.connect_out("inproc://dev-out")
    dev.setsockopt_out(zmq.LINGER, 0)
    pull = configure(dev_ctx.socket(zmq.PULL))
    pull.bind("inproc://dev-out")
    dev.start()
    push = configure(dev_ctx.socket(zmq.PUSH))
    push.connect("inproc://dev-in")
    push.send(b"via a device")
    assert pull.recv() == b"via a device"
    push.close()
    pull.close()
    dev_ctx.term()  # ends the device
    dev.join(timeout=5)
    assert not dev.is_alive()


def monitoring(ctx: zmq.Context) -> None:
    server = configure(ctx.socket(zmq.REP))
    mon = configure(server.get_monitor_socket())
    server.bind_to_random_port("tcp://127.0.0.1")
    first = parse_monitor_message(mon.recv_multipart())
    assert isinstance(first["event"], zmq.Event) and isinstance(first["endpoint"], bytes)
    server.monitor(None)
    events = list(iter_monitor_events(mon, timeout=5))
    assert_type(events, list[MonitorEvent])
    last = events[-1]
    assert last.event == zmq.Event.MONITOR_STOPPED
    assert isinstance(last.endpoint, str) and isinstance(last.value, int)
    server.disable_monitor()
    server.close()


async def async_messaging() -> None:
    async with zmqx.asyncio.Context() as actx:
        pull = configure(actx.socket(zmq.PULL))
        push = actx.socket(zmq.PUSH)
        assert_type(pull, zmqx.asyncio.Socket)
        pull.bind("inproc://async")
        push.connect("inproc://async")
        await push.send(b"one")
        assert_type(await pull.recv(), bytes)
        await push.send_multipart([b"a", b"b"])
        assert_type(await pull.recv_multipart(), list[bytes])
        await push.send_string("three")
        poller = zmqx.asyncio.Poller()
        poller.register(pull, zmq.POLLIN)
        assert await poller.poll(TIMEOUT_MS) == [(pull, zmq.POLLIN)]
        assert await pull.poll(TIMEOUT_MS) == zmq.POLLIN
        assert_type(await pull.recv_string(), str)
        await push.send_multipart([b"x"])
        frames = await pull.recv_multipart(copy=False)
        assert_type(frames, list[zmq.Frame])


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


def pyzmq_modules() -> None:
    """pyzmq's module paths (issue 12), as typed code uses them."""
    import logging

    from zmqx.decorators import context, socket
    from zmqx.log.handlers import PUBHandler
    from zmqx.utils import jsonapi, z85

    @context()
    @socket(zmq.PUB)
    def publish(ctx: zmq.Context | None = None, pub: zmq.Socket | None = None) -> int:
        assert ctx is not None and pub is not None  # given by the decorators
        handler = PUBHandler(pub, root_topic="sample")
        handler.setFormatter(logging.Formatter("%(message)s"), logging.INFO)
        return len(handler.root_topic)

    assert publish() == len("sample")
    assert z85.decode(z85.encode(b"1234")) == b"1234"
    assert jsonapi.loads(jsonapi.dumps([1])) == [1]
    version: tuple[int, int, int] = zmq.pyzmq_version_info()
    assert version >= (27, 0, 0) and isinstance(zmq.PYZMQ_DRAFT_API, bool)


def main() -> None:
    library()
    pyzmq_modules()
    with zmq.Context() as ctx:
        messaging(ctx)
        if zmq.has("curve"):
            curve(ctx)
        polling(ctx)
        proxying(ctx)
        monitoring(ctx)
    device()
    pyzmq_contract()
    asyncio.run(async_messaging())
    print("typing sample ran")


if __name__ == "__main__":
    main()
