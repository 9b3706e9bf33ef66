# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.eventloop: ZMQStream on tornado's IOLoop, eventloop.ioloop and
eventloop.future, over real sockets.  Every test runs its own loop, bounded."""
import asyncio
import importlib
import warnings

import pytest

pytest.importorskip("tornado")
from tornado import gen  # noqa: E402
from tornado.ioloop import IOLoop  # noqa: E402

from _backend import MODULE_NAME, zmq  # noqa: E402

zmqstream = importlib.import_module(f"{MODULE_NAME}.eventloop.zmqstream")
future = importlib.import_module(f"{MODULE_NAME}.eventloop.future")
ZMQStream = zmqstream.ZMQStream
zmqx_only = pytest.mark.zmqx_only
WAIT_S = 5.0


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, WAIT_S))


@pytest.fixture
def tpair(ctx):
    """``tpair(bind_type, connect_type)``: two blocking sockets over tcp."""
    made = []

    def make(a_type, b_type):
        a, b = ctx.socket(a_type), ctx.socket(b_type)
        a.linger = b.linger = 0
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        made.extend((a, b))
        return a, b
    yield make
    for s in made:
        s.close(linger=0)


class Collector:
    """on_recv callback collecting messages; ``wait(n)`` until it has n."""

    def __init__(self):
        self.msgs, self._n, self._event = [], 0, asyncio.Event()

    def __call__(self, msg):
        self.msgs.append(msg)
        if len(self.msgs) >= self._n:
            self._event.set()

    async def wait(self, n):
        self._n = n
        if len(self.msgs) < n:
            self._event.clear()
            await asyncio.wait_for(self._event.wait(), WAIT_S)
        return self.msgs


def test_ioloop_module_is_tornados():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ioloop = importlib.import_module(f"{MODULE_NAME}.eventloop.ioloop")
    assert ioloop.IOLoop is IOLoop and ioloop.ZMQIOLoop is IOLoop
    assert importlib.import_module(f"{MODULE_NAME}.eventloop").IOLoop is IOLoop


def test_push_pull_in_order_with_send_callbacks(tpair):
    async def main():
        pull, push = tpair(zmq.PULL, zmq.PUSH)
        rx, tx = ZMQStream(pull), ZMQStream(push)
        got, sent = Collector(), []
        rx.on_recv(got)
        tx.on_send(lambda msg, status: sent.append((msg, status)))
        for i in range(1000):
            tx.send(b"%d" % i)
        assert sent == []  # callbacks run from the loop, never inside send
        msgs = await got.wait(1000)
        assert msgs == [[b"%d" % i] for i in range(1000)]
        await asyncio.sleep(0)
        assert sent == [([b"%d" % i], None) for i in range(1000)]
        rx.close()
        tx.close()
    run(main())


def test_send_kinds_and_copy_false(tpair):
    async def main():
        pull, push = tpair(zmq.PULL, zmq.PUSH)
        rx, tx = ZMQStream(pull), ZMQStream(push)
        got = Collector()
        rx.on_recv(got, copy=False)
        tx.send_multipart([b"a", b"b"])
        tx.send_string("s")
        tx.send_json({"k": 1})
        tx.send_pyobj((1, 2))
        with pytest.raises(TypeError):
            tx.send_string(b"not str")
        msgs = await got.wait(4)
        assert all(isinstance(f, zmq.Frame) for m in msgs for f in m)
        assert [[f.bytes for f in m] for m in msgs][:2] == [[b"a", b"b"], [b"s"]]
        rx.close()
        tx.close()
    run(main())


def test_sends_queue_while_the_socket_is_full(ctx):
    """A PUSH with no peer cannot send: messages queue (sending() is true) and
    go, in order, with their callbacks, once a peer connects."""
    async def main():
        push = ctx.socket(zmq.PUSH)
        port = push.bind_to_random_port("tcp://127.0.0.1")
        tx = ZMQStream(push)
        sent = []
        for i in range(5):
            tx.send(b"%d" % i, callback=lambda m, s: sent.append(m))
        assert tx.sending() and sent == []
        pull = ctx.socket(zmq.PULL)
        pull.connect(f"tcp://127.0.0.1:{port}")
        rx = ZMQStream(pull)
        got = Collector()
        rx.on_recv(got)
        assert await got.wait(5) == [[b"%d" % i] for i in range(5)]
        await asyncio.sleep(0)
        assert sent == [[b"%d" % i] for i in range(5)] and not tx.sending()
        rx.close(linger=0)
        tx.close(linger=0)
    run(main())


def test_stop_on_recv_inside_a_callback_leaves_the_rest(tpair):
    async def main():
        pull, push = tpair(zmq.PULL, zmq.PUSH)
        for i in range(20):
            push.send(b"%d" % i)
        assert pull.poll(int(WAIT_S * 1000))
        rx = ZMQStream(pull)
        got = []

        def cb(msg):
            got.append(msg[0])
            if len(got) == 3:
                rx.stop_on_recv()

        rx.on_recv(cb)
        assert rx.receiving()
        for _ in range(20):
            await asyncio.sleep(0.005)
        assert got == [b"0", b"1", b"2"] and not rx.receiving()
        pull.rcvtimeo = int(WAIT_S * 1000)
        assert [pull.recv() for _ in range(17)] == [b"%d" % i for i in range(3, 20)]
        rx.close()
    run(main())


def test_stream_callbacks_and_coroutine_callbacks(tpair):
    async def main():
        a, b = tpair(zmq.PAIR, zmq.PAIR)
        sa, sb = ZMQStream(a), ZMQStream(b)
        done = asyncio.Event()
        seen = []

        async def on_msg(stream, msg):
            await asyncio.sleep(0)
            seen.append((stream is sb, msg))
            done.set()

        sb.on_recv_stream(on_msg)
        sent = []
        sa.on_send_stream(lambda stream, msg, status: sent.append(stream is sa))
        sa.send(b"hi")
        await asyncio.wait_for(done.wait(), WAIT_S)
        assert seen == [(True, [b"hi"])] and sent == [True]
        sa.close()
        sb.close()
    run(main())


def test_flush_handles_ready_messages_now(tpair):
    async def main():
        pull, push = tpair(zmq.PULL, zmq.PUSH)
        for i in range(10):
            push.send(b"%d" % i)
        assert pull.poll(int(WAIT_S * 1000))
        rx = ZMQStream(pull)
        got = []
        rx._recv_callback = None
        assert rx.flush(zmq.POLLOUT) == 0  # nothing queued to send
        rx.on_recv(got.append)
        deadline = asyncio.get_running_loop().time() + WAIT_S
        n = 0
        while n < 10 and asyncio.get_running_loop().time() < deadline:
            n += rx.flush(limit=3)
            if n < 10:
                pull.poll(100)
        assert got == [[b"%d" % i] for i in range(10)]
        rx.close()
    run(main())


def test_close_callback_and_closed(tpair):
    async def main():
        pull, _ = tpair(zmq.PULL, zmq.PUSH)
        rx = ZMQStream(pull)
        calls = []
        rx.set_close_callback(lambda: calls.append(1))
        assert not rx.closed()
        rx.close()
        assert rx.closed() and calls == [1] and pull.closed
        rx.close()  # idempotent
        with pytest.raises(OSError):
            rx.on_recv(print)
    run(main())


def test_socket_closed_elsewhere_is_noticed(tpair):
    async def main():
        pull, _ = tpair(zmq.PULL, zmq.PUSH)
        rx = ZMQStream(pull)
        pull.close()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert rx.closed()
    run(main())


def test_proxied_socket_methods(tpair):
    async def main():
        pull, _ = tpair(zmq.PULL, zmq.PUSH)
        rx = ZMQStream(pull)
        rx.setsockopt(zmq.RCVHWM, 7)
        assert rx.getsockopt(zmq.RCVHWM) == 7
        port = rx.bind_to_random_port("tcp://127.0.0.1")  # binds the stream's socket
        assert pull.last_endpoint == b"tcp://127.0.0.1:%d" % port
        rx.close()
    run(main())


def test_receive_and_send_on_one_socket(tpair):
    """A DEALER stream sends while it waits to receive: the sends must not
    swallow the fd's wake-up for the replies."""
    async def main():
        router, dealer = tpair(zmq.ROUTER, zmq.DEALER)
        srv, cli = ZMQStream(router), ZMQStream(dealer)
        srv.on_recv(lambda msg: srv.send_multipart(msg))
        got = Collector()
        cli.on_recv(got)
        for i in range(300):
            cli.send(b"%d" % i)
            if i % 10 == 0:
                await asyncio.sleep(0)
        assert await got.wait(300) == [[b"%d" % i] for i in range(300)]
        srv.close()
        cli.close()
    run(main())


