"""pyzmq 27's contract on Context, Socket, Frame and the proxies (issue 12).

Runs against the module under test (``_backend``; pyzmq too, with
ZMQX_TEST_MODULE=zmq, to check the tests describe pyzmq).  The bad-input table
at the end runs every bad call on zmqx *and* on pyzmq side by side, and needs
the same exception class from both.
"""
import copy
import threading
import warnings
from typing import Any

import pytest
from _backend import IS_ZMQX, run_in_thread, subscribe_and_sync, zmq
from _forwarding import JOIN_S, bound, connected

BIG = 100_000  # above COPY_THRESHOLD: copy=False sends it zero-copy


# --- attributes -----------------------------------------------------------------

def test_socket_options_in_any_case(sock):
    s = sock(zmq.DEALER)
    s.LINGER = 7
    assert s.linger == 7 and s.LINGER == 7
    s.Linger = 9                     # any case when set, as pyzmq
    assert s.linger == 9
    s.sndhwm = 11
    assert s.SNDHWM == 11 and s.get(zmq.SNDHWM) == 11


def test_unknown_upper_case_option_raises(sock):
    s = sock(zmq.DEALER)
    with pytest.raises(AttributeError):
        s.NO_SUCH_OPTION = 1
    with pytest.raises(AttributeError):
        s.NO_SUCH_OPTION


def test_reading_a_write_only_option_is_attribute_error(sock):
    s = sock(zmq.SUB)
    with pytest.raises(AttributeError):
        s.SUBSCRIBE
    assert not hasattr(s, "HWM")     # libzmq 2's option: EINVAL, as pyzmq
    with pytest.raises(zmq.ZMQError):
        s.HWM = 5


def test_subscribe_attribute_sets_the_option(pair):
    pub, sub = pair("inproc", zmq.PUB, zmq.SUB)
    sub.subscribe = "ab"             # the option, not the method; str is encoded
    sub.SUBSCRIBE = b"cd"
    subscribe_and_sync(pub, sub, b"sync")
    for topic in (b"xx", b"ab1", b"cd2"):
        pub.send(topic)
    assert [sub.recv(), sub.recv()] == [b"ab1", b"cd2"]
    sub.unsubscribe = "ab"
    assert callable(sub.subscribe)   # the method is still there


@pytest.mark.zmqx_only  # pyzmq refuses undeclared names on a plain Socket/Context
def test_ordinary_attributes_on_instances(ctx, sock):
    s = sock(zmq.DEALER)
    s.name = "backend"
    s.Count = 3
    assert (s.name, s.Count) == ("backend", 3)
    assert vars(s) == {"name": "backend", "Count": 3}
    s.send  # noqa: B018 -- methods are still found past the instance dict
    del s.name
    assert not hasattr(s, "name")
    ctx.name = "main"
    assert ctx.name == "main"
    del ctx.name
    with pytest.raises(AttributeError):
        ctx.name


def test_subclass_attributes(ctx):
    class Named(zmq.Socket):
        name = None
        label: str

    s = ctx.socket(zmq.DEALER, socket_class=Named)
    s.name, s.label = "backend", "x"
    assert (s.name, s.label, type(s)) == ("backend", "x", Named)
    s.close()


def test_context_options_as_attributes(ctx):
    assert ctx.IO_THREADS == ctx.io_threads == ctx.get(zmq.IO_THREADS)
    ctx.MAX_SOCKETS = 100
    assert ctx.max_sockets == 100
    ctx.linger = 0                   # a default socket option
    assert ctx.LINGER == 0 and ctx.sockopts == {zmq.LINGER: 0}
    s = ctx.socket(zmq.DEALER)
    assert s.linger == 0
    del ctx.linger
    assert ctx.sockopts == {}
    with pytest.raises(AttributeError):
        ctx.linger
    with pytest.raises(AttributeError):
        ctx.NO_SUCH_OPTION = 1
    s.close()


# --- classes ----------------------------------------------------------------------

def test_socket_class_is_overridable(ctx):
    class MySocket(zmq.Socket):
        pass

    class MyContext(zmq.Context):
        _socket_class = MySocket

    assert zmq.Context._socket_class is zmq.Socket
    my = MyContext()
    try:
        s = my.socket(zmq.PAIR)
        assert type(s) is MySocket
        t = my.socket(zmq.PAIR, socket_class=zmq.Socket)
        assert type(t) is zmq.Socket
        assert type(ctx.socket(zmq.PAIR, socket_class=MySocket)) is MySocket
        s.close()
        t.close()
    finally:
        my.destroy(linger=0)


def test_generic_aliases():
    assert zmq.Context[Any] is not None
    assert zmq.Socket[bytes].__origin__ is zmq.Socket
    SyncSocket = zmq.Socket[bytes]
    assert SyncSocket.__args__ == (bytes,)


