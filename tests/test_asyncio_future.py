# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.asyncio's Future contract, as pyzmq's zmq.asyncio keeps it: every
awaited call returns an asyncio future (done at once or pending), which
asyncio's combinators accept, on the default loop and uvloop; cancelling a
pending recv takes no message; closing the socket cancels what is pending.

Messages carry sequence numbers, so a loss or a duplicate shows.  Every wait
is bounded (asyncio.wait_for, or ``run``'s overall bound).
"""
import asyncio
import contextvars
import inspect
import json
import random
import warnings

import pytest

pytest.register_assert_rewrite("_aio")  # it asserts too: before it is imported

from _aio import WAIT_S, aio, assert_loop_clean, assert_no_waiters, settle  # noqa: E402
from _backend import IS_ZMQX, zmq  # noqa: E402

pytest_plugins = ("_aio",)  # fixtures: run (per loop kind), actx, apair

FUTURE_METHODS = ("done", "result", "exception", "cancel", "cancelled", "add_done_callback",
                  "remove_done_callback", "get_loop", "__await__")


def assert_future(fut, loop):
    assert asyncio.isfuture(fut), fut
    assert not asyncio.iscoroutine(fut)
    for name in FUTURE_METHODS:
        assert callable(getattr(fut, name)), name
    assert fut.get_loop() is loop


def sends(a):
    """Every sending call, each a thunk returning what the call returns."""
    calls = [lambda: a.send(b"1"), lambda: a.send_multipart([b"2", b"3"]),
             lambda: a.send_string("4"), lambda: a.send_json({"n": 5}),
             lambda: a.send_pyobj(6), lambda: a.send_serialized(7, lambda m: [b"%d" % m])]
    if hasattr(a, "send_many"):
        calls.append(lambda: a.send_many([b"8", [b"9", b"10"]]))
    return calls


def recvs(b):
    """Every receiving call, with the result the messages of ``sends`` give it."""
    buf = bytearray(8)
    calls = [(lambda: b.recv(), b"1"), (lambda: b.recv_multipart(), [b"2", b"3"]),
             (lambda: b.recv_string(), "4"), (lambda: b.recv_json(), {"n": 5}),
             (lambda: b.recv_pyobj(), 6),
             (lambda: b.recv_serialized(lambda fs: int(fs[0])), 7)]
    if hasattr(b, "recv_many"):
        calls.append((lambda: b.recv_many(10), [b"8", [b"9", b"10"]]))
    calls.append((lambda: b.recv_into(buf), 2))  # fed b"11" below
    return calls


def test_every_call_returns_a_future_done_at_once_or_pending(run, apair):
    async def main():
        loop = asyncio.get_running_loop()
        a, b = apair(zmq.PUSH, zmq.PULL)
        for call in sends(a):
            fut = call()
            assert_future(fut, loop)
            await asyncio.wait_for(fut, WAIT_S)
        for call, expected in recvs(b):
            if expected == 2:  # recv_into's
                await a.send(b"11")
            fut = call()
            assert_future(fut, loop)
            assert await asyncio.wait_for(fut, WAIT_S) == expected
        # the same calls, pending: nothing is queued yet
        for call, expected in recvs(b):
            fut = call()
            assert_future(fut, loop)
            await settle()
            assert not fut.done()
            fut.cancel()
        for fut in (b.poll(), b.poll(int(WAIT_S * 1000))):
            assert_future(fut, loop)
            assert not fut.done()
            fut.cancel()
        assert_future(b.poll(0), loop)
        poller = aio.Poller()
        poller.register(b, zmq.POLLIN)
        for fut in (poller.poll(), poller.poll(0)):
            assert_future(fut, loop)
            fut.cancel()
        await settle()
        assert_no_waiters(a, b)
        assert_loop_clean(loop)

    run(main())


def test_done_future_protocol(run, apair):
    """A call that completed at once: done, not cancellable, callbacks run
    soon (on the loop, not inside add_done_callback), as asyncio does."""
    async def main():
        loop = asyncio.get_running_loop()
        a, b = apair()
        await a.send(b"x")
        fut = b.recv()
        assert fut.done() and not fut.cancelled()
        assert fut.result() == b"x" and fut.exception() is None
        assert fut.cancel() is False and not fut.cancelled()
        seen = []
        var = contextvars.ContextVar("var", default="unset")
        ctx = contextvars.copy_context()
        ctx.run(var.set, "in ctx")
        fut.add_done_callback(lambda f: seen.append((f, var.get())), context=ctx)
        fut.add_done_callback(seen.append)
        assert seen == []  # scheduled, not called
        assert fut.remove_done_callback(seen.append) == 0  # already scheduled
        await settle()
        assert seen == [(fut, "in ctx"), fut]
        failed = b.recv(zmq.NOBLOCK)  # nothing queued: Again, in the future
        assert failed.done() and isinstance(failed.exception(), zmq.Again)
        with pytest.raises(zmq.Again):
            failed.result()
        with pytest.raises(zmq.Again):
            await failed
        assert await a.poll(0, zmq.POLLOUT) == zmq.POLLOUT
        await settle()
        assert_loop_clean(loop)

    run(main())


@pytest.mark.zmqx_only
def test_done_future_gives_results_of_every_shape(run):
    """Awaiting a _DoneFuture hands back any result as is (a tuple is not
    unpacked into StopIteration's args, an exception object is not raised),
    and raises its exception."""
    from zmqx._zmq import _DoneFuture
    error = ValueError("a result, not raised")

    async def main():
        for value in (None, b"x", (1, 2), (), [3], error, 0):
            fut = _DoneFuture(value)
            assert await fut is value and fut.result() is value
            with pytest.raises(StopIteration) as stop:
                next(_yield_from(fut))
            assert stop.value.value is value
        failed = _DoneFuture(None, KeyError("k"))
        with pytest.raises(KeyError):
            await failed
        assert isinstance(failed.exception(), KeyError)

    run(main())


def _yield_from(fut):
    return (yield from fut)


def test_pending_future_protocol(run, apair):
    async def main():
        a, b = apair()
        fut = b.recv()
        await settle()
        assert not fut.done() and not fut.cancelled()
        with pytest.raises(asyncio.InvalidStateError):
            fut.result()
        seen = []
        fut.add_done_callback(seen.append)
        fut.add_done_callback(print)
        assert fut.remove_done_callback(print) == 1
        assert fut.cancel() and fut.cancelled() and fut.done()
        with pytest.raises(asyncio.CancelledError):
            fut.exception()
        await settle()
        assert seen == [fut]
        fut = b.recv()
        await a.send(b"y")
        assert await asyncio.wait_for(fut, WAIT_S) == b"y"
        assert_no_waiters(a, b)

    run(main())


def test_ready_calls_never_go_through_the_loop(run, apair):
    """Awaiting calls that complete at once does not yield to the loop: a
    callback scheduled before them has not run after 1,000 of them."""
    async def main():
        a, b = apair()
        ran = []
        asyncio.get_running_loop().call_soon(ran.append, 1)
        for i in range(1000):
            await a.send(b"%d" % i)
            assert await b.recv() == b"%d" % i
        assert ran == []
        await settle()
        assert ran == [1]

    if not IS_ZMQX:
        pytest.skip("pyzmq's done futures go through the loop")
    run(main())


def test_asyncio_combinators(run, apair):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL)
        # gather: done and pending futures, in order
        await a.send(b"0")
        pending = [b.recv(), b.recv()]
        assert not pending[1].done()
        sender = asyncio.ensure_future(_send_later(a, [b"1"]))
        got = await asyncio.wait_for(asyncio.gather(*pending), WAIT_S)
        assert got == [b"0", b"1"]
        await sender
        # ensure_future and shield give a done future back as is
        fut = a.send(b"2")
        assert asyncio.ensure_future(fut) is fut
        assert asyncio.shield(fut) is fut
        # wait: FIRST_COMPLETED, then the rest
        r1, r2 = b.recv(), b.recv_multipart()
        done, waiting = await asyncio.wait([r1, r2], timeout=WAIT_S,
                                           return_when=asyncio.FIRST_COMPLETED)
        assert done == {r1} and waiting == {r2} and r1.result() == b"2"
        await a.send_multipart([b"3", b"4"])
        done, waiting = await asyncio.wait([r2], timeout=WAIT_S)
        assert r2.result() == [b"3", b"4"] and not waiting
        # wait_for: a pending recv that times out is cancelled, takes nothing
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(b.recv(), 0.01)
        await a.send(b"5")
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"5"
        # shield: cancelling the outer leaves the inner recv pending, then settled
        inner = b.recv()
        outer = asyncio.shield(inner)
        outer.cancel()
        await settle()
        assert not inner.done()
        await a.send(b"6")
        assert await asyncio.wait_for(inner, WAIT_S) == b"6"
        # as_completed over done and pending
        await a.send(b"7")
        futs = [b.recv(), b.recv()]
        asyncio.ensure_future(_send_later(a, [b"8"]))
        got = [await f for f in asyncio.as_completed(futs, timeout=WAIT_S)]
        assert got == [b"7", b"8"]
        assert_no_waiters(a, b)

    run(main())


async def _send_later(sock, messages):
    await settle()
    for m in messages:
        await sock.send(m)


@pytest.mark.zmqx_only  # pyzmq: "RuntimeWarning: ... A message has been dropped!"
def test_cancellation_storm_every_kind_loses_nothing(run, apair):
    """Pending receives of every kind, most cancelled -- directly, by
    wait_for's timeout, or by gather's cancellation -- while sequence-numbered
    messages flow.  The futures not cancelled get the messages in order:
    every message once.  (pyzmq decodes in a second future chained to the
    recv's, and drops the message when the second is cancelled in between.)"""
    rng = random.Random(12)
    total = 1500

    def kinds(b):
        """(call, what its result decodes to: the sequence number)"""
        return [
            (b.recv, json.loads),
            (b.recv_multipart, lambda parts: json.loads(parts[0])),
            (b.recv_string, json.loads),
            (b.recv_json, lambda n: n),
        ]

    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL)
        sent, futures = 0, []
        calls = kinds(b)
        while sent < total:
            batch = [rng.choice(calls) for _ in range(rng.randrange(1, 40))]
            batch = [(call(), decode) for call, decode in batch]
            futures += batch
            for fut, _ in batch:
                if rng.random() < 0.6:
                    fut.cancel()
            for _ in range(rng.randrange(0, 15)):
                if sent < total:
                    await a.send(json.dumps(sent).encode())
                    sent += 1
            if rng.random() < 0.3:
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(b.recv(), 0)
            if rng.random() < 0.2:
                await settle()
        # every message is in a future by now (inproc delivers at once); the
        # futures still pending are behind the last, and now cancelled
        await settle()
        for fut, _ in futures:
            fut.cancel()
        await settle()
        assert await b.poll(0) == 0
        got = [decode(f.result()) for f, decode in futures if f.done() and not f.cancelled()]
        assert got == list(range(total))
        assert_no_waiters(a, b)
        assert_loop_clean(asyncio.get_running_loop())

    run(main(), timeout=120)


def test_cancelled_sends_send_nothing(run, apair):
    """Queued sends behind a full pipe, some cancelled: exactly the sends not
    cancelled arrive, once each, in order; every one of them is done."""
    rng = random.Random(5)
    total = 600

    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, sndhwm=1, rcvhwm=1)
        futures = [(i, a.send(b"%d" % i)) for i in range(total)]
        assert not futures[-1][1].done()  # the pipe filled long before
        cancelled = set()
        for i, fut in futures:
            if rng.random() < 0.5 and fut.cancel():
                cancelled.add(i)
        got = []
        while len(got) < total - len(cancelled):
            got.append(int(await asyncio.wait_for(b.recv(), WAIT_S)))
        assert got == [i for i in range(total) if i not in cancelled]
        await settle()
        assert all(fut.done() and (i in cancelled) == fut.cancelled() for i, fut in futures)
        assert await b.poll(0) == 0
        assert_no_waiters(a, b)

    run(main())


def test_close_cancels_every_pending_kind(run, apair, actx):
    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL)
        poller = aio.Poller()
        poller.register(b, zmq.POLLIN)
        pending = [call() for call, _ in recvs(b)] + [b.poll(), poller.poll()]
        await settle()
        assert not any(f.done() for f in pending)
        b.close()
        if not IS_ZMQX:  # pyzmq leaves the futures of its decoding receives pending
            pending = [pending[i] for i in (0, 1, -3, -2, -1)]
        for fut in pending:
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(fut, WAIT_S)
        full = actx.socket(zmq.PUSH)
        full.linger = 0
        full.sndhwm = 1
        full.bind("inproc://aio-future-full")  # nobody connected: sends wait
        fut = full.send(b"x")
        await settle()
        assert not fut.done()
        full.close()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(fut, WAIT_S)

    run(main())


