"""Bad input, side by side: each bad call of the table below runs against
pyzmq and against zmqx, on a fresh context and socket each, and zmqx must
raise the same exception class as pyzmq (a subclass is fine: code catching
pyzmq's class catches it), with the same errno for a ZMQError; where pyzmq
accepts the call, zmqx must accept it too.

Where zmqx is deliberately different (docs/pyzmq-differences.md), the call is
not in this table. Needs pyzmq beside zmqx (``make test`` installs it).
"""
import importlib
import warnings

import pytest

from _backend import IS_ZMQX

pytestmark = pytest.mark.skipif(not IS_ZMQX, reason="compares zmqx with pyzmq")
pyzmq = pytest.importorskip("zmq", reason="pyzmq is not installed (make bench-deps)")
zmqx = importlib.import_module("zmqx")

DELIBERATE = "a deliberate difference (docs/pyzmq-differences.md)"


def xfail(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


def sub(m, name):
    return importlib.import_module(f"{m.__name__}.{name}")


def util(m, name):
    return sub(m, f"utils.{name}")


def _quiet(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return func(*args)


def _closed_then(call):
    def run(m, s):
        s.close()
        return call(m, s)
    return run


def _poll_registered(m, s):
    poller = m.Poller()
    try:
        poller.register("not a socket", m.POLLIN)
    except TypeError:
        raise  # zmqx refuses at register; pyzmq at poll: both TypeError
    return poller.poll(0)


def _tracker_of_queued(m, s):
    """The tracker of a zero-copy message still queued on ``s`` (not done)."""
    s.connect("inproc://nobody-binds-this")  # libzmq queues for the future peer
    tracker = s.send(bytearray(1 << 17), copy=False, track=True)
    assert not tracker.done
    return tracker


# (id, socket type, call(module, socket), marks)
ROWS = [
    # -- the calls issue 12 lists
    ("send_multipart-empty", "DEALER", lambda m, s: s.send_multipart([]), ()),
    ("ctx-set-float", "DEALER", lambda m, s: s.context.set(m.IO_THREADS, 1.5), ()),
    ("subscribe-bytearray", "SUB", lambda m, s: s.setsockopt(m.SUBSCRIBE, bytearray(b"t")),
     ()),
    ("subscribe-memoryview", "SUB", lambda m, s: s.setsockopt(m.SUBSCRIBE, memoryview(b"t")),
     ()),
    ("send_string-None", "DEALER", lambda m, s: s.send_string(None), ()),
    # -- sending
    ("send_string-bytes", "DEALER", lambda m, s: s.send_string(b"x"), ()),
    ("send_string-bad-encoding", "DEALER", lambda m, s: s.send_string("x", encoding="nope"), ()),
    ("send-str", "DEALER", lambda m, s: s.send("text"), ()),
    ("send-int", "DEALER", lambda m, s: s.send(123), ()),
    ("send-None", "DEALER", lambda m, s: s.send(None), ()),
    ("send-str-copy-false", "DEALER", lambda m, s: s.send("x", copy=False), ()),
    ("send-flags-str", "DEALER", lambda m, s: s.send(b"x", "flags"), ()),
    ("send_multipart-str", "DEALER", lambda m, s: s.send_multipart(["a"]), ()),
    ("send_multipart-None", "DEALER", lambda m, s: s.send_multipart(None), ()),
    ("send_json-object", "DEALER", lambda m, s: s.send_json(object()), ()),
    ("send_pyobj-lambda", "DEALER", lambda m, s: s.send_pyobj(lambda: 1), ()),
    ("frame-int", "DEALER", lambda m, s: m.Frame(123), ()),
    ("frame-str", "DEALER", lambda m, s: m.Frame("text"), ()),
    # -- receiving
    ("recv-dontwait-nothing", "DEALER", lambda m, s: s.recv(m.DONTWAIT), ()),
    ("recv-flags-str", "DEALER", lambda m, s: s.recv("x"), ()),
    ("recv_into-bytes", "DEALER", lambda m, s: s.recv_into(b"immutable"), ()),
    ("poll-flags-str", "DEALER", lambda m, s: s.poll(0, "x"), ()),
    # -- options
    ("setsockopt-unknown", "DEALER", lambda m, s: s.setsockopt(9999, 1), ()),
    ("getsockopt-unknown", "DEALER", lambda m, s: s.getsockopt(9999), ()),
    ("setsockopt-int-given-str", "DEALER", lambda m, s: s.setsockopt(m.LINGER, "10"), ()),
    ("setsockopt-int-given-float", "DEALER", lambda m, s: s.setsockopt(m.LINGER, 1.5), ()),
    ("setsockopt-bytes-given-str", "DEALER", lambda m, s: s.setsockopt(m.IDENTITY, "x"), ()),
    ("setsockopt_string-bytes", "DEALER", lambda m, s: s.setsockopt_string(m.IDENTITY, b"x"), ()),
    ("getsockopt_string-int-option", "DEALER", lambda m, s: s.getsockopt_string(m.LINGER), ()),
    ("get-option-str", "DEALER", lambda m, s: s.get("LINGER"), ()),
    ("set-option-None", "DEALER", lambda m, s: s.set(None, 1), ()),
    ("attr-linger-str", "DEALER", lambda m, s: setattr(s, "linger", "x"), ()),
    ("attr-unknown", "DEALER", lambda m, s: s.not_an_option, ()),
    ("subscribe-int", "SUB", lambda m, s: s.subscribe(5), ()),
    ("subscribe-on-push", "PUSH", lambda m, s: s.subscribe(b"x"), ()),
    ("frame-set-unknown", "DEALER", lambda m, s: m.Frame(b"x").set(9999, 1), ()),
    ("frame-get-unknown", "DEALER", lambda m, s: m.Frame(b"x").get(9999), ()),
    # -- endpoints
    ("connect-no-transport", "DEALER", lambda m, s: s.connect("nonsense"), ()),
    ("connect-bad-transport", "DEALER", lambda m, s: s.connect("foo://x"), ()),
    ("connect-None", "DEALER", lambda m, s: s.connect(None), ()),
    ("bind-int", "DEALER", lambda m, s: s.bind(5555), ()),
    ("bind-bad-host", "DEALER", lambda m, s: s.bind("tcp://999.0.0.1:1"), ()),
    ("unbind-not-bound", "DEALER", lambda m, s: s.unbind("tcp://127.0.0.1:1"), ()),
    ("disconnect-not-connected", "DEALER", lambda m, s: s.disconnect("tcp://127.0.0.1:1"), ()),
    ("bind_to_random_port-empty-range", "DEALER",
     lambda m, s: s.bind_to_random_port("tcp://127.0.0.1", min_port=10, max_port=5), ()),
    ("monitor-bad-address", "DEALER", lambda m, s: s.monitor("tcp://x", 0), ()),
    # -- contexts and sockets
    ("socket-unknown-type", "DEALER", lambda m, s: s.context.socket(9999), ()),
    ("socket-type-str", "DEALER", lambda m, s: s.context.socket("PUSH"), ()),
    ("context-io-threads-negative", "DEALER", lambda m, s: m.Context(-1), ()),
    ("context-io-threads-str", "DEALER", lambda m, s: m.Context("x"), ()),
    ("closed-send", "DEALER", _closed_then(lambda m, s: s.send(b"x")), ()),
    ("closed-recv", "DEALER", _closed_then(lambda m, s: s.recv()), ()),
    ("closed-getsockopt", "DEALER", _closed_then(lambda m, s: s.getsockopt(m.LINGER)), ()),
    ("closed-bind", "DEALER", _closed_then(lambda m, s: s.bind("inproc://x")), ()),
    ("socket-after-term", "DEALER",
     _closed_then(lambda m, s: (s.context.term(), s.context.socket(m.PUB))),
     xfail(DELIBERATE + ": zmqx raises ContextTerminated (ETERM), pyzmq ZMQError(ENOTSUP)")),
    # -- polling, proxies, helpers
    ("poller-non-socket", "DEALER", lambda m, s: _poll_registered(m, s), ()),
    ("zmq_poll-non-socket", "DEALER", lambda m, s: m.zmq_poll([("x", m.POLLIN)], 0), ()),
    ("select-non-socket", "DEALER", lambda m, s: m.select(["x"], [], [], 0), ()),
    ("proxy-non-socket", "DEALER", lambda m, s: m.proxy("a", "b"), ()),
    ("device-non-socket", "DEALER", lambda m, s: m.device(m.QUEUE, "a", "b"), ()),
    ("tracker-wait-str", "DEALER", lambda m, s: _tracker_of_queued(m, s).wait("x"), ()),
    ("curve_public-short", "DEALER", lambda m, s: m.curve_public(b"short"), ()),
    ("strerror-str", "DEALER", lambda m, s: m.strerror("x"), ()),
    ("z85-encode-length", "DEALER", lambda m, s: util(m, "z85").encode(b"abc"), ()),
    ("z85-encode-int", "DEALER", lambda m, s: util(m, "z85").encode(123), ()),
    ("z85-decode-length", "DEALER", lambda m, s: util(m, "z85").decode(b"abcd"), ()),
    ("z85-decode-non-ascii", "DEALER", lambda m, s: util(m, "z85").decode("Hellé"), ()),
    ("z85-decode-bad-char", "DEALER", lambda m, s: util(m, "z85").decode(b"Hell\x00"), ()),
    ("jsonapi-loads-bad", "DEALER", lambda m, s: util(m, "jsonapi").loads(b"{"), ()),
    ("jsonapi-dumps-object", "DEALER", lambda m, s: util(m, "jsonapi").dumps(object()), ()),
    ("strtypes-cast-int", "DEALER", lambda m, s: _quiet(util(m, "strtypes").cast_bytes, 5), ()),
    ("interop-cast-str", "DEALER", lambda m, s: util(m, "interop").cast_int_addr("0x1"), ()),
    ("pubhandler-bad-address", "DEALER",
     lambda m, s: sub(m, "log.handlers").PUBHandler(123, context=s.context), ()),
    ("pubhandler-unbindable", "DEALER",
     lambda m, s: sub(m, "log.handlers").PUBHandler("nonsense", context=s.context), ()),
    ("decorated-socket-no-type", "DEALER",
     lambda m, s: sub(m, "decorators").socket(context_name="c")(lambda c, x: x)(s.context), ()),
    ("decorated-context-bad-arg", "DEALER",
     lambda m, s: sub(m, "decorators").context("x", io_threads="x")(lambda x: x)(), ()),
    ("monitor-parse-short", "DEALER",
     lambda m, s: util(m, "monitor").parse_monitor_message([b"short", b"x"]), ()),
    ("ssh-open-tunnel-ipc", "DEALER", lambda m, s: sub(m, "ssh.tunnel").open_tunnel(
        "ipc:///tmp/x", "localhost"), ()),
]


def outcome(m, socket_type, call):
    """What ``call`` raised (None if nothing), on a fresh context and socket."""
    ctx = m.Context()
    s = ctx.socket(getattr(m, socket_type))
    s.linger = 0
    s.sndtimeo = s.rcvtimeo = 1000  # nothing in the table may block for long
    try:
        call(m, s)
    except Exception as e:
        return e
    finally:
        s.close(linger=0)
        if not ctx.closed:
            ctx.destroy(linger=0)
    return None


def zmqx_class_for(exc):
    """zmqx's counterpart of the class of pyzmq's exception ``exc``."""
    cls = type(exc)
    if cls.__module__.startswith("zmq"):
        return getattr(zmqx, cls.__name__)
    return cls


@pytest.mark.parametrize("socket_type, call", [
    pytest.param(st, call, id=name, marks=marks) for name, st, call, marks in ROWS])
def test_same_exception_as_pyzmq(socket_type, call):
    expected = outcome(pyzmq, socket_type, call)
    got = outcome(zmqx, socket_type, call)
    if expected is None:
        assert got is None, f"pyzmq accepts this call; zmqx raises {got!r}"
        return
    assert got is not None, f"pyzmq raises {expected!r}; zmqx accepts the call"
    assert isinstance(got, zmqx_class_for(expected)), \
        f"pyzmq raises {type(expected).__name__}: {expected}; zmqx {type(got).__name__}: {got}"
    if isinstance(expected, pyzmq.ZMQError):
        assert got.errno == expected.errno, f"errno {got.errno}, pyzmq {expected.errno}"