def test_hwm_and_type(sock):
    s = sock(zmq.PUSH)
    s.set_hwm(17)
    assert (s.sndhwm, s.rcvhwm, s.get_hwm(), s.hwm) == (17, 17, 17, 17)
    s.hwm = 23
    assert (s.sndhwm, s.rcvhwm) == (23, 23)
    assert s.type == zmq.PUSH and s.type is zmq.SocketType.PUSH
    with pytest.warns(DeprecationWarning):
        assert s.socket_type == zmq.PUSH
    assert "(zmq.PUSH)" in repr(s)


def test_join_leave_without_draft_api(sock):
    if zmq.has("draft"):
        pytest.skip("libzmq with the draft API")
    s = sock(zmq.SUB)
    for call in (s.join, s.leave):
        with pytest.raises(RuntimeError) as info:
            call("group")
        if IS_ZMQX:
            assert isinstance(info.value, zmq.ZMQError) and info.value.errno == zmq.ENOTSUP


def test_shadows(ctx, sock):
    s = sock(zmq.PAIR)
    for shadow in (zmq.Socket(s), zmq.Socket.shadow(s), zmq.Socket(shadow=s)):
        assert shadow.underlying == s.underlying and shadow.type == zmq.PAIR
        assert shadow.context is ctx
    assert copy.copy(s).underlying == s.underlying
    for other in (zmq.Context(ctx), zmq.Context.shadow(ctx), copy.copy(ctx)):
        assert other.underlying == ctx.underlying
    assert zmq.Socket.shadow(s.underlying).underlying == s.underlying
    with pytest.raises(TypeError):
        zmq.Socket()                 # no context, as pyzmq
    t = zmq.Socket(ctx)              # socket_type defaults to 0: PAIR
    assert t.type == zmq.PAIR
    t.close()


# --- trackers ---------------------------------------------------------------------

def test_send_returns_pyzmq_trackers(pair):
    a, b = pair()
    assert a.send(b"x") is None
    assert a.send(b"x", copy=False).done                      # copied: a done tracker
    assert a.send(b"x" * BIG, copy=False) is None             # zero-copy, untracked
    tracked = a.send(b"y" * BIG, copy=False, track=True)
    assert isinstance(tracked, zmq.MessageTracker)
    frame = zmq.Frame(b"z" * BIG, track=True)
    assert a.send(frame) is frame.tracker                     # a Frame: its tracker
    with pytest.raises(ValueError):
        a.send(zmq.Frame(b"w"), track=True)                   # untracked Frame, track=True
    for _ in range(5):
        b.recv()
    tracked.wait(5)
    assert tracked.done


def test_send_multipart_returns_the_tracker_of_the_frames(pair):
    a, b = pair()
    frames = [zmq.Frame(b"a" * BIG, track=True), zmq.Frame(b"b" * BIG, track=True)]
    tracker = a.send_multipart(frames, copy=False, track=True)
    assert tracker is frames[-1].tracker and tracker is not None
    assert [len(p) for p in b.recv_multipart()] == [BIG, BIG]
    event = frames[-1].tracker_event
    assert event is not None
    del frames
    tracker.wait(5)
    assert tracker.done and event.wait(5)
    tracker = a.send_multipart([b"c" * BIG, b"d" * BIG], copy=False, track=True)
    b.recv_multipart()
    tracker.wait(5)
    assert zmq.Frame(b"e").tracker_event is None


def test_received_frames_tracked_on_request(pair):
    a, b = pair()
    a.send(b"x")
    assert b.recv(copy=False).tracker is None
    a.send(b"x")
    assert b.recv(copy=False, track=True).tracker.done
    a.send_multipart([b"x", b"y"])
    assert all(f.tracker.done for f in b.recv_multipart(copy=False, track=True))


def test_message_tracker_watches_others(pair):
    a, b = pair()
    first = a.send(b"f" * BIG, copy=False, track=True)
    event = threading.Event()
    both = zmq.MessageTracker(first, event)
    assert not both.done
    with pytest.raises(zmq.NotDone):
        both.wait(0.01)
    b.recv()
    first.wait(5)
    assert not both.done             # the event is not set yet
    event.set()
    both.wait(5)
    assert both.done
    with pytest.raises(ValueError):
        zmq.MessageTracker(zmq.Frame(b"untracked"))
    with pytest.raises(TypeError):
        zmq.MessageTracker(5)


# --- proxies end with ContextTerminated -------------------------------------------

