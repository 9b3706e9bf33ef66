"""Socket: endpoints, lifetime, polling, subscriptions and options."""
import errno
import re
import select
import threading
import time

import pytest

from _backend import TIMEOUT_MS, run_in_thread, subscribe_and_sync, wait_until, zmq

# ---------------------------------------------------------------- endpoints


def test_bind_connect_both_directions(pair, transport):
    a, b = pair(transport)
    b.send(b"from connect side")
    assert a.recv() == b"from connect side"
    a.send(b"from bind side")
    assert b.recv() == b"from bind side"


def test_last_endpoint_resolves_tcp_port(sock):
    s = sock(zmq.PULL)
    s.bind("tcp://127.0.0.1:0")
    url = s.get_string(zmq.LAST_ENDPOINT)
    assert isinstance(url, str)
    assert s.get(zmq.LAST_ENDPOINT) == url.encode()
    m = re.fullmatch(r"tcp://127\.0\.0\.1:(\d+)", url)
    assert m and int(m.group(1)) > 0


def test_bind_to_random_port(sock):
    pull = sock(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1", min_port=50000, max_port=60000)
    assert isinstance(port, int) and 50000 <= port < 60000
    assert pull.get_string(zmq.LAST_ENDPOINT) == f"tcp://127.0.0.1:{port}"
    push = sock(zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"via random port")
    assert pull.recv() == b"via random port"


def _bind_when_free(s, url):
    """tcp/ipc listeners close in libzmq's I/O thread: retry while in use."""
    def try_bind():
        try:
            s.bind(url)
            return True
        except zmq.ZMQError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            return False

    wait_until(try_bind, what=f"{url} to be free again")


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_unbind_releases_the_address(sock, bound, transport):
    first, second = sock(zmq.PULL), sock(zmq.PULL)
    url = bound(first, transport)
    with pytest.raises(zmq.ZMQError) as info:
        second.bind(url)
    assert info.value.errno == errno.EADDRINUSE
    first.unbind(url)
    _bind_when_free(second, url)
    push = sock(zmq.PUSH)
    push.connect(url)
    push.send(b"to the new owner")
    assert second.recv() == b"to the new owner"


def test_unbind_unknown_endpoint_is_enoent(sock):
    with pytest.raises(zmq.ZMQError) as info:
        sock(zmq.PULL).unbind("inproc://never-bound")
    assert info.value.errno == errno.ENOENT


def test_bind_as_context_manager_unbinds_at_exit(sock, endpoint, transport):
    pull, push = sock(zmq.PULL), sock(zmq.PUSH)
    with pull.bind(endpoint(transport)):
        url = pull.get_string(zmq.LAST_ENDPOINT)
        push.connect(url)
        push.send(b"inside")
        assert pull.recv() == b"inside"
    with pytest.raises(zmq.ZMQError) as info:
        pull.unbind(url)  # already unbound by the with block
    assert info.value.errno == errno.ENOENT


def test_disconnect_stops_routing_to_that_peer(sock, bound):
    pulls = [sock(zmq.PULL), sock(zmq.PULL)]
    urls = [bound(p, "inproc") for p in pulls]
    push = sock(zmq.PUSH)
    for url in urls:
        push.connect(url)
    push.disconnect(urls[1])
    for i in range(4):
        push.send(b"%d" % i)
    assert [pulls[0].recv() for _ in range(4)] == [b"0", b"1", b"2", b"3"]
    assert pulls[1].poll(0) == 0


def test_disconnect_unknown_endpoint_is_enoent(sock):
    with pytest.raises(zmq.ZMQError) as info:
        sock(zmq.PUSH).disconnect("tcp://127.0.0.1:1")
    assert info.value.errno == errno.ENOENT


# ---------------------------------------------------------------- lifetime


def test_close_sets_closed_and_is_idempotent(ctx):
    s = ctx.socket(zmq.PUSH)
    assert s.closed is False
    s.close()
    assert s.closed is True
    s.close()
    assert s.closed is True


def test_close_linger_zero_discards_pending_messages():
    c = zmq.Context()
    push = c.socket(zmq.PUSH)
    push.connect("tcp://127.0.0.1:1")  # nobody listens: the message stays queued
    push.send(b"never delivered")
    push.close(linger=0)
    run_in_thread(c.term, timeout=5)  # with linger -1 this would wait for ever


def test_close_keeps_pending_messages_until_delivered(ctx, endpoint):
    """Default linger (-1): close() keeps the message; term() waits for delivery."""
    url = endpoint("ipc")
    other = zmq.Context()
    push = other.socket(zmq.PUSH)
    push.connect(url)  # no listener yet
    push.send(b"kept after close")
    push.close()
    terminated = threading.Event()
    t = threading.Thread(target=lambda: (other.term(), terminated.set()), daemon=True)
    t.start()
    assert not terminated.wait(0.3), "term() must wait for the lingering message"
    pull = ctx.socket(zmq.PULL)
    pull.rcvtimeo = TIMEOUT_MS
    pull.bind(url)
    assert pull.recv() == b"kept after close"
    t.join(5)
    assert terminated.is_set()
    pull.close()


def test_socket_context_manager_closes(ctx):
    with ctx.socket(zmq.PUSH) as s:
        assert not s.closed
    assert s.closed


def test_fileno_signals_incoming_messages(pair):
    a, b = pair()
    fd = a.fileno()
    assert isinstance(fd, int) and fd >= 0
    assert fd == a.get(zmq.FD)
    b.send(b"wake up")
    deadline = time.monotonic() + 5
    while not a.events & zmq.POLLIN:  # ZMQ_FD is edge-triggered: re-check events
        assert time.monotonic() < deadline, "message never signalled on fileno()"
        select.select([fd], [], [], 0.5)
    assert a.recv(zmq.NOBLOCK) == b"wake up"


# ---------------------------------------------------------------- poll


def test_poll_times_out_with_zero(pair):
    a, _ = pair()
    start = time.monotonic()
    assert a.poll(100) == 0
    assert 0.08 <= time.monotonic() - start < 2


def test_poll_reports_readable_and_writable(pair):
    a, b = pair()
    assert a.poll(0, zmq.POLLOUT) == zmq.POLLOUT
    b.send(b"x")
    assert a.poll(TIMEOUT_MS) == zmq.POLLIN
    assert a.poll(0, zmq.POLLIN | zmq.POLLOUT) == zmq.POLLIN | zmq.POLLOUT
    assert a.recv() == b"x"


def test_poll_wakes_for_a_message_from_another_thread(ctx, sock, bound):
    pull = sock(zmq.PULL)
    url = bound(pull, "tcp")

    def sender():
        with ctx.socket(zmq.PUSH) as push:
            push.linger = TIMEOUT_MS  # deliver before the close completes
            push.connect(url)
            push.send(b"late")

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    assert pull.poll(TIMEOUT_MS) == zmq.POLLIN
    assert pull.recv() == b"late"
    t.join(5)
    assert not t.is_alive()


# ---------------------------------------------------------------- subscriptions


def test_subscribe_filters_by_prefix(pubsub, transport):
    pub, sub = pubsub(transport, topic=b"a")
    for msg in (b"a1", b"b1", b"a2", b"aend"):
        pub.send(msg)
    assert [sub.recv() for _ in range(3)] == [b"a1", b"a2", b"aend"]


def test_unsubscribe_and_str_topics(pubsub):
    pub, sub = pubsub(topic="a")  # str topics are encoded as UTF-8
    sub.unsubscribe("a")
    subscribe_and_sync(pub, sub, b"z")  # subscriptions are applied in order
    for msg in (b"a-dropped", b"z-kept"):
        pub.send(msg)
    assert sub.recv() == b"z-kept"


def test_subscribe_on_non_sub_socket_is_einval(sock):
    with pytest.raises(zmq.ZMQError) as info:
        sock(zmq.PUSH).subscribe(b"x")
    assert info.value.errno == errno.EINVAL


# ---------------------------------------------------------------- options

# (attribute, option constant name, value to set): the value's type is the
# option's Python type, and reading it back must give the same value and type.
OPTIONS = [
    ("linger", "LINGER", 250),
    ("sndhwm", "SNDHWM", 10),
    ("rcvhwm", "RCVHWM", 20),
    ("rcvtimeo", "RCVTIMEO", 1234),
    ("sndtimeo", "SNDTIMEO", 4321),
    ("reconnect_ivl", "RECONNECT_IVL", 50),
    ("reconnect_ivl_max", "RECONNECT_IVL_MAX", 500),
    ("backlog", "BACKLOG", 7),
    ("immediate", "IMMEDIATE", 1),
    ("ipv6", "IPV6", 1),
    ("sndbuf", "SNDBUF", 65536),
    ("rcvbuf", "RCVBUF", 65536),
    ("handshake_ivl", "HANDSHAKE_IVL", 3000),
    ("connect_timeout", "CONNECT_TIMEOUT", 100),
    ("tcp_maxrt", "TCP_MAXRT", 200),
    ("tos", "TOS", 8),
    ("affinity", "AFFINITY", 2**40 + 3),
    ("maxmsgsize", "MAXMSGSIZE", 2**33),
    ("identity", "IDENTITY", b"peer-1"),
    ("routing_id", "ROUTING_ID", b"\x00binary\xff"),
    ("tcp_keepalive", "TCP_KEEPALIVE", 1),
    ("tcp_keepalive_idle", "TCP_KEEPALIVE_IDLE", 30),
    ("tcp_keepalive_cnt", "TCP_KEEPALIVE_CNT", 4),
    ("tcp_keepalive_intvl", "TCP_KEEPALIVE_INTVL", 5),
    ("heartbeat_ivl", "HEARTBEAT_IVL", 100),
    ("heartbeat_timeout", "HEARTBEAT_TIMEOUT", 300),
    ("heartbeat_ttl", "HEARTBEAT_TTL", 500),
    ("zap_domain", "ZAP_DOMAIN", b"global"),
]


@pytest.mark.parametrize("attr,name,value", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_option_as_attribute_round_trips(sock, attr, name, value):
    s = sock(zmq.DEALER)
    setattr(s, attr, value)
    got = getattr(s, attr)
    assert got == value and type(got) is type(value)
    assert s.getsockopt(getattr(zmq, name)) == value


@pytest.mark.parametrize("setter,getter", [("set", "get"), ("setsockopt", "getsockopt")])
def test_set_get_methods(sock, setter, getter):
    s = sock(zmq.DEALER)
    getattr(s, setter)(zmq.LINGER, 42)
    assert getattr(s, getter)(zmq.LINGER) == 42
    getattr(s, setter)(zmq.ROUTING_ID, b"rid")
    assert getattr(s, getter)(zmq.ROUTING_ID) == b"rid"


def test_set_string_get_string(sock):
    s = sock(zmq.DEALER)
    s.set_string(zmq.ROUTING_ID, "naïve")
    assert s.get_string(zmq.ROUTING_ID) == "naïve"
    assert s.get(zmq.ROUTING_ID) == "naïve".encode()


def test_identity_and_routing_id_are_the_same_option(sock):
    s = sock(zmq.DEALER)
    s.identity = b"same"
    assert s.routing_id == b"same"
    assert s.get(zmq.IDENTITY) == b"same"


def test_hwm_sets_both_directions(sock):
    s = sock(zmq.DEALER)
    s.hwm = 5
    assert (s.sndhwm, s.rcvhwm, s.hwm) == (5, 5, 5)


def test_sndhwm_limits_queued_messages(sock, bound):
    pull = sock(zmq.PULL, rcvhwm=1)
    push = sock(zmq.PUSH, sndhwm=1)
    push.connect(bound(pull, "inproc"))
    sent = 0
    with pytest.raises(zmq.Again):
        for _ in range(100):
            push.send(b"x", zmq.NOBLOCK)
            sent += 1
    assert 1 <= sent <= 4  # inproc capacity is about sndhwm + rcvhwm
    assert [pull.recv() for _ in range(sent)] == [b"x"] * sent


def test_read_only_options(pair):
    a, b = pair()
    assert a.type == zmq.PAIR
    assert a.rcvmore == 0
    assert a.events & zmq.POLLOUT
    b.send_multipart([b"1", b"2"])
    assert a.recv() == b"1"
    assert a.rcvmore == 1
    assert a.recv() == b"2"
    assert a.rcvmore == 0


def test_rcvtimeo_raises_again(sock):
    s = sock(zmq.PULL, rcvtimeo=100)
    s.bind("inproc://rcvtimeo")
    start = time.monotonic()
    with pytest.raises(zmq.Again):
        s.recv()
    assert 0.08 <= time.monotonic() - start < 2


def test_sndtimeo_raises_again(sock):
    s = sock(zmq.PUSH, sndtimeo=100)  # no peer: nothing to queue to
    start = time.monotonic()
    with pytest.raises(zmq.Again):
        s.send(b"x")
    assert 0.08 <= time.monotonic() - start < 2


def test_router_mandatory_raises_ehostunreach(sock):
    router = sock(zmq.ROUTER)
    router.send_multipart([b"nobody", b"dropped silently"])  # default: no error
    router.router_mandatory = 1
    with pytest.raises(zmq.ZMQError) as info:
        router.send_multipart([b"nobody", b"x"])
    assert info.value.errno == errno.EHOSTUNREACH


def test_tcp_keepalive_and_heartbeats_on_a_live_connection(pair):
    opts = dict(tcp_keepalive=1, tcp_keepalive_idle=10, heartbeat_ivl=20,
                heartbeat_timeout=200, heartbeat_ttl=1000)
    a, b = pair("tcp", zmq.DEALER, zmq.DEALER, **opts)
    for s in (a, b):
        assert (s.tcp_keepalive, s.heartbeat_ivl, s.heartbeat_timeout) == (1, 20, 200)
    b.send(b"ping")
    assert a.recv() == b"ping"
    # several heartbeat intervals later the connection must still be up
    assert a.poll(150) == 0
    a.send(b"pong")
    assert b.recv() == b"pong"


def test_options_on_closed_socket_raise(ctx):
    s = ctx.socket(zmq.PUSH)
    s.close()
    with pytest.raises(zmq.ZMQError) as info:
        s.linger = 0
    assert info.value.errno == errno.ENOTSOCK
