"""The modules at pyzmq's paths behave as pyzmq's: decorators, log handlers
(and ``python -m <module>.log``), utils.jsonapi/z85/strtypes/interop,
sugar/backend/devices re-exports, the top-level names, utils.monitor.

Written against the module under test (``_backend``), so
``ZMQX_TEST_MODULE=zmq`` checks that they describe pyzmq's behaviour.
"""
import asyncio
import importlib
import json
import logging
import os
import selectors
import subprocess
import sys
import warnings

import pytest

from _backend import MODULE_NAME, TIMEOUT_MS, subscribe_and_sync, zmq


def sub(name):
    """The module under test's submodule ``name`` (zmqx.log.handlers / zmq.log.handlers)."""
    return importlib.import_module(f"{MODULE_NAME}.{name}")


# ---------------------------------------------------------------- decorators


def test_context_decorator_creates_and_closes():
    decorators = sub("decorators")
    seen = []

    @decorators.context()
    def work(ctx):
        assert isinstance(ctx, zmq.Context) and not ctx.closed
        seen.append(ctx)
        return "done"

    assert work() == "done"
    assert seen[0].closed


def test_socket_decorators_create_and_close_even_on_error():
    decorators = sub("decorators")
    seen = {}

    @decorators.context()
    @decorators.socket(zmq.PUSH)
    @decorators.socket("pull", zmq.PULL)
    def work(ctx, push, pull):
        seen.update(ctx=ctx, push=push, pull=pull)
        assert push.context is ctx and pull.context is ctx  # taken from the call's args
        assert push.type == zmq.PUSH and pull.type == zmq.PULL
        pull.rcvtimeo = TIMEOUT_MS
        push.bind("inproc://decorated")
        pull.connect("inproc://decorated")
        push.send(b"through")
        assert pull.recv() == b"through"
        raise KeyError("boom")

    with pytest.raises(KeyError):
        work()
    assert seen["push"].closed and seen["pull"].closed and seen["ctx"].closed


def test_socket_decorator_uses_context_keyword_and_instance():
    decorators = sub("decorators")

    @decorators.socket(zmq.PUB, name="pub")
    def with_context(context=None, pub=None):
        assert pub.context is context
        return pub

    ctx = zmq.Context()
    try:
        assert with_context(context=ctx).closed
        assert not ctx.closed  # the decorator closes only what it opened

        @decorators.socket(zmq.PAIR)
        def default(s):
            assert s.context is zmq.Context.instance()
            return s

        assert default().closed
    finally:
        ctx.term()


def test_decorator_name_given_twice_is_type_error():
    decorators = sub("decorators")

    @decorators.context("ctx")
    def work(ctx=None):
        return ctx

    with pytest.raises(TypeError):
        work(ctx=1)


# ---------------------------------------------------------------- log


@pytest.fixture
def pub_handler(ctx):
    handlers = sub("log.handlers")
    pub = ctx.socket(zmq.PUB)
    pub.bind("inproc://log")
    subscriber = ctx.socket(zmq.SUB)
    subscriber.rcvtimeo = TIMEOUT_MS
    subscriber.connect("inproc://log")
    subscribe_and_sync(pub, subscriber)
    handler = handlers.PUBHandler(pub)
    yield handler, subscriber
    subscriber.close(linger=0)
    pub.close(linger=0)


def test_pubhandler_topics(pub_handler):
    handler, subscriber = pub_handler
    log = logging.Logger("zmqtest")  # not registered: no other handler sees it
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)

    log.info("plain %s", "text")
    assert subscriber.recv_multipart() == [b"INFO", b"plain text\n"]

    handler.root_topic = "app"
    log.warning("db.pool::lost %d", 3)
    topic, body = subscriber.recv_multipart()
    assert topic == b"app.WARNING.db.pool"
    assert body.startswith(b"WARNING ") and body.endswith(b" - lost 3\n")

    handler.setRootTopic(b"svc")  # bytes are decoded
    assert handler.root_topic == "svc"
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.error("e")
    assert subscriber.recv_multipart() == [b"svc.ERROR", b"e"]


def test_pubhandler_subscription_filters_by_topic(ctx):
    handlers = sub("log.handlers")
    handler = handlers.PUBHandler("inproc://log-filter", context=ctx, root_topic="app")
    subscriber = ctx.socket(zmq.SUB)
    subscriber.rcvtimeo = TIMEOUT_MS
    subscriber.connect("inproc://log-filter")
    subscribe_and_sync(handler.socket, subscriber, b"app.ERROR")
    log = logging.Logger("filtered")
    log.addHandler(handler)
    log.warning("dropped: SUB is not subscribed to WARNING")
    log.error("kept")
    assert subscriber.recv_multipart()[0] == b"app.ERROR"
    assert subscriber.poll(50) == 0
    subscriber.close(linger=0)
    handler.socket.close(linger=0)