def test_req_rep_echo_service(tpair):
    async def main():
        rep, req = tpair(zmq.REP, zmq.REQ)
        server = ZMQStream(rep)
        server.on_recv(lambda msg: server.send_multipart([m.upper() for m in msg]))
        client = ZMQStream(req)
        got = Collector()
        client.on_recv(lambda msg: (got(msg), len(got.msgs) < 20
                                    and client.send(b"req %d" % len(got.msgs))))
        client.send(b"req 0")
        assert await got.wait(20) == [[b"REQ %d" % i] for i in range(20)]
        server.close()
        client.close()
    run(main())


def test_pub_sub_fan_out(ctx):
    async def main():
        pub = ctx.socket(zmq.PUB)
        port = pub.bind_to_random_port("tcp://127.0.0.1")
        streams, collectors = [], []
        for _ in range(3):
            s = ctx.socket(zmq.SUB)
            s.subscribe(b"")
            s.connect(f"tcp://127.0.0.1:{port}")
            st, c = ZMQStream(s), Collector()
            st.on_recv(c)
            streams.append(st)
            collectors.append(c)
        tx = ZMQStream(pub)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_S
        while not all(c.msgs for c in collectors):  # every subscription arrived
            assert loop.time() < deadline
            tx.send(b"probe")
            await asyncio.sleep(0.01)
        for i in range(100):
            tx.send(b"%d" % i)
        tx.send(b"end")
        for c in collectors:
            while [b"end"] not in c.msgs:
                await c.wait(len(c.msgs) + 1)
            assert [int(m[0]) for m in c.msgs if m[0] not in (b"probe", b"end")] \
                == list(range(100))
        for st in (tx, *streams):
            st.close(linger=0)
    run(main())


