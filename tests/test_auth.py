"""ZAP authentication over tcp://127.0.0.1: who the authenticator lets in.

Each case runs a REP server whose monitor reports the handshake's outcome;
tests wait for that event (bounded), never sleep.  Under
ZMQX_TEST_MODULE=zmq the same tests describe pyzmq's ThreadAuthenticator.
"""
import importlib
import os
import time

import pytest
from _backend import IS_ZMQX, MODULE_NAME, run_in_thread, zmq

auth_mod = importlib.import_module(f"{MODULE_NAME}.auth")
thread_mod = importlib.import_module(f"{MODULE_NAME}.auth.thread")
monitor = importlib.import_module(f"{MODULE_NAME}.utils.monitor")
z85 = importlib.import_module(f"{MODULE_NAME}.utils.z85")
E = zmq.Event
DEADLINE_S = 5.0
FAILED = (E.HANDSHAKE_FAILED_NO_DETAIL | E.HANDSHAKE_FAILED_PROTOCOL
          | E.HANDSHAKE_FAILED_AUTH)
OUTCOMES = FAILED | E.HANDSHAKE_SUCCEEDED

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")


@pytest.fixture
def auth(ctx):
    """A running ThreadAuthenticator, stopped at teardown (before the context)."""
    a = thread_mod.ThreadAuthenticator(ctx)
    a.start()
    yield a
    a.stop()
    assert not a.is_alive()


@pytest.fixture
def keys(tmp_path):
    """Server and client certificates; the client's public one in tmp/allowed."""
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    server = auth_mod.load_certificate(auth_mod.create_certificates(tmp_path, "server")[1])
    public, secret = auth_mod.create_certificates(tmp_path, "client")
    os.replace(public, allowed / "client.key")
    client = auth_mod.load_certificate(secret)
    return {"server": server, "client": client, "allowed": str(allowed)}


class Server:
    """A REP server with a monitor; ``outcome()`` is the next handshake event."""

    def __init__(self, sock, mechanism="curve", server_keys=None, domain=None):
        self.rep = sock(zmq.REP, linger=0)
        if domain is not None:
            self.rep.zap_domain = domain.encode()
        if mechanism == "curve":
            self.rep.curve_server = True
            self.rep.curve_publickey, self.rep.curve_secretkey = server_keys
        elif mechanism == "plain":
            self.rep.plain_server = True
        self.mon = self.rep.get_monitor_socket(OUTCOMES)
        self.rep.bind("tcp://127.0.0.1:0")
        self.url = self.rep.get_string(zmq.LAST_ENDPOINT)

    def outcome(self):
        deadline = time.monotonic() + DEADLINE_S
        while True:
            left = deadline - time.monotonic()
            assert left > 0 and self.mon.poll(int(left * 1000)), "no handshake event"
            event = monitor.recv_monitor_message(self.mon)
            if event["event"] & OUTCOMES:
                return event

    def serves(self, client):
        """One REQ/REP exchange; the server's handshake outcome first."""
        client.send(b"ping")
        event = self.outcome()
        assert event["event"] == E.HANDSHAKE_SUCCEEDED, event
        frame = self.rep.recv(copy=False)
        assert frame.bytes == b"ping"
        self.rep.send(b"pong")
        assert client.recv() == b"pong"
        return frame

    def refuses(self, client):
        client.send(b"ping")
        event = self.outcome()
        assert event["event"] & FAILED, event
        assert not self.rep.poll(50), "a refused client's request arrived"
        return event


def curve_client(sock, url, server_public, client_keys):
    c = sock(zmq.REQ, linger=0)
    c.curve_serverkey = server_public
    c.curve_publickey, c.curve_secretkey = client_keys
    c.connect(url)
    return c