@pytest.mark.zmqx_only  # pyzmq 27's TopicLogger.info() etc. raise TypeError (closure bug)
def test_topic_logger(pub_handler):
    handlers = sub("log.handlers")
    handler, subscriber = pub_handler
    log = handlers.TopicLogger("topics")
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    log.info("jobs.done", "%d jobs", 5)
    assert subscriber.recv_multipart() == [b"INFO.jobs.done", b"5 jobs\n"]
    log.log(logging.ERROR, "disk", "full")
    assert subscriber.recv_multipart()[0] == b"ERROR.disk"


def test_log_watcher_prints_records(tmp_path):
    """``python -m <module>.log URL`` prints "topic | message" per record."""
    addr = f"ipc://{tmp_path}/log.ipc"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(zmq.__file__))),
         os.environ.get("PYTHONPATH", "")]), PYTHONUNBUFFERED="1")
    watcher = subprocess.Popen([sys.executable, "-m", f"{MODULE_NAME}.log", addr],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               text=True)
    ctx = zmq.Context()
    handler = sub("log.handlers").PUBHandler(addr, context=ctx, root_topic="w")
    log = logging.Logger("watched")
    log.addHandler(handler)
    try:
        monitor = handler.socket.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
        monitor.rcvtimeo = 15000  # the watcher's interpreter has to start first
        monitor.recv_multipart()  # the watcher connected and subscribed
        # the subscription travels after the handshake: log until a line comes
        with selectors.DefaultSelector() as sel:
            sel.register(watcher.stdout, selectors.EVENT_READ)
            for _ in range(100):
                log.warning("hello::watcher")
                if sel.select(0.1):
                    break
            line = watcher.stdout.readline()
        assert line.startswith("w.WARNING.hello | WARNING ")
        assert line.rstrip().endswith("- watcher")
    finally:
        watcher.terminate()
        watcher.wait(10)
        handler.socket.close(linger=0)
        ctx.destroy(linger=0)


# ---------------------------------------------------------------- utils


def test_jsonapi_round_trip_and_errors():
    jsonapi = sub("utils.jsonapi")
    obj = {"a": [1, 2.5, None], "ü": "ß"}
    data = jsonapi.dumps(obj)
    assert isinstance(data, bytes) and json.loads(data.decode("utf8")) == obj
    assert jsonapi.loads(data) == obj
    assert jsonapi.loads(data.decode("utf8")) == obj  # str too
    assert jsonapi.dumps(obj, sort_keys=True, separators=(",", ":")) == \
        '{"a":[1,2.5,null],"\\u00fc":"\\u00df"}'.encode()
    with pytest.raises(TypeError):
        jsonapi.dumps(object())
    with pytest.raises(ValueError):
        jsonapi.loads(b"{not json")
    with pytest.raises(UnicodeDecodeError):
        jsonapi.loads(b"\xff")


def test_z85_round_trip_and_rfc_vector():
    z85 = sub("utils.z85")
    raw = bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])  # ZeroMQ RFC 32
    assert z85.encode(raw) == b"HelloWorld"
    assert z85.decode(b"HelloWorld") == raw
    assert z85.decode("HelloWorld") == raw
    for data in (b"", bytes(range(256)), bytearray(b"abcd"), memoryview(b"1234" * 10)):
        assert z85.decode(z85.encode(data)) == bytes(data)
    assert len(z85.Z85CHARS) == 85 and z85.Z85MAP[ord("H")] == z85.Z85CHARS.index(b"H")


@pytest.mark.parametrize("call, exc", [
    (lambda z: z.encode(b"abc"), ValueError),
    (lambda z: z.encode(123), TypeError),
    (lambda z: z.decode(b"abcd"), ValueError),
    (lambda z: z.decode("Hellé"), ValueError),
    (lambda z: z.decode(b"Hell\x00"), KeyError),  # not in the alphabet
    (lambda z: z.decode(123), TypeError),
], ids=["encode-len", "encode-int", "decode-len", "decode-non-ascii", "decode-bad-char",
        "decode-int"])
def test_z85_errors(call, exc):
    with pytest.raises(exc):
        call(sub("utils.z85"))


