"""Socket monitoring over tcp://127.0.0.1: the events libzmq reports, decoded
as pyzmq's dicts (recv_monitor_message) and as typed MonitorEvents.

Each test waits for the events it names, with a deadline; nothing sleeps.
"""
import importlib
import socket as pysocket
import struct
import time

import pytest
from _backend import MODULE_NAME, zmq

monitor = importlib.import_module(f"{MODULE_NAME}.utils.monitor")
E = zmq.Event
DEADLINE_S = 5.0


def events_until(mon, *wanted, timeout=DEADLINE_S):
    """Receive events (as dicts) until every event in ``wanted`` was seen."""
    seen, deadline = [], time.monotonic() + timeout
    missing = set(wanted)
    while missing:
        left = deadline - time.monotonic()
        assert left > 0 and mon.poll(int(left * 1000)), \
            f"still waiting for {sorted(missing)}; got {[e['event'] for e in seen]}"
        seen.append(monitor.recv_monitor_message(mon))
        missing.discard(seen[-1]["event"])
    return seen


def first(events, kind):
    return next(e for e in events if e["event"] == kind)


@pytest.fixture
def lctx(ctx):
    ctx.linger = 0
    return ctx


def tcp_server(ctx, kind=zmq.REP, **options):
    """A socket monitored from before its bind; returns (socket, monitor, endpoint)."""
    s = ctx.socket(kind)
    for name, value in options.items():
        setattr(s, name, value)
    mon = s.get_monitor_socket()
    s.bind("tcp://127.0.0.1:0")
    return s, mon, s.get_string(zmq.LAST_ENDPOINT)


def test_connect_accept_handshake(lctx):
    _server, smon, url = tcp_server(lctx)
    listening = first(events_until(smon, E.LISTENING), E.LISTENING)
    assert listening["endpoint"] == url.encode()
    client = lctx.socket(zmq.REQ)
    cmon = client.get_monitor_socket()
    client.connect(url)
    cev = events_until(cmon, E.CONNECT_DELAYED, E.CONNECTED, E.HANDSHAKE_SUCCEEDED)
    order = [e["event"] for e in cev]
    assert order.index(E.CONNECT_DELAYED) < order.index(E.CONNECTED) \
        < order.index(E.HANDSHAKE_SUCCEEDED)
    sev = events_until(smon, E.ACCEPTED, E.HANDSHAKE_SUCCEEDED)
    assert all(e["endpoint"] == url.encode() for e in cev + sev)
    assert first(sev, E.ACCEPTED)["value"] > 0        # the accepted fd


def test_disconnected_and_closed(lctx):
    server, smon, url = tcp_server(lctx)
    client = lctx.socket(zmq.REQ)
    cmon = client.get_monitor_socket()
    client.connect(url)
    events_until(cmon, E.HANDSHAKE_SUCCEEDED)
    events_until(smon, E.HANDSHAKE_SUCCEEDED)
    server.unbind(url)
    server.close()
    # the server's listener and connection close; the client sees its peer go
    sev = events_until(smon, E.CLOSED, E.MONITOR_STOPPED)
    assert first(sev, E.CLOSED)["endpoint"] == url.encode()
    events_until(cmon, E.DISCONNECTED)


def test_connect_retried_when_nobody_listens(lctx):
    probe = lctx.socket(zmq.PAIR)
    port = probe.bind_to_random_port("tcp://127.0.0.1")
    probe.close()                                   # a port nobody listens on now
    client = lctx.socket(zmq.PAIR)
    client.reconnect_ivl = 20
    cmon = client.get_monitor_socket()
    client.connect(f"tcp://127.0.0.1:{port}")
    events = events_until(cmon, E.CONNECT_RETRIED)
    assert first(events, E.CONNECT_RETRIED)["value"] >= 20   # the reconnect interval, ms


def test_bind_failed(lctx):
    _server, _smon, url = tcp_server(lctx)
    other = lctx.socket(zmq.PAIR)
    omon = other.get_monitor_socket()
    with pytest.raises(zmq.ZMQError) as info:
        other.bind(url)
    assert info.value.errno == zmq.EADDRINUSE
    failed = first(events_until(omon, E.BIND_FAILED), E.BIND_FAILED)
    assert failed["value"] == zmq.EADDRINUSE
    assert url.encode().endswith(failed["endpoint"])   # libzmq 4.3 drops "tcp://" here