def test_module_names_of_pyzmq():
    assert aio.Future is asyncio.Future
    with pytest.warns(DeprecationWarning):
        assert aio.install() is None
    assert issubclass(aio.ZMQEventLoop, asyncio.SelectorEventLoop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        loop = aio.ZMQEventLoop()
    try:
        assert loop.run_until_complete(_answer()) == 42
    finally:
        loop.close()


async def _answer():
    return 42


def test_signatures_match_pyzmq():
    """Every public name of pyzmq's zmq.asyncio exists here, and every method
    pyzmq's asyncio classes define themselves (their Future-returning
    overrides) takes the same parameters here (names, kinds, defaults)."""
    zmq_asyncio = pytest.importorskip("zmq.asyncio")
    if not IS_ZMQX:
        pytest.skip("compares zmqx with pyzmq")
    public = [n for n in dir(zmq_asyncio) if not n.startswith("_")
              and not inspect.ismodule(getattr(zmq_asyncio, n))]
    missing = [n for n in public if not hasattr(aio, n)]
    assert missing == [] or set(missing) <= {"WeakKeyDictionary"}, missing
    mismatches, compared = [], 0
    for cls_name in ("Socket", "Context", "Poller"):
        ours, theirs = getattr(aio, cls_name), getattr(zmq_asyncio, cls_name)
        for name in dir(theirs):
            if name.startswith("_") and name != "__init__":
                continue
            owner = next(k for k in theirs.__mro__ if name in vars(k))
            if not owner.__module__.startswith(("zmq.asyncio", "zmq._future")):
                continue  # pyzmq's blocking API: compared by the compat test
            member = getattr(theirs, name)
            if not callable(member) or isinstance(member, type):
                continue
            assert hasattr(ours, name), (cls_name, name)
            mine, pyzmq = _params(getattr(ours, name)), _params(member)
            assert mine is not None, (cls_name, name)
            compared += 1
            if pyzmq is not None and mine[:len(pyzmq)] != pyzmq:
                mismatches.append((cls_name, name, mine, pyzmq))
    assert mismatches == []
    assert compared >= 12


def _params(func):
    """[(name, kind, default)] of ``func``'s named parameters (not self, **kwargs)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    return [(p.name, p.kind, p.default) for p in list(sig.parameters.values())[1:]
            if p.kind is not p.VAR_KEYWORD]
