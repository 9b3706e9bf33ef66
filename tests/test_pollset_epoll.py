"""PollSet's O(ready) epoll strategy against zmq_poll, the reference.

epoll waits on the sockets' ZMQ_FDs, which only say "re-read ZMQ_EVENTS" and
are cleared by whoever processes a socket's commands.  So these tests hunt
for the ways a ready message could be missed: messages arriving between
polls or during a blocking poll (from another thread), sockets used (send,
recv, reading EVENTS, another PollSet) between polls, many sockets, HWM
transitions for POLLOUT, raw fds, and timeouts.
"""
import os
import random
import threading
import time

import pytest

from _backend import zmq

pytestmark = [pytest.mark.zmqx_only,
              pytest.mark.skipif(not hasattr(os, "pipe") or os.name != "posix",
                                 reason="epoll is Linux-only")]

IN, OUT = zmq.POLLIN, zmq.POLLOUT


def pollsets(entries):
    """The same entries in an epoll PollSet and a zmq_poll PollSet."""
    sets = []
    for strategy in ("epoll", "zmq_poll"):
        ps = zmq._zmq.PollSet(strategy)
        assert ps.strategy == strategy
        for obj, flags in entries:
            ps.register(obj, flags)
        sets.append(ps)
    return sets


def test_random_traffic_agrees_with_zmq_poll(pair):
    """600 random sends/recvs/EVENTS reads over 20 inproc pairs and mixed socket
    types; after every step both strategies report the same."""
    rng = random.Random(5)
    kinds = [(zmq.PAIR, zmq.PAIR), (zmq.PUSH, zmq.PULL), (zmq.DEALER, zmq.ROUTER)]
    pairs = [pair("inproc", *kinds[i % 3], sndhwm=3, rcvhwm=3) for i in range(20)]
    socks = [s for p in pairs for s in p]
    entries = [(s, rng.choice([IN, OUT, IN | OUT])) for s in socks]
    epoll, ref = pollsets(entries)
    for step in range(600):
        s = rng.choice(socks)
        action = rng.randrange(4)
        try:
            if action == 0:
                if s.type == zmq.ROUTER:
                    continue
                s.send(b"m", zmq.DONTWAIT)
            elif action == 1:
                s.recv_multipart(zmq.DONTWAIT)
            elif action == 2:
                s.get(zmq.EVENTS)  # consumes the ZMQ_FD edge behind the poller's back
        except zmq.ZMQError:  # Again, or a send/recv the socket type refuses
            pass
        got = epoll.poll(0)
        assert got == ref.poll(0), f"step {step}"
    assert any(ev for _, ev in got)  # the traffic really produced readiness


def test_blocking_poll_wakes_for_a_message_sent_from_another_thread(pair, transport):
    """100 registered sockets; each round a thread sends to one random socket
    while the epoll poll is blocked: the poll must return exactly that one."""
    rng = random.Random(7)
    pairs = [pair(transport, zmq.PULL, zmq.PUSH) for _ in range(100)]
    epoll, _ = pollsets([(pull, IN) for pull, _ in pairs])
    for _ in range(30):
        pull, push = rng.choice(pairs)
        timer = threading.Timer(0.005, push.send, (b"hi",))
        timer.start()
        start = time.monotonic()
        ready = epoll.poll(5000)
        timer.join(5)
        assert ready == [(pull, IN)]
        assert time.monotonic() - start < 2.0
        assert pull.recv() == b"hi"
    assert epoll.poll(0) == []


def test_readiness_survives_partial_receives_and_returns_on_new_messages(pair):
    push, pull = pair("inproc", zmq.PUSH, zmq.PULL)
    epoll, _ = pollsets([(pull, IN)])
    push.send(b"1")
    push.send(b"2")
    assert epoll.poll(1000) == [(pull, IN)]
    assert pull.recv() == b"1"
    assert epoll.poll(0) == [(pull, IN)]  # used since the last poll: re-read, still ready
    assert pull.recv() == b"2"
    assert epoll.poll(0) == []
    threading.Timer(0.01, push.send, (b"3",)).start()
    assert epoll.poll(5000) == [(pull, IN)]
    assert pull.recv() == b"3"