def _run_until_term(ctx, func, *args):
    """Run func(*args) in a thread, terminate ctx, return what func raised."""
    box = {}

    def run():
        try:
            box["result"] = func(*args)
        except Exception as e:       # noqa: BLE001 -- inspected by the test
            box["error"] = e
        finally:
            for s in args:
                if isinstance(s, zmq.Socket):
                    s.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    peer = connected(ctx, zmq.PUSH, "inproc://contract-in")
    out = connected(ctx, zmq.PULL, "inproc://contract-out")
    peer.send(b"through")
    assert out.recv() == b"through"  # the proxy runs
    peer.close(linger=0)
    out.close(linger=0)
    run_in_thread(ctx.term, timeout=JOIN_S)
    t.join(JOIN_S)
    assert not t.is_alive()
    return box.get("error")


@pytest.mark.parametrize("name", ["proxy", "proxy_steerable", "device"])
def test_proxies_raise_context_terminated(name):
    ctx = zmq.Context()
    front = bound(ctx, zmq.PULL, "inproc://contract-in")
    back = bound(ctx, zmq.PUSH, "inproc://contract-out")
    args = (zmq.QUEUE, front, back) if name == "device" else (front, back)
    assert isinstance(_run_until_term(ctx, getattr(zmq, name), *args), zmq.ContextTerminated)


def test_proxy_steerable_returns_on_terminate(ctx):
    front = bound(ctx, zmq.PULL, "inproc://st-in")
    back = bound(ctx, zmq.PUSH, "inproc://st-out")
    control = bound(ctx, zmq.PAIR, "inproc://st-ctl")
    ctl = connected(ctx, zmq.PAIR, "inproc://st-ctl")
    ctl.send(b"TERMINATE")
    assert zmq.proxy_steerable(front, back, None, control) == 0


# --- bad input: the same exception class as pyzmq, side by side ----------------------

BAD_CALLS = {
    "send_multipart([])": lambda m, c, s: s.send_multipart([]),
    "send_string(None)": lambda m, c, s: s.send_string(None),
    "send_string(bytes)": lambda m, c, s: s.send_string(b"x"),
    "send(str)": lambda m, c, s: s.send("x"),
    "send(None)": lambda m, c, s: s.send(None),
    "send(flags=str)": lambda m, c, s: s.send(b"x", "a"),
    "send_multipart(str part)": lambda m, c, s: s.send_multipart([b"a", "b"]),
    "send_multipart(int)": lambda m, c, s: s.send_multipart(5),
    "ctx.set(float)": lambda m, c, s: c.set(m.IO_THREADS, 1.5),
    "ctx.set(str)": lambda m, c, s: c.set(m.IO_THREADS, "1"),
    "ctx.set(huge)": lambda m, c, s: c.set(m.IO_THREADS, 2**40),
    "ctx.set(-1)": lambda m, c, s: c.set(m.IO_THREADS, -1),
    "ctx.get(str)": lambda m, c, s: c.get("x"),
    "ctx.socket(str)": lambda m, c, s: c.socket("x"),
    "ctx.socket(99)": lambda m, c, s: c.socket(99),
    "ctx.socket(-1)": lambda m, c, s: c.socket(-1),
    "ctx.socket(huge)": lambda m, c, s: c.socket(2**40),
    "send(flags=huge)": lambda m, c, s: s.send(b"x", 2**40),
    "poll(timeout=huge)": lambda m, c, s: s.poll(2**70),
    "set(RCVTIMEO, str)": lambda m, c, s: s.setsockopt(m.RCVTIMEO, "x"),
    "set(ROUTING_ID, too long)": lambda m, c, s: s.set(m.ROUTING_ID, b"x" * 300),
    "set(MAXMSGSIZE, 2**70)": lambda m, c, s: s.set(m.MAXMSGSIZE, 2**70),
    "Context(str)": lambda m, c, s: m.Context("x"),
    "zmq_poll(bad item)": lambda m, c, s: m.zmq_poll([(1,)], 0),
    "monitor(non-inproc)": lambda m, c, s: s.monitor("tcp://x"),
    "unbind(not bound)": lambda m, c, s: s.unbind("tcp://127.0.0.1:1"),
    "recv_into(read-only view)": lambda m, c, s: s.recv_into(memoryview(b"ab")),
    "send_pyobj(unpicklable)": lambda m, c, s: s.send_pyobj(lambda: 1),
    "recv_json timeout": lambda m, c, s: s.recv_json(),
    "ctx.getsockopt(unset)": lambda m, c, s: c.getsockopt(m.SNDHWM),
    "ctx.FOO =": lambda m, c, s: setattr(c, "NO_SUCH_OPTION", 1),
    "set(SUBSCRIBE, bytearray)": lambda m, c, s: s.setsockopt(m.SUBSCRIBE, bytearray(b"x")),
    "set(SUBSCRIBE, memoryview)": lambda m, c, s: s.setsockopt(m.SUBSCRIBE, memoryview(b"x")),
    "set(IDENTITY, str)": lambda m, c, s: s.set(m.IDENTITY, "abc"),
    "set(IDENTITY, None)": lambda m, c, s: s.set(m.IDENTITY, None),
    "set(LINGER, float)": lambda m, c, s: s.set(m.LINGER, 1.5),
    "set(LINGER, str)": lambda m, c, s: s.set(m.LINGER, "1"),
    "set(LINGER, None)": lambda m, c, s: s.set(m.LINGER, None),
    "set(LINGER, huge)": lambda m, c, s: s.set(m.LINGER, 2**40),
    "set(LINGER, -5)": lambda m, c, s: s.set(m.LINGER, -5),
    "set(AFFINITY, 2**70)": lambda m, c, s: s.set(m.AFFINITY, 2**70),
    "set(9999)": lambda m, c, s: s.set(9999, 1),
    "get(9999)": lambda m, c, s: s.get(9999),
    "get(str)": lambda m, c, s: s.get("x"),
    "get(SUBSCRIBE)": lambda m, c, s: s.get(m.SUBSCRIBE),
    "set_string(bytes)": lambda m, c, s: s.set_string(m.IDENTITY, b"x"),
    "get_string(int option)": lambda m, c, s: s.get_string(m.LINGER),
    "subscribe(int)": lambda m, c, s: s.subscribe(5),
    "s.FOO =": lambda m, c, s: setattr(s, "NO_SUCH_OPTION", 1),
    "s.HWM =": lambda m, c, s: setattr(s, "HWM", 5),
    "s.SUBSCRIBE (read)": lambda m, c, s: s.SUBSCRIBE,
    "recv(flags=str)": lambda m, c, s: s.recv("a"),
    "recv NOBLOCK": lambda m, c, s: s.recv(m.NOBLOCK),
    "recv_into(bytes)": lambda m, c, s: s.recv_into(b"abc"),
    "recv_into(nbytes too big)": lambda m, c, s: s.recv_into(bytearray(3), nbytes=5),
    "bind(int)": lambda m, c, s: s.bind(5),
    "bind(None)": lambda m, c, s: s.bind(None),
    "connect(bad protocol)": lambda m, c, s: s.connect("foo://bar"),
    "Frame(str)": lambda m, c, s: m.Frame("x"),
    "Frame(int)": lambda m, c, s: m.Frame(5),
    "Frame.get(99)": lambda m, c, s: m.Frame(b"x").get(99),
    "send_json(object)": lambda m, c, s: s.send_json(object()),
    "Socket() without context": lambda m, c, s: m.Socket(),
    "join without draft": lambda m, c, s: s.join("g"),
}
CLOSED_CALLS = {
    "closed send": lambda m, c, s: s.send(b"x"),
    "closed recv": lambda m, c, s: s.recv(),
    "closed set": lambda m, c, s: s.set(m.LINGER, 0),
    "closed attribute": lambda m, c, s: s.linger,
    "closed send_multipart": lambda m, c, s: s.send_multipart([b"x"]),
    "closed hwm": lambda m, c, s: s.hwm,
}
TERMED_CALLS = {
    "terminated ctx.get": lambda m, c, s: c.get(m.IO_THREADS),
    "terminated ctx.set": lambda m, c, s: c.set(m.IO_THREADS, 1),
    "terminated ctx.socket": lambda m, c, s: c.socket(m.PAIR),
}