def test_allow_listed_curve_client_is_served_with_its_user_id(auth, keys, sock):
    auth.allow("127.0.0.1")
    auth.configure_curve(domain="*", location=keys["allowed"])
    server = Server(sock, server_keys=keys["server"])
    frame = server.serves(curve_client(sock, server.url, keys["server"][0], keys["client"]))
    assert frame.get("User-Id") == keys["client"][0].decode()
    if IS_ZMQX:  # answered by the compiled handler, no Python call
        assert auth._zap_core.answered == 1


def test_unknown_curve_key_is_refused(auth, keys, sock):
    auth.configure_curve(location=keys["allowed"])
    server = Server(sock, server_keys=keys["server"])
    event = server.refuses(curve_client(sock, server.url, keys["server"][0],
                                        zmq.curve_keypair()))
    assert event["event"] == E.HANDSHAKE_FAILED_AUTH and event["value"] == 400


def test_plaintext_client_to_curve_server_is_refused(auth, keys, sock):
    auth.configure_curve(location=keys["allowed"])
    server = Server(sock, server_keys=keys["server"])
    client = sock(zmq.REQ, linger=0)
    client.connect(server.url)
    event = server.refuses(client)
    assert event["event"] == E.HANDSHAKE_FAILED_PROTOCOL


def test_wrong_server_key_is_refused(auth, keys, sock):
    auth.configure_curve(location=keys["allowed"])
    server = Server(sock, server_keys=keys["server"])
    wrong = zmq.curve_keypair()[0]
    event = server.refuses(curve_client(sock, server.url, wrong, keys["client"]))
    assert event["event"] == E.HANDSHAKE_FAILED_PROTOCOL


def test_denied_ip_is_refused_before_its_key_is_checked(auth, keys, sock):
    auth.deny("127.0.0.1")
    auth.configure_curve(location=auth_mod.CURVE_ALLOW_ANY)
    server = Server(sock, server_keys=keys["server"])
    event = server.refuses(curve_client(sock, server.url, keys["server"][0], keys["client"]))
    assert event["event"] == E.HANDSHAKE_FAILED_AUTH


def test_address_not_on_the_allow_list_is_refused(auth, keys, sock):
    auth.allow("192.0.2.1")
    auth.configure_curve(location=auth_mod.CURVE_ALLOW_ANY)
    server = Server(sock, server_keys=keys["server"])
    server.refuses(curve_client(sock, server.url, keys["server"][0], keys["client"]))


def test_allow_and_deny_exclude_each_other(auth):
    auth.allow("127.0.0.1")
    with pytest.raises(ValueError):
        auth.deny("10.0.0.1")


def test_curve_allow_any_serves_any_key(auth, keys, sock):
    auth.configure_curve(location=auth_mod.CURVE_ALLOW_ANY)
    server = Server(sock, server_keys=keys["server"])
    anyone = zmq.curve_keypair()
    frame = server.serves(curve_client(sock, server.url, keys["server"][0], anyone))
    assert frame.get("User-Id") == anyone[0].decode()


def test_curve_policy_is_per_domain(auth, keys, sock):
    auth.configure_curve(domain="inner", location=keys["allowed"])
    inner = Server(sock, server_keys=keys["server"], domain="inner")
    inner.serves(curve_client(sock, inner.url, keys["server"][0], keys["client"]))
    outer = Server(sock, server_keys=keys["server"], domain="outer")
    outer.refuses(curve_client(sock, outer.url, keys["server"][0], keys["client"]))


class Provider:
    def __init__(self, allowed):
        self.allowed, self.asked = allowed, []

    def callback(self, domain, key):
        self.asked.append((domain, key))
        return key == self.allowed


def test_curve_callback_decides_in_python(auth, keys, sock):
    provider = Provider(keys["client"][0])
    auth.configure_curve_callback("*", provider)
    server = Server(sock, server_keys=keys["server"])
    server.serves(curve_client(sock, server.url, keys["server"][0], keys["client"]))
    server.refuses(curve_client(sock, server.url, keys["server"][0], zmq.curve_keypair()))
    assert [key for _, key in provider.asked][0] == keys["client"][0]
    assert len(provider.asked) == 2