def test_events_read_elsewhere_does_not_hide_readiness(pair):
    """Another PollSet, or a plain EVENTS read, processes the socket's commands
    and clears its fd; this PollSet must still report the message."""
    push, pull = pair("tcp", zmq.PUSH, zmq.PULL)
    first, _ = pollsets([(pull, IN)])
    second, _ = pollsets([(pull, IN)])
    assert first.poll(0) == [] and second.poll(0) == []
    push.send(b"x")
    assert first.poll(5000) == [(pull, IN)]  # consumed the fd's edge
    assert second.poll(0) == [(pull, IN)]
    assert pull.recv() == b"x"
    assert first.poll(0) == [] and second.poll(0) == []  # both up to date, nothing queued
    push.send(b"y")
    assert pull.poll(5000) == IN  # Socket.poll consumes the edge too
    assert first.poll(0) == [(pull, IN)] and second.poll(0) == [(pull, IN)]
    assert pull.events & IN


def test_pollout_follows_the_high_water_mark(pair):
    push, pull = pair("inproc", zmq.PUSH, zmq.PULL, sndhwm=2, rcvhwm=2)
    epoll, ref = pollsets([(push, OUT)])
    sent = 0
    while epoll.poll(0):
        push.send(b"x", zmq.DONTWAIT)
        sent += 1
        assert sent < 100
    assert ref.poll(0) == []

    def drain():  # the writer is re-activated once the reader passes the low-water mark
        for _ in range(sent):
            pull.recv()

    reader = threading.Timer(0.01, drain)
    reader.start()
    assert epoll.poll(5000) == [(push, OUT)]  # woken when the peer made room
    reader.join(5)
    assert ref.poll(0) == [(push, OUT)]


def test_raw_fds_agree_with_zmq_poll():
    r, w = os.pipe()
    try:
        entries = [(r, IN), (w, OUT | IN)]
        epoll, ref = pollsets(entries)
        assert epoll.poll(0) == ref.poll(0) == [(w, OUT)]
        os.write(w, b"x")
        assert epoll.poll(0) == ref.poll(0) == [(r, IN), (w, OUT)]
        os.read(r, 1)
        os.close(w)
        w = -1
        assert epoll.poll(0)[0][0] == r  # hang-up is reported like zmq_poll does
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_timeout_is_honoured_with_idle_sockets(pair):
    a, b = pair()
    epoll, _ = pollsets([(a, IN), (b, IN)])
    start = time.monotonic()
    assert epoll.poll(80) == []
    assert 0.06 < time.monotonic() - start < 2.0


def test_an_fd_registered_twice_falls_back_to_zmq_poll(pair):
    a, b = pair()

    class FileLike:
        def fileno(self):
            return a.fileno()

    ps = zmq._zmq.PollSet("epoll")
    ps.register(a, IN)
    ps.register(a.fileno(), IN)  # epoll refuses the same fd twice
    ps.register(FileLike(), IN)
    assert ps.strategy == "zmq_poll"
    b.send(b"x")
    assert a in dict(ps.poll(5000))


def test_unregister_keeps_the_rest_watched(pair):
    pairs = [pair("inproc", zmq.PULL, zmq.PUSH) for _ in range(5)]
    epoll, _ = pollsets([(pull, IN) for pull, _ in pairs])
    epoll.unregister(pairs[1][0])
    epoll.unregister(pairs[3][0])
    for pull, push in pairs:
        push.send(b"x")
    assert epoll.poll(5000) == [(p[0], IN) for i, p in enumerate(pairs) if i not in (1, 3)]


def test_closed_socket_raises(pair):
    a, b = pair()
    epoll, _ = pollsets([(a, IN)])
    a.close()
    with pytest.raises(zmq.ZMQError) as info:
        epoll.poll(0)
    assert info.value.errno == zmq.ENOTSOCK
