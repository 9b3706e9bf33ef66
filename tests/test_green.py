# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green: gevent-cooperative sockets, Poller, select and device, over real
sockets.  Nothing here monkey-patches: greenlets yield only inside zmqx.green
calls and gevent's own primitives, and the module's hub is destroyed at the end.
"""
import importlib
import threading
import warnings

import pytest

gevent = pytest.importorskip("gevent")
from gevent.event import Event  # noqa: E402

from _backend import IS_ZMQX, MODULE_NAME, run_python  # noqa: E402

green = importlib.import_module(f"{MODULE_NAME}.green")
zmqx_only = pytest.mark.zmqx_only
WAIT_S = 5.0  # every greenlet join is bounded by this
N = 2000


@pytest.fixture(scope="module", autouse=True)
def _own_hub():
    yield
    gevent.get_hub().destroy(destroy_loop=True)


@pytest.fixture
def gctx():
    ctx = green.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def gpair(gctx):
    """``gpair(bind_type, connect_type)``: two green sockets over tcp."""
    def make(a_type, b_type):
        a, b = gctx.socket(a_type), gctx.socket(b_type)
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        return a, b
    return make


def join(*greenlets):
    gevent.joinall(greenlets, timeout=WAIT_S, raise_error=True)
    assert all(g.ready() for g in greenlets), "greenlet did not finish in time"
    return [g.value for g in greenlets]


def test_namespace_is_zmqx_with_green_classes():
    assert green.PUSH == green.constants.PUSH if IS_ZMQX else True
    assert issubclass(green.Socket, importlib.import_module(MODULE_NAME).Socket)
    ctx = green.Context()
    try:
        s = ctx.socket(green.PAIR)
        assert isinstance(s, green.Socket)
        s.close()
    finally:
        ctx.term()
    assert green.Context.instance() is not importlib.import_module(MODULE_NAME).Context.instance()


def test_blocking_recv_yields_to_other_greenlets(gpair):
    pull, push = gpair(green.PULL, green.PUSH)
    ran = Event()

    def receiver():
        msg = pull.recv()  # blocks this greenlet only
        return msg, ran.is_set()

    def other():
        ran.set()
        push.send(b"hello")

    got, = join(gevent.spawn(receiver), gevent.spawn(other))[:1]
    assert got == (b"hello", True)


def test_every_kind_of_message(gpair):
    pull, push = gpair(green.PULL, green.PUSH)

    def rx():
        return [pull.recv(), pull.recv_multipart(), pull.recv_string(), pull.recv_json(),
                pull.recv_pyobj(), pull.recv(copy=False).bytes]

    g = gevent.spawn(rx)
    push.send(b"one")
    push.send_multipart([b"a", b"b"])
    push.send_string("s")
    push.send_json({"k": 1})
    push.send_pyobj((1, 2))
    push.send(b"frame")
    assert join(g)[0] == [b"one", [b"a", b"b"], "s", {"k": 1}, (1, 2), b"frame"]


def test_pyzmq_call_shapes(gpair):
    """The green methods take pyzmq's parameter names, and send_multipart /
    recv_multipart pass their arguments on to the blocking socket's."""
    core = importlib.import_module(f"{MODULE_NAME}.green.core")
    assert core.TIMEOS == (green.RCVTIMEO, green.SNDTIMEO)
    pull, push = gpair(green.PULL, green.PUSH)
    push.set(opt=green.SNDHWM, val=7)
    assert push.get(opt=green.SNDHWM) == 7 == push.getsockopt(green.SNDHWM)
    g = gevent.spawn(pull.recv_multipart, 0, copy=False)  # waits, then Frames
    tracker = push.send_multipart([b"a", memoryview(b"b")], flags=0, copy=False, track=True)
    assert [f.bytes for f in join(g)[0]] == [b"a", b"b"]
    assert tracker.wait(WAIT_S) is None and tracker.done
    push.send(b"c", 0, True, False)
    assert pull.recv_multipart(flags=0) == [b"c"]
    with pytest.raises(TypeError):
        push.send_multipart()  # no parts: as the blocking socket, a TypeError