def plain_client(sock, url, username, password):
    c = sock(zmq.REQ, linger=0)
    c.plain_username, c.plain_password = username, password
    c.connect(url)
    return c


def test_plain_right_password_served_wrong_password_refused(auth, sock):
    auth.configure_plain("*", {"admin": "secret"})
    server = Server(sock, mechanism="plain")
    frame = server.serves(plain_client(sock, server.url, b"admin", b"secret"))
    assert frame.get("User-Id") == "admin"
    for user, password in ((b"admin", b"wrong"), (b"nobody", b"secret")):
        event = server.refuses(plain_client(sock, server.url, user, password))
        assert event["event"] == E.HANDSHAKE_FAILED_AUTH


def test_null_clients_follow_the_ip_lists(ctx, sock):
    a = thread_mod.ThreadAuthenticator(ctx)
    a.start()
    try:
        a.deny("127.0.0.1")
        server = Server(sock, mechanism="null", domain="global")  # a domain asks ZAP
        client = sock(zmq.REQ, linger=0)
        client.connect(server.url)
        server.refuses(client)
    finally:
        a.stop()


@pytest.mark.zmqx_only  # pyzmq's restart finds its inproc endpoints still bound (EADDRINUSE)
def test_stop_and_restart(ctx, keys, sock):
    a = thread_mod.ThreadAuthenticator(ctx)
    for _ in range(2):
        a.start()
        assert a.is_alive()
        a.configure_curve(location=keys["allowed"])
        server = Server(sock, server_keys=keys["server"])
        server.serves(curve_client(sock, server.url, keys["server"][0], keys["client"]))
        a.stop()
        assert not a.is_alive() and a.zap_socket is None


def test_policy_change_applies_to_the_next_handshake(auth, keys, sock):
    auth.configure_curve(location=keys["allowed"])
    server = Server(sock, server_keys=keys["server"])
    stranger = zmq.curve_keypair()
    server.refuses(curve_client(sock, server.url, keys["server"][0], stranger))
    auth.configure_curve(location=auth_mod.CURVE_ALLOW_ANY)
    server.serves(curve_client(sock, server.url, keys["server"][0], stranger))


class Renamer(thread_mod.ThreadAuthenticator):
    def curve_user_id(self, client_public_key):
        return "user-" + z85.encode(client_public_key).decode()[:4]


def test_subclass_override_is_honoured(ctx, keys, sock):
    a = Renamer(ctx)
    a.start()
    try:
        a.configure_curve(location=keys["allowed"])
        server = Server(sock, server_keys=keys["server"])
        frame = server.serves(curve_client(sock, server.url, keys["server"][0],
                                           keys["client"]))
        assert frame.get("User-Id") == "user-" + keys["client"][0].decode()[:4]
    finally:
        a.stop()


@pytest.mark.zmqx_only  # pyzmq's auth thread keeps its sockets open: term() hangs
def test_context_term_ends_a_running_authenticator():
    c = zmq.Context()
    a = thread_mod.ThreadAuthenticator(c)
    a.start()
    run_in_thread(c.term, timeout=10.0)
    a.thread.join(5)
    assert not a.is_alive()


class Broken:
    def callback(self, domain, key):
        raise RuntimeError("database down")


@pytest.mark.zmqx_only  # pyzmq's auth thread dies: every later handshake hangs
def test_failing_callback_refuses_and_the_authenticator_lives_on(auth, keys, sock):
    auth.configure_curve_callback("*", Broken())
    server = Server(sock, server_keys=keys["server"])
    server.refuses(curve_client(sock, server.url, keys["server"][0], keys["client"]))
    assert auth.is_alive()
    auth.configure_curve(location=auth_mod.CURVE_ALLOW_ANY)
    server.serves(curve_client(sock, server.url, keys["server"][0], keys["client"]))