def test_monitor_stopped_and_disable(lctx):
    s = lctx.socket(zmq.PAIR)
    mon = s.get_monitor_socket()
    assert s.get_monitor_socket() is mon            # one monitor socket per socket
    s.monitor(None)
    assert monitor.recv_monitor_message(mon)["event"] == E.MONITOR_STOPPED
    s.disable_monitor()
    assert mon.closed


@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")
def test_handshake_failed_curve_key_mismatch(lctx):
    server_public, server_secret = zmq.curve_keypair()
    wrong_public, _ = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()
    _server, smon, url = tcp_server(lctx, curve_server=1, curve_secretkey=server_secret,
                                   curve_publickey=server_public)
    client = lctx.socket(zmq.REQ)
    client.curve_serverkey = wrong_public            # not the server's key
    client.curve_publickey = client_public
    client.curve_secretkey = client_secret
    client.connect(url)
    failed = first(events_until(smon, E.HANDSHAKE_FAILED_PROTOCOL), E.HANDSHAKE_FAILED_PROTOCOL)
    assert failed["value"] == E.PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
    client.close()


def test_handshake_failed_raw_tcp_peer(lctx):
    """A peer that sends a ZMTP 3 greeting naming an unknown mechanism."""
    _server, smon, url = tcp_server(lctx, kind=zmq.PULL)
    host, port = url.rsplit("/", 1)[1].rsplit(":", 1)
    with pysocket.create_connection((host, int(port)), timeout=DEADLINE_S) as raw:
        raw.sendall(b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00" + b"GARBAGE".ljust(20, b"\x00")
                    + b"\x00" * 32)
        events = events_until(smon, E.ACCEPTED, E.HANDSHAKE_FAILED_PROTOCOL)
    assert first(events, E.HANDSHAKE_FAILED_PROTOCOL)["value"] == \
        E.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH


# --- decoding -------------------------------------------------------------------

def test_parse_monitor_message():
    frames = [struct.pack("=HI", int(E.CONNECTED), 7), b"tcp://127.0.0.1:5555"]
    msg = monitor.parse_monitor_message(frames)
    assert msg == {"event": E.CONNECTED, "value": 7, "endpoint": b"tcp://127.0.0.1:5555"}
    assert isinstance(msg["event"], zmq.Event)
    with pytest.raises(RuntimeError):
        monitor.parse_monitor_message([b"short", b""])


@pytest.mark.zmqx_only
def test_monitor_event_typed_and_iterator(lctx):
    server, smon, url = tcp_server(lctx)
    client = lctx.socket(zmq.REQ)
    client.connect(url)
    got = []
    for ev in monitor.iter_monitor_events(smon, timeout=DEADLINE_S):
        got.append(ev)
        if ev.event == E.HANDSHAKE_SUCCEEDED:
            break
    assert [e.event for e in got] == [E.LISTENING, E.ACCEPTED, E.HANDSHAKE_SUCCEEDED]
    assert all(isinstance(e, monitor.MonitorEvent) and e.endpoint == url for e in got)
    # iterating the monitored socket itself uses its monitor socket; ends after
    # MONITOR_STOPPED
    server.monitor(None)
    assert [e.event for e in monitor.iter_monitor_events(server, timeout=DEADLINE_S)] == \
        [E.MONITOR_STOPPED]
    # and stops when nothing comes within the timeout
    quiet = lctx.socket(zmq.PAIR)                   # kept: closing it would report
    idle = quiet.get_monitor_socket()
    start = time.monotonic()
    assert list(monitor.iter_monitor_events(idle, timeout=0.05)) == []
    assert time.monotonic() - start < 2


@pytest.mark.zmqx_only
def test_monitor_event_from_frames_protocol_error_value():
    frames = [struct.pack("=HI", int(E.HANDSHAKE_FAILED_PROTOCOL),
                          int(E.PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)), b"tcp://x:1"]
    ev = monitor.MonitorEvent.from_frames(frames)
    assert ev == (E.HANDSHAKE_FAILED_PROTOCOL, E.PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, "tcp://x:1")
    assert ev.value is E.PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
