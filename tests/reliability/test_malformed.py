"""Malformed peers at a ROUTER, with and without MAXMSGSIZE: raw TCP clients
send garbage, truncated greetings, a frame declaring 1 TiB, a frame declaring
64 MiB then trickling its body, and a greeting one byte at a time.  Meanwhile
a well-behaved DEALER keeps asking: the server (a child process) must answer
every request, survive, and -- with MAXMSGSIZE -- keep its memory bounded."""
import socket
import struct
import threading
import time

import pytest
import zmqx as zmq
from _rel import RssSampler, finish, read_line, record, scale, spawn

# ZMTP 3.0 greeting, NULL mechanism, then a READY command with Socket-Type DEALER
GREETING = b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + b"NULL" + b"\0" * 16 + b"\0" + b"\0" * 31
_PROP = b"\x0bSocket-Type" + struct.pack("!I", 6) + b"DEALER"
READY = b"\x04" + bytes([len(b"\x05READY" + _PROP)]) + b"\x05READY" + _PROP


def long_frame(size):
    """Header of a (long) message frame declaring ``size`` bytes."""
    return b"\x02" + struct.pack("!Q", size)


ATTACKS = {
    "garbage": lambda s, end: s.sendall(bytes(range(256)) * 64),
    "truncated greeting": lambda s, end: s.sendall(GREETING[:20]),
    "1 TiB frame": lambda s, end: s.sendall(GREETING + READY + long_frame(1 << 40) + b"x" * 4096),
    "64 MiB frame, trickled": lambda s, end: trickle(s, GREETING + READY + long_frame(64 << 20),
                                                     b"y" * 65536, end),
    "greeting byte by byte": lambda s, end: trickle(s, b"", GREETING, end, 1, 0.05),
}


def trickle(s, head, body, end, chunk=65536, pause=0.01):
    s.sendall(head)
    while time.monotonic() < end:
        for i in range(0, len(body), chunk):
            s.sendall(body[i:i + chunk])
            time.sleep(pause)
            if time.monotonic() >= end:
                return


def attacker(port, name, end, errors):
    """Open connections running attack ``name`` until ``end``."""
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as s:
                ATTACKS[name](s, min(end, time.monotonic() + 2))
                time.sleep(0.05)
        except OSError as e:   # the server dropped us: expected for most attacks
            errors[name] = errors.get(name, 0) + 1
            time.sleep(0.05)


@pytest.mark.parametrize("maxmsgsize", [-1, 1 << 20])
def test_router_under_malformed_peers(maxmsgsize):
    seconds = scale(6, 45)
    server = spawn("router_echo", 0, seconds + 30, maxmsgsize)
    port = read_line(server)
    ctx = zmq.Context()
    d = ctx.socket(zmq.DEALER)
    d.linger = 0
    d.connect(f"tcp://127.0.0.1:{port}")
    rss = RssSampler(server.pid)
    end = time.monotonic() + seconds
    errors = {}
    threads = [threading.Thread(target=attacker, args=(port, name, end, errors), daemon=True)
               for name in ATTACKS]
    for t in threads:
        t.start()
    asked = answered = 0
    worst = 0.0
    try:
        while time.monotonic() < end:
            rss.tick()
            t0 = time.monotonic()
            d.send(b"%d" % asked)
            asked += 1
            assert d.poll(10_000), f"server stopped answering after {answered}"
            assert d.recv() == b"%d" % answered
            answered += 1
            worst = max(worst, time.monotonic() - t0)
            time.sleep(0.005)
        for t in threads:
            t.join(10)
        d.send(b"STOP")
        finish(server)
    finally:
        if server.poll() is None:
            server.kill()
        ctx.destroy(linger=0)
    label = "with_maxmsgsize_1MiB" if maxmsgsize > 0 else "without_maxmsgsize"
    record(f"malformed_{label}", seconds=seconds, requests_answered=answered,
           worst_reply_s=round(worst, 3), rss_peak_kib=rss.peak(),
           rss_slope_kib_min=round(rss.slope_kib_per_min(), 1),
           connections_refused_or_reset=sum(errors.values()))
    assert answered == asked
    if maxmsgsize > 0:
        assert rss.peak() < 200 * 1024, f"RSS {rss.peak()} KiB with MAXMSGSIZE set"
