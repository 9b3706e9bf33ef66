# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.asyncio under load: many waiters on one socket, cancellation storms,
edge-trigger races with other threads, and a long always-busy run.

Messages carry sequence numbers, so a loss or a duplicate shows.  Every wait
is bounded (asyncio.wait_for, or ``run``'s overall bound).
"""
import asyncio
import random
import struct
import threading
import time

import pytest

pytest.register_assert_rewrite("_aio")  # it asserts too: before it is imported

from _aio import WAIT_S, assert_loop_clean, assert_no_waiters, settle  # noqa: E402
from _backend import IS_ZMQX, rss_bytes, zmq  # noqa: E402

pytest_plugins = ("_aio",)  # fixtures: run (per loop kind), actx, apair

SEQ = struct.Struct("!II")  # (sender id, sequence number)


def registered(loop, fd):
    """Whether ``fd`` has a reader on the default loop (None: cannot tell)."""
    if not isinstance(loop, asyncio.BaseEventLoop):
        return None
    return fd in loop._selector.get_map()


async def drain(sock):
    """Every message already queued on ``sock``."""
    out = []
    while True:
        try:
            out.append(await sock.recv(zmq.NOBLOCK))
        except zmq.Again:
            return out


def test_many_senders_and_receivers_on_one_socket(run, apair):
    """20 sender tasks share one PUSH, 20 receivers one PULL; tiny HWMs make
    both sides wait.  Every message arrives once, each sender's in order."""
    senders, per_sender = 20, 300

    async def send_all(a, sid):
        for seq in range(per_sender):
            await a.send(SEQ.pack(sid, seq))

    async def receive(b, log, quota):
        for _ in range(quota):
            log.append(SEQ.unpack(await b.recv()))  # appended the moment it is taken

    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, sndhwm=2, rcvhwm=2)
        log = []
        tasks = [asyncio.ensure_future(receive(b, log, per_sender)) for _ in range(senders)]
        tasks += [asyncio.ensure_future(send_all(a, sid)) for sid in range(senders)]
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
        assert sorted(log) == [(s, q) for s in range(senders) for q in range(per_sender)]
        if IS_ZMQX:  # (pyzmq takes messages in callbacks: its log is not in take order)
            for sid in range(senders):
                assert [q for s, q in log if s == sid] == list(range(per_sender))
        assert_no_waiters(a, b)
        await settle()
        assert_loop_clean(asyncio.get_running_loop())

    run(main(), timeout=90)


def test_cancellation_storm_loses_nothing_and_leaks_nothing(run, apair):
    """Rounds of 1,000 queued recvs, most cancelled -- some right after being
    woken with data -- while messages flow; then timed-out recvs behind a
    long-lived one.  Every message is received exactly once."""
    rounds, waiters, per_round = 5, 1000, 200
    rng = random.Random(6)

    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL)
        loop = asyncio.get_running_loop()
        received, sent = [], 0
        for rnd in range(rounds):
            tasks = [asyncio.ensure_future(b.recv()) for _ in range(waiters)]
            await settle()
            order = list(range(waiters))
            rng.shuffle(order)
            for i, k in enumerate(order):
                if i % 5 == 0 and sent < (rnd + 1) * per_round:
                    await a.send(b"%d" % sent)
                    sent += 1
                    b.get(zmq.EVENTS)  # may wake a waiter that is cancelled next
                tasks[k].cancel()
            done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), WAIT_S)
            received += [r for r in done if isinstance(r, bytes)]
            assert all(isinstance(r, (bytes, asyncio.CancelledError)) for r in done)
            assert_no_waiters(b)
        received += await drain(b)
        # the leak pattern of always-busy services: a long-lived recv first in
        # line, and a stream of timed-out ones behind it
        first = asyncio.ensure_future(b.recv())
        await settle()
        for _ in range(waiters):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(b.recv(), 0.0001)
        if IS_ZMQX:
            assert b._w.n == 1
        await a.send(b"%d" % sent)
        sent += 1
        received.append(await asyncio.wait_for(first, WAIT_S))
        assert sorted(int(m) for m in received) == list(range(sent))
        assert_no_waiters(a, b)
        await settle()
        assert_loop_clean(loop)
        fd = b.fileno()
        assert registered(loop, fd) in (True, None)
        b.close()
        assert registered(loop, fd) in (False, None)

    run(main(), timeout=120)