def test_poller_waits_by_default(gpair):
    """Poller.poll()'s default timeout (-1) waits, yielding, until an event."""
    pull, push = gpair(green.PULL, green.PUSH)
    poller = green.Poller()
    poller.register(pull, green.POLLIN)
    g = gevent.spawn(poller.poll)
    gevent.spawn(push.send, b"x")
    assert join(g)[0] == [(pull, green.POLLIN)]
    assert poller.poll(None) == [(pull, green.POLLIN)]


@zmqx_only  # pyzmq's green socket allows one waiting greenlet per direction
def test_ordering_under_concurrent_greenlets(gpair):
    """Several greenlets send sequence-numbered messages and several receive:
    every message arrives exactly once, each sender's in its order."""
    pull, push = gpair(green.PULL, green.PUSH)
    push.sndhwm = pull.rcvhwm = 10  # senders really wait on a full pipe
    senders, per = 4, N // 4
    got = []

    def send(k):
        for i in range(per):
            push.send_multipart([b"%d" % k, b"%d" % i])

    def recv():
        while len(got) < senders * per:
            with gevent.Timeout(0.5, False):
                got.append(pull.recv_multipart())

    join(*[gevent.spawn(send, k) for k in range(senders)],
         *[gevent.spawn(recv) for _ in range(3)])
    assert len(got) == senders * per
    for k in range(senders):
        seq = [int(i) for s, i in got if int(s) == k]
        assert seq == list(range(per))


def inproc_pair(ctx, a_type, b_type, name):
    """``a`` bound, ``b`` connected over inproc with HWM 1 each (room for 2)."""
    a, b = ctx.socket(a_type), ctx.socket(b_type)
    a.sndhwm = a.rcvhwm = b.sndhwm = b.rcvhwm = 1
    a.bind(f"inproc://{name}")
    b.connect(f"inproc://{name}")
    return a, b


def fill(sock):
    """Send with NOBLOCK until the pipe is full; how many went."""
    for n in range(100):
        try:
            sock.send(b"fill", green.NOBLOCK)
        except green.Again:
            return n
    raise AssertionError("the pipe never filled")


@zmqx_only  # pyzmq's green socket allows one waiting greenlet per direction
def test_waiter_that_loses_a_race_still_sees_the_socket_become_writable(gctx):
    """Two senders wait on a full pipe and both wake for the one free slot.
    The winner then frees another (its peer reads, which queues a command for
    the sender's socket and signals ZMQ_FD).  The loser's retry fails before
    libzmq processes that command, and the EVENTS read after it processes it
    and drains the fd: the loser must act on that reading, as no edge is left
    to wake it."""
    pull, push = inproc_pair(gctx, green.PULL, green.PUSH, "lost-race")
    assert fill(push) > 0

    def send(k):
        push.send(b"%d" % k)
        pull.recv(green.NOBLOCK)

    senders = [gevent.spawn(send, 0), gevent.spawn(send, 1)]
    gevent.sleep(0)  # both wait for room
    pull.recv(green.NOBLOCK)  # room for one
    join(*senders)


def test_failed_noblock_call_passes_readiness_on_to_waiters(gctx):
    """A NOBLOCK recv that fails still processes libzmq's pending commands
    (draining ZMQ_FD): a greenlet waiting to send on that socket must hear
    that it became writable."""
    a, b = inproc_pair(gctx, green.DEALER, green.DEALER, "noblock-drain")
    assert fill(b) > 0
    g = gevent.spawn(b.send, b"last")
    gevent.sleep(0)  # g now waits for room
    a.recv(green.NOBLOCK)  # room again: a command for b, signalling its fd
    with pytest.raises(green.Again):
        b.recv(green.NOBLOCK)  # processes that command
    join(g)


@zmqx_only  # pyzmq's green socket misses the message
@pytest.mark.parametrize("call", ["connect", "bind", "poll"])
def test_other_calls_that_drain_the_fd_wake_waiters(gctx, call):
    """bind, connect and a Poller's zmq_poll process the socket's pending
    commands (draining ZMQ_FD): a greenlet waiting to receive must still
    hear that a message arrived."""
    a, b = inproc_pair(gctx, green.DEALER, green.DEALER, f"drain-{call}")
    g = gevent.spawn(b.recv)
    gevent.sleep(0)  # g waits for a message
    a.send(b"x")  # a command for b, signalling its fd
    if call == "poll":
        poller = green.Poller()
        poller.register(b, green.POLLOUT)
        assert poller.poll(0) == [(b, green.POLLOUT)]
    else:
        getattr(b, call)(f"inproc://drain-{call}-elsewhere")
    assert join(g) == [b"x"]