def test_strtypes_casts_warn():
    strtypes = sub("utils.strtypes")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert strtypes.cast_bytes("é") == "é".encode()
        assert strtypes.cast_unicode(b"\xc3\xa9") == "é"
        assert strtypes.b is strtypes.asbytes is strtypes.cast_bytes
        assert strtypes.u("x") == "x"
    assert {w.category for w in caught} == {DeprecationWarning}
    with pytest.raises(TypeError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        strtypes.cast_bytes(5)


def test_interop_cast_int_addr():
    interop = sub("utils.interop")
    assert interop.cast_int_addr(1234) == 1234
    with pytest.raises(ValueError):
        interop.cast_int_addr("0x10")


def test_recv_monitor_message_from_async_socket():
    monitor_mod = sub("utils.monitor")
    aio = sub("asyncio")
    assert getattr(zmq, "asyncio") is aio  # importing utils.monitor made it an attribute

    async def main():
        ctx = aio.Context()
        server = ctx.socket(zmq.REP)
        mon = server.get_monitor_socket()
        server.bind("tcp://127.0.0.1:0")
        pending = monitor_mod.recv_monitor_message(mon)
        event = await asyncio.wait_for(pending, TIMEOUT_MS / 1000)
        assert event["event"] == zmq.EVENT_LISTENING
        server.disable_monitor()
        mon.close(linger=0)
        ctx.destroy(linger=0)

    asyncio.run(main())


# ---------------------------------------------------------------- re-exports


def test_sugar_and_backend_name_the_core_classes():
    assert sub("sugar.socket").Socket is zmq.Socket
    assert sub("sugar.context").Context is zmq.Context
    assert sub("sugar.frame").Frame is zmq.Frame
    assert sub("sugar.poll").Poller is zmq.Poller
    assert sub("sugar.tracker").MessageTracker is zmq.MessageTracker
    assert sub("sugar.tracker")._FINISHED_TRACKER.done
    assert sub("sugar.version").zmq_version() == zmq.zmq_version()
    backend = sub("backend")
    assert backend.zmq_version_info() == zmq.zmq_version_info()
    assert backend.IPC_PATH_MAX_LEN == zmq.IPC_PATH_MAX_LEN
    assert isinstance(zmq.Context(), sub("sugar.attrsettr").AttributeSetter)
    for name in ("Device", "ThreadDevice", "ProcessDevice"):
        assert getattr(sub("devices.basedevice"), name) is getattr(zmq.devices, name)
    assert sub("devices.proxydevice").ThreadProxy is zmq.devices.ThreadProxy
    assert sub("devices.proxysteerabledevice").ThreadProxySteerable is \
        zmq.devices.ThreadProxySteerable
    assert sub("devices.monitoredqueuedevice").ThreadMonitoredQueue is \
        zmq.devices.ThreadMonitoredQueue


def test_top_level_names():
    assert zmq.pyzmq_version_info()[:1] >= (27,)
    assert zmq.pyzmq_version().startswith("27.")
    assert isinstance(zmq.PYZMQ_DRAFT_API, bool)
    assert issubclass(zmq.DraftFDWarning, RuntimeWarning)
    assert zmq.DraftFDWarning is zmq.error.DraftFDWarning
    assert isinstance(zmq.get_library_dirs(), list)
    with pytest.warns(DeprecationWarning):
        watch = zmq.Stopwatch()
    watch.start()
    assert watch.stop() >= 0
    assert zmq.backend is sub("backend") and zmq.sugar is sub("sugar")


def test_fixed_errno_exceptions():
    """Again(), ContextTerminated(), InterruptedSystemCall() carry their own errno."""
    import errno
    assert zmq.Again().errno == errno.EAGAIN
    assert zmq.Again(errno.EINVAL).errno == errno.EAGAIN
    assert zmq.ContextTerminated().errno == zmq.ETERM
    assert zmq.InterruptedSystemCall().errno == errno.EINTR


def test_attribute_setter_subclass():
    attrsettr = sub("sugar.attrsettr")

    class Options(attrsettr.AttributeSetter):
        store: dict

        def __init__(self):
            self.store = {}

        def get(self, option):
            return self.store[option]

        def set(self, option, value):
            self.store[option] = value

    opts = Options()
    opts.linger = 5  # any case, through set()
    assert opts.store == {zmq.LINGER: 5} and opts.LINGER == 5
    with pytest.raises(AttributeError):
        opts.not_an_option = 1
    with pytest.raises(AttributeError):
        opts.not_an_option



def test_curve_keygen_prints_a_matching_pair():
    out = subprocess.run([sys.executable, "-m", f"{MODULE_NAME}.curve_keygen", "--json"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    keys = json.loads(out)
    assert zmq.curve_public(keys["secret"].encode()) == keys["public"].encode()
    again = subprocess.run([sys.executable, "-m", f"{MODULE_NAME}.curve_keygen",
                            "--secret", keys["secret"]],
                           capture_output=True, text=True, timeout=60, check=True).stdout
    assert again.split() == ["==", "CURVE", "PUBLIC", "KEY", "==", keys["public"],
                             "==", "CURVE", "SECRET", "KEY", "==", keys["secret"]]