@zmqx_only
def test_stream_over_an_async_socket_warns(ctx):
    aio = importlib.import_module(f"{MODULE_NAME}.asyncio")

    async def main():
        s = aio.Socket(ctx, zmq.PULL)
        with pytest.warns(RuntimeWarning):
            st = ZMQStream(s)
        assert type(st.socket) is zmq.Socket
        st.close()
        s.close()
    run(main())


def test_eventloop_future_sockets(ctx):
    async def main():
        fctx = future.Context()
        a, b = fctx.socket(zmq.PAIR), fctx.socket(zmq.PAIR)
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")

        @gen.coroutine
        def old_style():
            msg = yield b.recv()
            return msg

        fut = old_style()
        await a.send(b"tornado")
        assert await asyncio.wait_for(fut, WAIT_S) == b"tornado"
        # every call returns a Future: IOLoop.add_future takes it
        got = asyncio.get_running_loop().create_future()
        recv = b.recv_multipart()
        assert isinstance(recv, asyncio.Future)
        IOLoop.current().add_future(recv, lambda f: got.set_result(f.result()))
        assert isinstance(a.send_string("via add_future"), asyncio.Future)
        assert await asyncio.wait_for(got, WAIT_S) == [b"via add_future"]
        waiting = b.recv()
        await asyncio.sleep(0.01)
        assert waiting.cancel()
        with pytest.raises(future.CancelledError):
            await waiting
        await a.send(b"after cancel")  # the cancelled recv took nothing
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"after cancel"
        poller = future.Poller()
        poller.register(b, zmq.POLLIN)
        await a.send(b"again")
        assert await poller.poll(int(WAIT_S * 1000)) == [(b, zmq.POLLIN)]
        assert await b.recv() == b"again"
        a.close(linger=0)
        b.close(linger=0)
        fctx.term()
    run(main())


def test_stopping_and_restarting_loses_nothing(tpair):
    """on_recv is switched off and on again many times while numbered
    messages arrive (the stream's analogue of cancelling a receive): each
    message reaches a callback exactly once, in order."""
    async def main():
        pull, push = tpair(zmq.PULL, zmq.PUSH)
        rx, tx = ZMQStream(pull), ZMQStream(push)
        got, total = [], 2000

        def cb(msg):
            got.append(int(msg[0]))
            if len(got) % 7 == 0:
                rx.stop_on_recv()  # mid-batch
                asyncio.get_running_loop().call_soon(rx.on_recv, cb)

        rx.on_recv(cb)
        for i in range(total):
            tx.send(b"%d" % i)
            if i % 100 == 0:
                await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_S
        while len(got) < total and loop.time() < deadline:
            await asyncio.sleep(0.005)
        assert got == list(range(total))
        rx.close()
        tx.close()
    run(main())


def test_a_failing_send_callback_does_not_stop_the_others(tpair, caplog):
    async def main():
        pull, push = tpair(zmq.PULL, zmq.PUSH)
        tx = ZMQStream(push)
        calls = []

        def cb(msg, status):
            calls.append(msg[0])
            if msg[0] == b"1":
                raise RuntimeError("callback failed")

        tx.on_send(cb)
        for i in range(3):
            tx.send(b"%d" % i)
        for _ in range(10):
            await asyncio.sleep(0)
        assert calls == [b"0", b"1", b"2"]
        assert "Uncaught exception in ZMQStream callback" in caplog.text
        tx.close()
    run(main())