@zmqx_only  # pyzmq's green socket ignores SNDTIMEO
def test_refused_send_waits_then_goes_when_the_peer_reads(gctx):
    """A ROUTER_MANDATORY send to a full peer gets EAGAIN while EVENTS says
    POLLOUT (another peer has room): the sender waits (other greenlets run)
    until SNDTIMEO, and goes once the peer reads."""
    router = gctx.socket(green.ROUTER)
    router.router_mandatory, router.sndhwm = 1, 1
    router.bind("inproc://refused")
    peers = {}
    for name in (b"full", b"free"):
        d = peers[name] = gctx.socket(green.DEALER)
        d.identity, d.rcvhwm = name, 1
        d.connect("inproc://refused")
        d.send(b"hi")
        router.recv_multipart()
    with pytest.raises(green.Again):
        for _ in range(100):
            router.send_multipart([b"full", b"x"], green.NOBLOCK)
    assert router.poll(0, green.POLLOUT)
    router.sndtimeo = 200
    ticker = gevent.spawn(lambda: [gevent.sleep(0.01) for _ in range(5)])
    with pytest.raises(green.Again):
        router.send_multipart([b"full", b"late"])
    assert ticker.ready()  # ran meanwhile
    router.sndtimeo = -1
    sender = gevent.spawn(router.send_multipart, [b"full", b"last"])
    gevent.sleep(0)  # it waits
    got = []
    while not got or got[-1] != b"last":
        with gevent.Timeout(WAIT_S):
            got.append(peers[b"full"].recv())
    join(sender)


@zmqx_only
def test_rcvtimeo_and_sndtimeo_are_honoured(gpair):
    pull, push = gpair(green.PULL, green.PUSH)
    pull.rcvtimeo = 50
    with pytest.raises(green.Again):
        join(gevent.spawn(pull.recv))
    lone = pull.context.socket(green.PUSH)  # no peer: send would block for ever
    lone.sndtimeo = 50
    with pytest.raises(green.Again):
        join(gevent.spawn(lone.send, b"x"))
    lone.close(linger=0)


def test_noblock_raises_again_at_once(gpair):
    pull, _ = gpair(green.PULL, green.PUSH)
    with pytest.raises(green.Again):
        pull.recv(green.NOBLOCK)


@pytest.mark.parametrize("how", ["timeout", "kill"])
def test_interrupted_recv_loses_nothing(gpair, how):
    """gevent.Timeout or kill() interrupts waiting receivers many times over
    while numbered messages arrive: nothing lost, nothing duplicated."""
    pull, push = gpair(green.PULL, green.PUSH)
    got = []

    def receive_forever():
        while True:
            got.append(int(pull.recv()))

    def receive_with_timeouts():
        while len(got) < 300:
            with gevent.Timeout(0.0005, False):
                got.append(int(pull.recv()))

    def send():
        for i in range(300):
            push.send(b"%d" % i)
            if i % 7 == 0:
                gevent.sleep(0)

    if how == "timeout":
        join(gevent.spawn(receive_with_timeouts), gevent.spawn(send))
    else:
        sender = gevent.spawn(send)
        while not sender.ready() or len(got) < 300:
            g = gevent.spawn(receive_forever)
            gevent.sleep(0.0005)
            g.kill(timeout=WAIT_S)
            assert g.dead
            if sender.ready() and pull.poll(0) == 0 and len(got) < 300:
                pull.poll(100)  # in flight
        join(sender)
    assert got == list(range(300))


def test_close_while_a_call_waits(gpair):
    pull, _ = gpair(green.PULL, green.PUSH)
    g = gevent.spawn(pull.recv)
    gevent.sleep(0.01)
    assert not g.ready()
    pull.close()
    g.join(WAIT_S)
    assert g.ready() and isinstance(g.exception, green.ZMQError)
    assert g.exception.errno == green.ENOTSOCK


