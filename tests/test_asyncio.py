# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.asyncio: awaited sends, receives and polls, on the default loop and uvloop.

Load, cancellation storms and races are in test_asyncio_stress.py.
"""
import asyncio
import contextlib
import gc
import os
import sys
import threading

import pytest

pytest.register_assert_rewrite("_aio")  # it asserts too: before it is imported

from _aio import WAIT_S, aio, assert_loop_clean, assert_no_waiters, settle, uvloop  # noqa: E402
from _backend import IS_ZMQX, zmq  # noqa: E402

pytest_plugins = ("_aio",)  # fixtures: run (per loop kind), actx, apair

zmqx_only = pytest.mark.zmqx_only


def test_send_recv_every_kind(run, apair):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, transport="tcp")
        await a.send(b"one")
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"one"
        await a.send_multipart([b"1", b"2", b"3"])
        assert await b.recv_multipart() == [b"1", b"2", b"3"]
        await a.send_string("text")
        assert await b.recv_string() == "text"
        await a.send_json({"k": [1, 2]})
        assert await b.recv_json() == {"k": [1, 2]}
        await a.send_pyobj({1, 2})
        assert await b.recv_pyobj() == {1, 2}
        await a.send(b"frame")
        frame = await b.recv(copy=False)
        assert frame.bytes == b"frame"
        buf = bytearray(4)
        await a.send(b"truncated")
        assert await b.recv_into(buf) == 9 and buf == b"trun"
        await a.send_serialized({"x": 1}, lambda m: [repr(m).encode()])
        assert await b.recv_serialized(lambda fs: fs[0]) == b"{'x': 1}"
        assert_no_waiters(a, b)

    run(main())


def test_req_rep_service(run, apair):
    async def server(rep):
        for _ in range(20):
            request = await rep.recv_string()
            await rep.send_string(request.upper())

    async def main():
        rep, req = apair(zmq.REP, zmq.REQ, transport="tcp")
        task = asyncio.ensure_future(server(rep))
        for i in range(20):
            await req.send_string(f"hello {i}")
            assert await asyncio.wait_for(req.recv_string(), WAIT_S) == f"HELLO {i}"
        await asyncio.wait_for(task, WAIT_S)

    run(main())


@zmqx_only
def test_ready_call_completes_without_suspending(actx, apair):
    """A call that can go at once returns a future done from birth: awaiting
    it finishes on the first step, with no loop (none is running here)."""
    a, b = apair()
    for fut in (a.send(b"x"), a.send_multipart([b"y", b"z"])):
        assert asyncio.isfuture(fut) and fut.done() and fut.result() is None
        with pytest.raises(StopIteration):
            fut.__await__().send(None)
    for fut, expected in ((b.recv(), b"x"), (b.recv_multipart(), [b"y", b"z"])):
        assert fut.done() and not fut.cancel() and not fut.cancelled()
        with pytest.raises(StopIteration) as stop:
            next(fut.__await__())
        assert stop.value.value == expected


def test_waiting_recv_is_woken(run, apair):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, transport="tcp")
        task = asyncio.ensure_future(b.recv())
        await settle()
        assert not task.done()
        await a.send(b"late")
        assert await asyncio.wait_for(task, WAIT_S) == b"late"
        assert_no_waiters(b)

    run(main())


def test_waiting_send_is_woken_when_the_peer_reads(run, apair):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, sndhwm=1, rcvhwm=1)
        sent = 0
        while True:  # fill both queues
            try:
                await a.send(b"%d" % sent, zmq.NOBLOCK)
            except zmq.Again:
                break
            sent += 1
        task = asyncio.ensure_future(a.send(b"%d" % sent))
        await settle()
        assert not task.done()
        got = [await asyncio.wait_for(b.recv(), WAIT_S) for _ in range(sent + 1)]
        await asyncio.wait_for(task, WAIT_S)
        assert got == [b"%d" % i for i in range(sent + 1)]

    run(main())


def test_timeouts_raise_again(run, apair):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, sndhwm=1, rcvhwm=1)
        b.rcvtimeo = 50
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(zmq.Again):
            await asyncio.wait_for(b.recv(), WAIT_S)
        assert 0.04 <= loop.time() - start < WAIT_S
        a.sndtimeo = 50
        with pytest.raises(zmq.Again):
            for _ in range(100):
                await asyncio.wait_for(a.send(b"x"), WAIT_S)
        b.rcvtimeo = 0  # 0: never wait
        await b.recv()
        while True:
            try:
                await b.recv()
            except zmq.Again:
                break
        assert_no_waiters(a, b)

    run(main())


def test_noblock_raises_at_once(run, apair):
    async def main():
        a, b = apair()
        with pytest.raises(zmq.Again):
            await b.recv(zmq.NOBLOCK)
        with pytest.raises(zmq.Again):
            await b.recv_multipart(zmq.NOBLOCK)
        assert_no_waiters(b)

    run(main())


def test_fifo_among_waiters(run, apair):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL)
        receivers = [asyncio.ensure_future(b.recv()) for _ in range(10)]
        await settle()
        for i in range(10):
            await a.send(b"%d" % i)
        got = await asyncio.wait_for(asyncio.gather(*receivers), WAIT_S)
        assert got == [b"%d" % i for i in range(10)]

    run(main())


def test_close_cancels_waiters(run, apair):
    async def main():
        a, b = apair()
        waiters = [asyncio.ensure_future(b.recv()), asyncio.ensure_future(b.poll())]
        await settle()
        b.close()
        for task in waiters:
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, WAIT_S)
        with pytest.raises(zmq.ZMQError) as e:
            await b.recv()
        assert e.value.errno == zmq.ENOTSOCK

    run(main())


@zmqx_only
def test_close_says_why(run, apair):
    async def main():
        a, b = apair()
        task = asyncio.ensure_future(b.recv())
        await settle()
        b.close()
        await asyncio.wait([task], timeout=WAIT_S)
        with pytest.raises(asyncio.CancelledError) as e:
            task.result()
        # recv() returns a Future (ensure_future keeps it), whose result() re-raises
        # CancelledError(CLOSED); where it is a Task (a coroutine-returning
        # binding), 3.10's Task.result() raises a new one chained to that one
        chained = isinstance(task, asyncio.Task) and sys.version_info < (3, 11)
        why = e.value.__context__ if chained else e.value
        assert aio.CLOSED in str(why)
        assert_loop_clean(asyncio.get_running_loop())

    run(main())


@zmqx_only
def test_context_term_wakes_waiters(run, actx):
    async def main():
        s = actx.socket(zmq.PULL)
        s.linger = 0
        task = asyncio.ensure_future(s.recv())
        await settle()
        term = threading.Thread(target=actx.term)
        term.start()
        with pytest.raises(zmq.ContextTerminated):
            await asyncio.wait_for(task, WAIT_S)
        s.close()
        await asyncio.get_running_loop().run_in_executor(None, term.join, WAIT_S)
        assert not term.is_alive()

    run(main())


def test_cancelled_recv_loses_nothing(run, apair):
    """A pending recv cancelled takes nothing; one whose message has come is
    done, and cancel() leaves it its message (False)."""
    async def main():
        a, b = apair()
        fut = b.recv()
        await settle()
        assert fut.cancel() and fut.cancelled()
        await a.send(b"keep me")
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"keep me"
        fut = b.recv()
        await settle()
        await a.send(b"mine")
        b.get(zmq.EVENTS)  # (pyzmq settles from its fd handler)
        await asyncio.wait([fut], timeout=WAIT_S)
        assert not fut.cancel() and fut.result() == b"mine"
        assert_no_waiters(b)

    run(main())


@zmqx_only
def test_async_context_managers(run):
    async def main():
        async with aio.Context() as ctx:
            async with ctx.socket(zmq.PAIR) as a:
                b = ctx.socket(zmq.PAIR)
                a.bind("inproc://acm")
                b.connect("inproc://acm")
                waiter = asyncio.ensure_future(b.recv())
                await settle()
            assert a.closed
        assert ctx.closed and b.closed
        with pytest.raises(asyncio.CancelledError):
            await waiter

    run(main())


def test_socket_poll(run, apair):
    async def main():
        a, b = apair()
        assert await b.poll(0) == 0
        assert await b.poll(30) == 0
        assert await a.poll(0, zmq.POLLOUT) == zmq.POLLOUT
        task = asyncio.ensure_future(b.poll(int(WAIT_S * 1000)))
        await settle()
        await a.send(b"x")
        assert await asyncio.wait_for(task, WAIT_S) == zmq.POLLIN
        assert await b.recv() == b"x"
        assert_no_waiters(a, b)
        assert_loop_clean(asyncio.get_running_loop())

    run(main())


def test_poller_sockets_and_fds(run, apair, actx):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL)
        c, d = apair()
        blocking = zmq.Socket(actx, zmq.PULL)
        blocking.linger = 0
        blocking.bind("inproc://aio-blocking")
        feeder = actx.socket(zmq.PUSH)
        feeder.connect("inproc://aio-blocking")
        r, w = os.pipe()
        try:
            poller = aio.Poller()
            for obj, flags in ((b, zmq.POLLIN), (d, zmq.POLLIN), (blocking, zmq.POLLIN),
                               (r, zmq.POLLIN)):
                poller.register(obj, flags)
            assert await poller.poll(0) == []
            assert await poller.poll(20) == []
            task = asyncio.ensure_future(poller.poll())
            await settle()
            await a.send(b"x")
            assert await asyncio.wait_for(task, WAIT_S) == [(b, zmq.POLLIN)]
            await c.send(b"y")
            await feeder.send(b"z")
            os.write(w, b"!")
            ready = await asyncio.wait_for(poller.poll(int(WAIT_S * 1000)), WAIT_S)
            while len(ready) < 4:  # inproc delivery is immediate; the pipe too
                ready = await asyncio.wait_for(poller.poll(int(WAIT_S * 1000)), WAIT_S)
            assert ready == [(b, zmq.POLLIN), (d, zmq.POLLIN), (blocking, zmq.POLLIN),
                             (r, zmq.POLLIN)]
            poller.unregister(b)
            poller.modify(d, 0)
            assert [s for s, _ in await poller.poll(0)] == [blocking, r]
            assert_no_waiters(a, b, c, d)
            assert_loop_clean(asyncio.get_running_loop())
        finally:
            os.close(r)
            os.close(w)

    run(main())


def test_events_reads_events_and_iterates_the_monitor(run, actx):
    async def main():
        server = actx.socket(zmq.REP)
        server.linger = 0
        assert server.events & zmq.POLLOUT == 0 and server.events & zmq.POLLIN == 0
        seen = []
        async with contextlib.AsyncExitStack() as stack:
            events = server.events()
            stack.push_async_callback(events.aclose)
            server.bind("tcp://127.0.0.1:0")
            client = actx.socket(zmq.REQ)
            client.linger = 0
            client.connect(server.get_string(zmq.LAST_ENDPOINT))
            while zmq.EVENT_HANDSHAKE_SUCCEEDED not in seen:
                event = await asyncio.wait_for(events.__anext__(), WAIT_S)
                assert isinstance(event.endpoint, str)
                seen.append(event.event)
            assert seen[0] == zmq.EVENT_LISTENING and zmq.EVENT_ACCEPTED in seen
            server.close()
            async for event in events:  # ends with MONITOR_STOPPED
                seen.append(event.event)
        assert seen[-1] == zmq.EVENT_MONITOR_STOPPED

    if IS_ZMQX:
        run(main())
    else:
        pytest.skip("sock.events() is zmqx's")


def test_batches(run, apair):
    if not hasattr(aio.Socket, "recv_many"):
        pytest.skip("no batch API")

    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, sndhwm=10, rcvhwm=10)
        assert await b.recv_many(10, 0) == []
        assert await b.recv_many(10, 20) == []
        messages = [b"%d" % i for i in range(300)] + [[b"a", b"b"]]
        sender = asyncio.ensure_future(a.send_many(messages))
        got = []
        while len(got) < len(messages):
            got += await asyncio.wait_for(b.recv_many(50), WAIT_S)
        assert await asyncio.wait_for(sender, WAIT_S) == len(messages)
        assert got == messages
        assert_no_waiters(a, b)

    run(main())


@zmqx_only
def test_no_add_reader_names_the_fix(apair):
    class ProactorLike(asyncio.SelectorEventLoop):
        def add_reader(self, fd, callback, *args):
            raise NotImplementedError

    a, b = apair()
    loop = ProactorLike()
    try:
        with pytest.raises(RuntimeError, match="WindowsSelectorEventLoopPolicy"):
            loop.run_until_complete(asyncio.wait_for(_awaited(b.recv), WAIT_S))
    finally:
        loop.close()


async def _awaited(call, *args):
    """``await call(*args)``, called on the running loop."""
    return await call(*args)


def test_socket_moves_between_loops(run, apair):
    a, b = apair()
    for _ in range(3):
        async def main():
            task = asyncio.ensure_future(b.recv())
            await settle()
            await a.send(b"x")
            assert await asyncio.wait_for(task, WAIT_S) == b"x"
        run(main())


@zmqx_only
def test_dropped_socket_unregisters(run, actx):
    async def main():
        s = actx.socket(zmq.PULL)
        fd = s.fileno()
        with pytest.raises(zmq.Again):
            s.rcvtimeo = 1
            await s.recv()
        loop = asyncio.get_running_loop()
        if isinstance(loop, asyncio.BaseEventLoop):
            assert fd in loop._selector.get_map()
        del s
        await settle()  # the loop lets go of the timed-out call's frames
        gc.collect()
        if isinstance(loop, asyncio.BaseEventLoop):
            assert fd not in loop._selector.get_map()
        # the fd number is free for a new socket to register
        t = actx.socket(zmq.PULL)
        t.rcvtimeo = 1
        with pytest.raises(zmq.Again):
            await t.recv()
        t.close()

    run(main())


def test_from_socket_shares_the_socket(run, actx):
    async def main():
        blocking = zmq.Socket(actx, zmq.PAIR)
        blocking.linger = 0
        blocking.bind("inproc://aio-shared")
        peer = actx.socket(zmq.PAIR)
        peer.connect("inproc://aio-shared")
        view = aio.Socket.from_socket(blocking)
        task = asyncio.ensure_future(view.recv())
        await settle()
        await peer.send(b"x")
        assert await asyncio.wait_for(task, WAIT_S) == b"x"
        view.close()
        if IS_ZMQX:  # a view never closes what it shadows (pyzmq's does)
            assert not blocking.closed
        blocking.close()

    run(main())


@zmqx_only
@pytest.mark.skipif(uvloop is None, reason="uvloop is not installed")
def test_runs_under_uvloop_policy():
    """The way most programs pick uvloop: its policy, then asyncio.run."""
    async def main():
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
        async with aio.Context() as ctx:
            a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
            a.bind("inproc://aio-uvloop-policy")
            b.connect("inproc://aio-uvloop-policy")
            task = asyncio.ensure_future(b.recv())
            await settle()
            await a.send(b"uv")
            return await asyncio.wait_for(task, WAIT_S)

    old = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        assert asyncio.run(main()) == b"uv"
    finally:
        asyncio.set_event_loop_policy(old)