def test_eventloop_future_cancellation_as_pyzmq(ctx):
    """A cancelled call's Future raises the module's CancelledError, an
    Exception as pyzmq's is; a finished call cannot be cancelled; closing the
    socket cancels the calls waiting on it."""
    assert issubclass(future.CancelledError, Exception)

    async def main():
        fctx = future.Context()
        assert fctx.io_loop is None
        pull, push = fctx.socket(zmq.PULL), fctx.socket(zmq.PUSH)
        pull.linger = push.linger = 0
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
        waiting = pull.recv()
        assert waiting.cancel() and waiting.cancelled()
        assert isinstance(waiting.exception(), future.CancelledError)
        with pytest.raises(future.CancelledError):
            await waiting
        finished = pull.recv()
        await push.send(b"one")
        assert await asyncio.wait_for(finished, WAIT_S) == b"one"
        assert not finished.cancel() and not finished.cancelled()
        closing = pull.recv()  # waits on the socket from the call on, as in pyzmq
        pull.close()
        with pytest.raises(future.CancelledError):
            await asyncio.wait_for(closing, WAIT_S)
        push.close()
        fctx.term()
    run(main())


def test_eventloop_future_cancelling_loses_nothing(ctx):
    """Receives cancelled while waiting, and while their message arrives, take
    nothing: each message is received exactly once, in order, by a call that
    was not cancelled (a cancel() that comes too late returns False)."""
    async def main():
        fctx = future.Context()
        pull, push = fctx.socket(zmq.PULL), fctx.socket(zmq.PUSH)
        pull.linger = push.linger = 0
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
        got, outcomes = [], set()
        for i in range(600):
            call = pull.recv()
            for _ in range(i % 3):
                await asyncio.sleep(0)  # loop turns, not time
            await push.send(b"%d" % i)
            for _ in range(i % 5):
                await asyncio.sleep(0)  # the message may or may not have reached the call
            if i % 2:
                outcomes.add(call.cancel())
                if call.cancelled():
                    call = pull.recv()
            got.append(int(await asyncio.wait_for(call, WAIT_S)))
        assert got == list(range(600))
        assert True in outcomes  # (cancelled while waiting at least once)
        pull.close()
        push.close()
        fctx.term()
    run(main())


def test_eventloop_future_poller_waits_by_default(ctx):
    """Poller.poll()'s default timeout (-1) waits until an event."""
    async def main():
        fctx = future.Context()
        pull, push = fctx.socket(zmq.PULL), fctx.socket(zmq.PUSH)
        pull.linger = push.linger = 0
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
        poller = future.Poller()
        poller.register(pull, zmq.POLLIN)
        polled = poller.poll()
        await push.send(b"x")
        assert await asyncio.wait_for(polled, WAIT_S) == [(pull, zmq.POLLIN)]
        assert await poller.poll(None) == [(pull, zmq.POLLIN)]
        pull.close()
        push.close()
        fctx.term()
    run(main())


@zmqx_only  # pyzmq's Future.cancel() takes no msg, so Task.cancel() fails on it
def test_eventloop_future_cancelling_the_awaiting_task(ctx):
    """Its CancelledError is also asyncio's: a Task awaiting a call ends
    cancelled when cancelled, wait_for and asyncio.timeout raise TimeoutError,
    and the cancelled calls took no message; Context(io_loop=...) warns as
    pyzmq's does."""
    with pytest.warns(DeprecationWarning):
        future.Context(io_loop=object()).term()

    async def main():
        fctx = future.Context()
        pull, push = fctx.socket(zmq.PULL), fctx.socket(zmq.PUSH)
        pull.linger = push.linger = 0
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")

        async def receive():
            return await pull.recv()

        task = asyncio.ensure_future(receive())
        for _ in range(3):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()
        await push.send(b"kept")
        assert await asyncio.wait_for(pull.recv(), WAIT_S) == b"kept"
        with pytest.raises(asyncio.TimeoutError):  # not CancelledError (pyzmq's quirk)
            await asyncio.wait_for(pull.recv(), 0.01)
        if hasattr(asyncio, "timeout"):  # Python 3.11+
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.01):
                    await pull.recv()
        await push.send(b"still there")
        assert await asyncio.wait_for(pull.recv(), WAIT_S) == b"still there"
        pull.close()
        push.close()
        fctx.term()
@zmqx_only  # pyzmq's stream misses the message
@pytest.mark.parametrize("call", ["connect", "bind"])
def test_bind_and_connect_on_a_receiving_stream(ctx, call):
    """The stream's bind and connect process the socket's pending commands
    (draining ZMQ_FD): a message that arrived just before still reaches
    the callback."""
    async def main():
        a, b = ctx.socket(zmq.DEALER), ctx.socket(zmq.DEALER)
        a.linger = b.linger = 0
        a.bind(f"inproc://stream-{call}")
        b.connect(f"inproc://stream-{call}")
        stream, got = ZMQStream(b), Collector()
        stream.on_recv(got)  # nothing there yet
        a.send(b"x")  # a command for b, signalling its fd
        getattr(stream, call)(f"inproc://stream-{call}-elsewhere")  # processes it
        assert await got.wait(1) == [[b"x"]]
        stream.close()
        a.close()
    run(main())