def test_two_directions_on_one_socket(gpair):
    """One greenlet waits to receive on a DEALER while another sends on it:
    the send must not swallow the receiver's wake-up (edge-triggered fd)."""
    router, dealer = gpair(green.ROUTER, green.DEALER)

    def server():
        for _ in range(200):
            ident, msg = router.recv_multipart()
            router.send_multipart([ident, msg])

    def client_rx():
        return [dealer.recv() for _ in range(200)]

    def client_tx():
        for i in range(200):
            dealer.send(b"%d" % i)
            gevent.sleep(0)

    s, rx, tx = gevent.spawn(server), gevent.spawn(client_rx), gevent.spawn(client_tx)
    assert join(s, rx, tx)[1] == [b"%d" % i for i in range(200)]


def test_req_rep_echo_service(gpair):
    rep, _ = gpair(green.REP, green.REQ)
    port = rep.get(green.LAST_ENDPOINT).decode().rsplit(":", 1)[1]

    def server():
        while True:
            rep.send(rep.recv().upper())

    def client(k):
        req = rep.context.socket(green.REQ)
        req.connect(f"tcp://127.0.0.1:{port}")
        out = []
        for i in range(20):
            req.send(b"c%d-%d" % (k, i))
            out.append(req.recv())
        req.close()
        return out

    srv = gevent.spawn(server)
    results = join(*[gevent.spawn(client, k) for k in range(5)])
    srv.kill(timeout=WAIT_S)
    for k, out in enumerate(results):
        assert out == [b"C%d-%d" % (k, i) for i in range(20)]