def _raised(module, call, state):
    ctx = module.Context()
    s = ctx.socket(module.SUB)
    s.rcvtimeo = s.sndtimeo = 100   # "recv_json timeout" gives up at once
    try:
        if state != "open":
            s.close()
        if state == "terminated":
            ctx.term()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call(module, ctx, s)
    except Exception as e:           # noqa: BLE001 -- the point of the test
        return e
    finally:
        s.close(linger=0)
        ctx.destroy(linger=0)
    return None


@pytest.mark.zmqx_only
@pytest.mark.parametrize("state,call", [
    *(("open", c) for c in BAD_CALLS.values()),
    *(("closed", c) for c in CLOSED_CALLS.values()),
    *(("terminated", c) for c in TERMED_CALLS.values()),
], ids=[*BAD_CALLS, *CLOSED_CALLS, *TERMED_CALLS])
def test_bad_input_raises_what_pyzmq_raises(state, call):
    pyzmq = pytest.importorskip("zmq")
    theirs = _raised(pyzmq, call, state)
    ours = _raised(zmq, call, state)
    assert theirs is not None, "pyzmq accepts this call: not bad input"
    # pyzmq's class, or zmqx's class of the same name (ZMQError, Again, ...)
    expected = getattr(zmq, type(theirs).__name__, type(theirs))
    if expected is zmq.ZMQError and isinstance(ours, zmq.ContextTerminated):
        return  # a subclass: zmqx says ETERM where pyzmq says ENOTSUP (see docs)
    assert isinstance(ours, expected), f"pyzmq: {theirs!r}; zmqx: {ours!r}"