def test_messages_from_another_thread_never_stall_a_waiter(run, actx):
    """A thread sends at uneven moments while the loop awaits each message."""
    count = 3000

    def produce(url, ready):
        push = zmq.Socket(actx, zmq.PUSH)
        push.linger = 0
        push.connect(url)
        ready.set()
        rng = random.Random(1)
        for i in range(count):
            push.send(b"%d" % i)
            for _ in range(rng.randrange(2000)):  # jitter, not synchronisation
                pass
        push.close()

    async def main():
        pull = actx.socket(zmq.PULL)
        pull.linger = 0
        pull.bind("tcp://127.0.0.1:0")
        ready = threading.Event()
        thread = threading.Thread(
            target=produce, args=(pull.get_string(zmq.LAST_ENDPOINT), ready), daemon=True)
        thread.start()
        got = [await asyncio.wait_for(pull.recv(), WAIT_S) for _ in range(count)]
        assert got == [b"%d" % i for i in range(count)]
        thread.join(WAIT_S)
        assert_no_waiters(pull)

    run(main())


@pytest.mark.zmqx_only
def test_messages_arriving_while_the_reader_is_armed(run, actx):
    """The reader is unregistered after every message, so each wait arms it
    anew while the other thread may be sending: no wake-up may be lost."""
    count = 2000

    def produce(url):
        push = zmq.Socket(actx, zmq.PUSH)
        push.linger = 0
        push.connect(url)
        for i in range(count):
            push.send(b"%d" % i)
            if i % 7 == 0:
                time.sleep(0)  # let the loop thread run (jitter)
        push.close()

    async def main():
        pull = actx.socket(zmq.PULL)
        pull.linger = 0
        pull.bind("inproc://aio-arming")
        thread = threading.Thread(target=produce, args=("inproc://aio-arming",), daemon=True)
        thread.start()
        got = []
        for _ in range(count):
            pull._w.detach()
            got.append(await asyncio.wait_for(pull.recv(), WAIT_S))
        assert got == [b"%d" % i for i in range(count)]
        thread.join(WAIT_S)

    run(main())


def test_own_operations_consuming_the_edge_never_stall(run, actx):
    """A DEALER task awaits replies while another task keeps sending on the
    same socket: each send may drain the fd edge that announced a reply, so
    the send must re-check EVENTS for the waiting recv.  A ROUTER in a thread
    echoes."""
    count = 3000

    def echo(url, stop):
        router = zmq.Socket(actx, zmq.ROUTER)
        router.linger = 0
        router.rcvtimeo = router.sndtimeo = 100
        router.router_mandatory = 1  # wait when the DEALER's queue is full, never drop
        router.bind(url)
        reply = None
        while not stop.is_set():
            try:
                reply = reply or router.recv_multipart()
                router.send_multipart(reply)
                reply = None
            except zmq.Again:
                pass
        router.close()

    async def main():
        stop = threading.Event()
        url = "inproc://aio-echo"
        thread = threading.Thread(target=echo, args=(url, stop), daemon=True)
        thread.start()
        dealer = actx.socket(zmq.DEALER)
        dealer.linger = 0
        dealer.connect(url)

        async def receive():
            return [await asyncio.wait_for(dealer.recv(), WAIT_S) for _ in range(count)]

        receiver = asyncio.ensure_future(receive())
        for i in range(count):
            await dealer.send(b"%d" % i)
            if i % 50 == 0:
                await asyncio.sleep(0)
        try:
            assert await asyncio.wait_for(receiver, 60) == [b"%d" % i for i in range(count)]
        finally:
            stop.set()
            thread.join(WAIT_S)
        assert_no_waiters(dealer)

    run(main(), timeout=90)


def test_always_busy_socket_keeps_steady_memory(run, apair):
    """1,000,000 messages through one PUSH/PULL pair whose small HWMs keep both
    ends alternating between ready and waiting; RSS is sampled and must stop
    growing once warm."""
    total, samples = 1_000_000, 10

    async def produce(a):
        msg = b"m" * 16
        for _ in range(total):
            await a.send(msg)

    async def main():
        a, b = apair(zmq.PUSH, zmq.PULL, transport="tcp", sndhwm=100, rcvhwm=100)
        producer = asyncio.ensure_future(produce(a))
        rss = []
        for _ in range(samples):
            for _ in range(total // samples):
                await b.recv()
            rss.append(rss_bytes())
        await asyncio.wait_for(producer, WAIT_S)
        assert_no_waiters(a, b)
        growth = max(rss[2:]) - rss[1]
        assert growth < 8 << 20, f"RSS grew {growth >> 10} KiB after warm-up: {rss}"

    run(main(), timeout=240)  # about 1 s here