def test_pub_sub_fan_out(gctx):
    pub = gctx.socket(green.PUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    subs = []
    for _ in range(3):
        s = gctx.socket(green.SUB)
        s.subscribe(b"")
        s.connect(f"tcp://127.0.0.1:{port}")
        subs.append(s)
    # wait until every subscription has reached the PUB (no sleep: probe)
    seen = set()
    with gevent.Timeout(WAIT_S):
        while len(seen) < 3:
            pub.send(b"probe")
            for i, s in enumerate(subs):
                if s.poll(10):
                    s.recv()
                    seen.add(i)

    def sub_rx(s):
        out = []
        while True:
            m = s.recv()
            if m == b"end":
                return out
            if m != b"probe":
                out.append(int(m))

    gs = [gevent.spawn(sub_rx, s) for s in subs]
    for i in range(100):
        pub.send(b"%d" % i)
    pub.send(b"end")
    assert join(*gs) == [list(range(100))] * 3


def test_poller_and_select_yield(gpair):
    pull, push = gpair(green.PULL, green.PUSH)
    r, w = __import__("os").pipe()
    poller = green.Poller()
    poller.register(pull, green.POLLIN)
    poller.register(r, green.POLLIN)
    assert poller.poll(0) == []
    ran = Event()
    g = gevent.spawn(poller.poll, 2000)
    gevent.spawn(lambda: (ran.set(), push.send(b"x")))
    assert join(g)[0] == [(pull, green.POLLIN)] and ran.is_set()
    assert pull.recv() == b"x"
    gevent.spawn_later(0.01, __import__("os").write, w, b"!")
    assert join(gevent.spawn(poller.poll, 2000))[0] == [(r, green.POLLIN)]
    assert poller.poll(20) == [(r, green.POLLIN)]
    __import__("os").read(r, 1)
    assert join(gevent.spawn(poller.poll, 20))[0] == []
    assert green.select([pull], [push], [], 1.0) == ([], [push], [])
    __import__("os").close(r)
    __import__("os").close(w)
    assert pull.poll(10) == 0
    gevent.spawn_later(0.01, push.send, b"y")
    assert pull.poll(2000) == green.POLLIN


def test_device_forwards_in_a_greenlet(gctx):
    front, back = gctx.socket(green.PULL), gctx.socket(green.PUSH)
    fport = front.bind_to_random_port("tcp://127.0.0.1")
    bport = back.bind_to_random_port("tcp://127.0.0.1")
    dev = gevent.spawn(green.device, green.STREAMER, isocket=front, osocket=back)
    src, dst = gctx.socket(green.PUSH), gctx.socket(green.PULL)
    src.connect(f"tcp://127.0.0.1:{fport}")
    dst.connect(f"tcp://127.0.0.1:{bport}")
    for i in range(50):
        src.send(b"%d" % i)
    got = join(gevent.spawn(lambda: [dst.recv() for _ in range(50)]))[0]
    dev.kill(timeout=WAIT_S)
    assert got == [b"%d" % i for i in range(50)]


def test_green_eventloop_imports():
    with warnings.catch_warnings():  # deprecated, as pyzmq's: tornado's IOLoop needs no shim
        warnings.simplefilter("ignore", DeprecationWarning)
        ioloop = importlib.import_module(f"{MODULE_NAME}.green.eventloop.ioloop")
    zmqstream = importlib.import_module(f"{MODULE_NAME}.green.eventloop.zmqstream")
    assert ioloop.IOLoop is importlib.import_module("tornado.ioloop").IOLoop
    assert issubclass(zmqstream.ZMQStream,
                      importlib.import_module(f"{MODULE_NAME}.eventloop.zmqstream").ZMQStream)


@zmqx_only  # pyzmq's green socket watches its fd in the hub it was made in
def test_hubs_in_two_threads(gpair):
    """Each thread has its own hub: a green socket waits in whichever runs it."""
    pull, push = gpair(green.PULL, green.PUSH)
    out = []

    def thread_main():
        out.append(gevent.spawn(pull.recv).get(timeout=WAIT_S))
        gevent.get_hub().destroy(destroy_loop=True)

    t = threading.Thread(target=thread_main)
    t.start()
    push.send(b"over")
    t.join(WAIT_S)
    assert out == [b"over"]


@zmqx_only
def test_refused_send_waits_without_spinning(gctx):
    """A ROUTER_MANDATORY send to a full peer gets EAGAIN while EVENTS says
    POLLOUT (another peer has room): the sender waits for the fd until
    SNDTIMEO, and the other greenlets keep running."""
    router = gctx.socket(green.ROUTER)
    router.router_mandatory = 1
    router.sndhwm = 1
    router.bind("inproc://refused")  # inproc: no I/O thread drains the full pipe
    peers = []
    for name in (b"full", b"free"):
        d = gctx.socket(green.DEALER)
        d.identity, d.rcvhwm = name, 1
        d.connect("inproc://refused")
        d.send(b"hi")
        peers.append(d)
    for _ in range(2):
        router.recv_multipart()
    sent = 0
    with pytest.raises(green.Again):
        for _ in range(100_000):
            router.send_multipart([b"full", b"x" * 1000], green.NOBLOCK)
            sent += 1
    assert router.poll(0, green.POLLOUT)  # "free" has room
    router.sndtimeo = 200
    ticks = []

    def ticker():
        while True:
            ticks.append(1)
            gevent.sleep(0.01)

    t = gevent.spawn(ticker)
    with pytest.raises(green.Again):
        join(gevent.spawn(router.send_multipart, [b"full", b"y"]))
    t.kill(timeout=WAIT_S)
    assert 5 <= len(ticks) <= 60


_MONKEY_PATCHED = """
from gevent import monkey
monkey.patch_all()
import importlib, threading, time
import gevent
from _backend import MODULE_NAME
zmq = importlib.import_module(MODULE_NAME + ".green")
ctx = zmq.Context()
rep, req = ctx.socket(zmq.REP), ctx.socket(zmq.REQ)
port = rep.bind_to_random_port("tcp://127.0.0.1")
req.connect("tcp://127.0.0.1:%d" % port)
ticks = []
def ticker():  # a patched thread is a greenlet: it runs only if nobody blocks the hub
    while len(ticks) < 5:
        ticks.append(1)
        time.sleep(0.01)
threading.Thread(target=ticker).start()
def serve():
    for _ in range(10):
        rep.send(rep.recv() + b"!")
server = gevent.spawn(serve)
with gevent.Timeout(5):
    for i in range(10):
        req.send(b"%d" % i)
        assert req.recv() == b"%d!" % i
    server.join()
    while len(ticks) < 5:
        time.sleep(0.01)
ctx.destroy(linger=0)
print("ok")
"""


def test_works_under_monkey_patching_in_a_child():
    """Services usually monkey-patch first; that runs in a child process,
    so the test process stays unpatched."""
    proc = run_python(_MONKEY_PATCHED)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
