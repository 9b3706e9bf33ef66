# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.anyio: awaited sockets under anyio, each test on the asyncio and the
trio backend, over real sockets.  Every run is bounded by anyio.fail_after."""
import os

import pytest

anyio = pytest.importorskip("anyio")

from _backend import IS_ZMQX  # noqa: E402

pytestmark = pytest.mark.zmqx_only
if IS_ZMQX:
    import zmqx as zmq
    from zmqx import anyio as za

BACKENDS = ["asyncio"] + (["trio"] if __import__("importlib.util").util.find_spec("trio")
                          else [])
WAIT_S = 5.0


@pytest.fixture(params=BACKENDS)
def run(request):
    def runner(main, *args):
        async def bounded():
            with anyio.fail_after(WAIT_S):
                return await main(*args)
        return anyio.run(bounded, backend=request.param)
    return runner


@pytest.fixture
def actx():
    ctx = za.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def apair(actx):
    def make(a_type, b_type):
        a, b = actx.socket(a_type), actx.socket(b_type)
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        return a, b
    return make


def test_every_kind_of_message(run, apair):
    async def main():
        pull, push = apair(zmq.PULL, zmq.PUSH)
        await push.send(b"one")
        assert await pull.recv() == b"one"
        await push.send_multipart([b"a", b"b"])
        assert await pull.recv_multipart() == [b"a", b"b"]
        await push.send_string("s")
        assert await pull.recv_string() == "s"
        await push.send_json({"k": 1})
        assert await pull.recv_json() == {"k": 1}
        await push.send_pyobj((1, 2))
        assert await pull.recv_pyobj() == (1, 2)
        await push.send(b"frame")
        assert (await pull.recv(copy=False)).bytes == b"frame"
        buf = bytearray(3)
        await push.send(b"truncated")
        assert await pull.recv_into(buf) == 9 and buf == b"tru"
        assert await push.send_many([b"1", [b"2", b"3"]]) == 2
        got = []
        while len(got) < 2:
            got += await pull.recv_many(10, timeout=int(WAIT_S * 1000))
        assert got == [b"1", [b"2", b"3"]]
        assert await pull.recv_many(10, timeout=0) == []
    run(main)


def test_ready_call_completes_without_a_checkpoint(apair):
    """A call that can complete now returns on the first send() of its
    coroutine: no suspension, no trip through the loop."""
    pull, push = apair(zmq.PAIR, zmq.PAIR)
    coro = push.send(b"now")
    with pytest.raises(StopIteration):
        coro.send(None)
    assert zmq.Socket.poll(pull, int(WAIT_S * 1000)) == zmq.POLLIN  # the blocking poll
    coro = pull.recv()
    with pytest.raises(StopIteration) as done:
        coro.send(None)
    assert done.value.value == b"now"


def test_ordering_under_concurrent_tasks(run, apair):
    async def main():
        pull, push = apair(zmq.PULL, zmq.PUSH)
        push.sndhwm = pull.rcvhwm = 10
        senders, per = 4, 300
        got = []

        async def send(k):
            for i in range(per):
                await push.send_multipart([b"%d" % k, b"%d" % i])

        async def recv():
            while len(got) < senders * per:
                with anyio.move_on_after(0.5):
                    got.append(await pull.recv_multipart())

        async with anyio.create_task_group() as tg:
            for k in range(senders):
                tg.start_soon(send, k)
            for _ in range(3):
                tg.start_soon(recv)
        assert len(got) == senders * per
        for k in range(senders):
            assert [int(i) for s, i in got if int(s) == k] == list(range(per))
    run(main)


def test_cancel_scopes_take_no_message(run, apair):
    """Receivers cancelled over and over (move_on_after, fail_after, a task
    group cancelled) while numbered messages arrive: nothing lost or doubled."""
    async def main():
        pull, push = apair(zmq.PULL, zmq.PUSH)
        got, total = [], 300

        async def sender():
            for i in range(total):
                await push.send(b"%d" % i)
                if i % 5 == 0:
                    await anyio.sleep(0)

        async with anyio.create_task_group() as tg:
            tg.start_soon(sender)
            n = 0
            while len(got) < total:
                n += 1
                if n % 3 == 0:
                    try:
                        with anyio.fail_after(0.0005):
                            got.append(int(await pull.recv()))
                    except TimeoutError:
                        pass
                elif n % 3 == 1:
                    with anyio.move_on_after(0.0005):
                        got.append(int(await pull.recv()))
                else:
                    async with anyio.create_task_group() as inner:
                        async def one():
                            got.append(int(await pull.recv()))
                        inner.start_soon(one)
                        await anyio.sleep(0.0005)
                        inner.cancel_scope.cancel()
        assert got == list(range(total))
    run(main)


def test_rcvtimeo_sndtimeo_and_noblock(run, actx):
    async def main():
        pull = actx.socket(zmq.PULL)
        pull.bind("inproc://timeo")
        pull.rcvtimeo = 30
        with pytest.raises(zmq.Again):
            await pull.recv()
        with pytest.raises(zmq.Again):
            await pull.recv(zmq.NOBLOCK)
        lone = actx.socket(zmq.PUSH)
        lone.sndtimeo = 30
        with pytest.raises(zmq.Again):
            await lone.send(b"x")
        assert await pull.poll(20) == 0
        lone.close(linger=0)
    run(main)


def test_close_while_a_call_waits(run, apair):
    async def main():
        pull, _ = apair(zmq.PULL, zmq.PUSH)
        errors = []

        async def waiter():
            try:
                await pull.recv()
            except zmq.ZMQError as e:
                errors.append(e.errno)

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            tg.start_soon(waiter)
            await anyio.sleep(0.02)
            pull.close()
        assert errors == [zmq.ENOTSOCK] * 2
    run(main)


def test_two_directions_on_one_socket(run, apair):
    async def main():
        router, dealer = apair(zmq.ROUTER, zmq.DEALER)

        async def server():
            for _ in range(200):
                await router.send_multipart(await router.recv_multipart())

        got = []

        async def client_rx():
            for _ in range(200):
                got.append(await dealer.recv())

        async with anyio.create_task_group() as tg:
            tg.start_soon(server)
            tg.start_soon(client_rx)
            for i in range(200):
                await dealer.send(b"%d" % i)
                await anyio.sleep(0)
        assert got == [b"%d" % i for i in range(200)]
    run(main)


def test_req_rep_echo_service(run, apair):
    async def main():
        rep, req = apair(zmq.REP, zmq.REQ)

        async def server():
            while True:
                await rep.send(((await rep.recv()).upper()))

        async with anyio.create_task_group() as tg:
            tg.start_soon(server)
            for i in range(50):
                await req.send(b"hello %d" % i)
                assert await req.recv() == b"HELLO %d" % i
            tg.cancel_scope.cancel()
    run(main)


def test_pub_sub_fan_out(run, actx):
    async def main():
        pub = actx.socket(zmq.PUB)
        port = pub.bind_to_random_port("tcp://127.0.0.1")
        subs = []
        for _ in range(3):
            s = actx.socket(zmq.SUB)
            s.subscribe(b"")
            s.connect(f"tcp://127.0.0.1:{port}")
            subs.append(s)
        seen = set()
        while len(seen) < 3:  # every subscription has reached the PUB
            await pub.send(b"probe")
            for i, s in enumerate(subs):
                if await s.poll(10):
                    await s.recv()
                    seen.add(i)
        results = {}

        async def sub_rx(i, s):
            out = []
            while (m := await s.recv()) != b"end":
                if m != b"probe":
                    out.append(int(m))
            results[i] = out

        async with anyio.create_task_group() as tg:
            for i, s in enumerate(subs):
                tg.start_soon(sub_rx, i, s)
            for i in range(100):
                await pub.send(b"%d" % i)
            await pub.send(b"end")
        assert results == {i: list(range(100)) for i in range(3)}
    run(main)


def test_poller_sockets_and_fds(run, apair):
    async def main():
        pull, push = apair(zmq.PULL, zmq.PUSH)
        plain = zmq.Context.instance().socket(zmq.PULL)
        plain.bind("inproc://anyio-poller-plain")
        feeder = zmq.Context.instance().socket(zmq.PUSH)
        feeder.connect("inproc://anyio-poller-plain")
        r, w = os.pipe()
        poller = za.Poller()
        for obj in (pull, plain, r):
            poller.register(obj, zmq.POLLIN)
        assert await poller.poll(0) == []
        assert await poller.poll(20) == []

        async def later(call, *args):
            await anyio.sleep(0.01)
            call(*args)

        async with anyio.create_task_group() as tg:
            tg.start_soon(later, os.write, w, b"!")
            assert await poller.poll(int(WAIT_S * 1000)) == [(r, zmq.POLLIN)]
        os.read(r, 1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(later, feeder.send, b"plain")
            assert await poller.poll(int(WAIT_S * 1000)) == [(plain, zmq.POLLIN)]
        assert plain.recv() == b"plain"
        async with anyio.create_task_group() as tg:
            tg.start_soon(push.send, b"x")
            assert await poller.poll(int(WAIT_S * 1000)) == [(pull, zmq.POLLIN)]
        assert await pull.recv() == b"x"
        for fd in (r, w):
            os.close(fd)
        plain.close()
        feeder.close()
    run(main)


def test_context_manager_closes_sockets(run):
    async def main():
        async with za.Context() as ctx:
            s = ctx.socket(zmq.PAIR)
            async with ctx.socket(zmq.PAIR) as t:
                pass
            assert t.closed
        assert s.closed and ctx.closed
    run(main)


def test_from_socket_shares_the_socket(run, actx):
    async def main():
        plain = zmq.Context.instance().socket(zmq.PAIR)
        plain.bind("inproc://anyio-from-socket")
        other = zmq.Context.instance().socket(zmq.PAIR)
        other.connect("inproc://anyio-from-socket")
        view = za.Socket.from_socket(plain)
        other.send(b"via view")
        assert await view.recv() == b"via view"
        other.close()
        plain.close()
    run(main)


def test_refused_send_waits_without_spinning(run, actx):
    """A ROUTER_MANDATORY send to a full peer gets EAGAIN while EVENTS says
    POLLOUT (another peer has room): the sender waits for the fd until
    SNDTIMEO while other tasks keep running."""
    async def main():
        router = actx.socket(zmq.ROUTER)
        router.router_mandatory = 1
        router.sndhwm = 1
        router.bind("inproc://anyio-refused")
        peers = []  # kept open
        for name in (b"full", b"free"):
            d = actx.socket(zmq.DEALER)
            peers.append(d)
            d.identity, d.rcvhwm = name, 1
            d.connect("inproc://anyio-refused")
            await d.send(b"hi")
        for _ in range(2):
            await router.recv_multipart()
        with pytest.raises(zmq.Again):
            for _ in range(100_000):
                await router.send_multipart([b"full", b"x" * 1000], zmq.NOBLOCK)
        assert await router.poll(0, zmq.POLLOUT)
        router.sndtimeo = 200
        ticks = []

        async def ticker():
            while True:
                ticks.append(1)
                await anyio.sleep(0.01)

        async with anyio.create_task_group() as tg:
            tg.start_soon(ticker)
            with pytest.raises(zmq.Again):
                await router.send_multipart([b"full", b"y"])
            tg.cancel_scope.cancel()
        assert 5 <= len(ticks) <= 60
    run(main)


@pytest.mark.parametrize("how", ["recv", "poll"])
def test_a_call_that_drains_the_fd_wakes_waiters(run, actx, how):
    """A NOBLOCK recv that fails, or a poll(0), processes libzmq's pending
    commands (draining ZMQ_FD): a task waiting to send on that socket must
    hear that it became writable."""
    async def main():
        a, b = actx.socket(zmq.DEALER), actx.socket(zmq.DEALER)
        a.sndhwm = a.rcvhwm = b.sndhwm = b.rcvhwm = 1
        a.bind(f"inproc://anyio-drain-{how}")
        b.connect(f"inproc://anyio-drain-{how}")
        with pytest.raises(zmq.Again):
            for _ in range(100):
                await b.send(b"fill", zmq.NOBLOCK)
        async with anyio.create_task_group() as tg:
            tg.start_soon(b.send, b"last")
            await anyio.wait_all_tasks_blocked()  # the sender waits for room
            await a.recv(zmq.NOBLOCK)  # room again: a command for b, signalling its fd
            if how == "recv":
                with pytest.raises(zmq.Again):
                    await b.recv(zmq.NOBLOCK)  # processes that command
            else:
                assert await b.poll(0, zmq.POLLIN) == 0  # so does reading EVENTS
    run(main)


@pytest.mark.parametrize("call", ["connect", "bind"])
def test_bind_and_connect_wake_waiters(run, actx, call):
    """bind and connect process the socket's pending commands (draining
    ZMQ_FD): a task waiting to receive must still hear that a message
    arrived."""
    async def main():
        a, b = actx.socket(zmq.DEALER), actx.socket(zmq.DEALER)
        a.bind(f"inproc://anyio-{call}")
        b.connect(f"inproc://anyio-{call}")
        async with anyio.create_task_group() as tg:
            tg.start_soon(b.recv)
            await anyio.wait_all_tasks_blocked()  # the receiver waits
            await a.send(b"x")  # a command for b, signalling its fd
            getattr(b, call)(f"inproc://anyio-{call}-elsewhere")  # processes it
    run(main)
