# SPDX-License-Identifier: BSD-3-Clause
"""The authentication workloads, with a ThreadAuthenticator on
(``<module>.auth.thread``), registered as group "auth".

``curve-handshakes``: a burst of ``wave`` CURVE clients connects at once to one ROUTER over tcp on
127.0.0.1; each sends one message, which the server can only receive once
libzmq's handshake and the authenticator's ZAP answer let that client in.  The
policy is a fixed one (an IP allow list and a directory of allowed client
certificates): the case zmqx answers in compiled code.  The clients live in
their own context, so both sides' crypto runs on libzmq's I/O threads for
either binding; what differs is the ZAP handler, so on a small machine the
crypto bounds both.  ``plain-handshakes``: the same with PLAIN logins, no
crypto, so the handler's share shows.  ``zap-requests``: the ZAP handler alone, fed RFC 27
requests over inproc.  No C column.
"""
from __future__ import annotations

import importlib
import tempfile
from time import perf_counter

from .peers import JOIN_S
from .registry import Scenario, add


def curve_handshakes(zmq, count, wave, keys=16, mechanism="curve"):
    """``count`` handshakes, ``wave`` clients at a time, ``keys`` of them on
    the allow list (clients reuse those key pairs).  ``mechanism="plain"``:
    PLAIN logins (no crypto) checked against ``keys`` user names instead."""
    auth_thread = importlib.import_module(f"{zmq.__name__}.auth.thread")
    certs = importlib.import_module(f"{zmq.__name__}.auth.certs")
    server_ctx, client_ctx = zmq.Context(), zmq.Context()
    auth = auth_thread.ThreadAuthenticator(server_ctx)
    sockets = []
    try:
        with tempfile.TemporaryDirectory() as allowed:
            pairs = [certs.load_certificate(certs.create_certificates(allowed, f"c{i}")[1])
                     for i in range(keys)]
            auth.start()
            auth.allow("127.0.0.1")
            auth.configure_curve(domain="*", location=allowed)
        auth.configure_plain("*", {f"user{i}": f"pw{i}" for i in range(keys)})
        server_public, server_secret = zmq.curve_keypair()
        server = server_ctx.socket(zmq.ROUTER)
        sockets.append(server)
        if mechanism == "plain":
            server.plain_server = True
        else:
            server.curve_server = True
            server.curve_publickey, server.curve_secretkey = server_public, server_secret
        server.rcvtimeo = int(JOIN_S * 1000)
        server.bind("tcp://127.0.0.1:0")
        url = server.get_string(zmq.LAST_ENDPOINT)
        done = 0
        t0 = perf_counter()
        while done < count:
            n = min(wave, count - done)
            clients = []
            for i in range(n):
                c = client_ctx.socket(zmq.DEALER)
                c.linger = 0
                k = (done + i) % keys
                if mechanism == "plain":
                    c.plain_username, c.plain_password = b"user%d" % k, b"pw%d" % k
                else:
                    c.curve_serverkey = server_public
                    c.curve_publickey, c.curve_secretkey = pairs[k]
                c.connect(url)
                c.send(b"x")
                clients.append(c)
            for _ in range(n):
                server.recv_multipart()  # raises Again if a handshake never completes
            for c in clients:
                c.close()
            done += n
        seconds = perf_counter() - t0
    finally:
        for s in sockets:
            s.close(linger=0)
        auth.stop()
        server_ctx.term()
        client_ctx.destroy(linger=0)
    return {"ops": count, "seconds": seconds}


def zap_requests(zmq, count, window, keys=16):
    """The ZAP handler alone: ``count`` CURVE requests (RFC 27 frames, as
    libzmq sends them) sent to the authenticator over inproc, ``window`` in
    flight, half from allowed keys and half refused.  Both bindings' own
    send/recv drive it, so the ratio slightly flatters the faster binding."""
    auth_thread = importlib.import_module(f"{zmq.__name__}.auth.thread")
    certs = importlib.import_module(f"{zmq.__name__}.auth.certs")
    ctx = zmq.Context()
    auth = auth_thread.ThreadAuthenticator(ctx)
    driver = None
    try:
        with tempfile.TemporaryDirectory() as allowed:
            pairs = [certs.load_certificate(certs.create_certificates(allowed, f"c{i}")[1])
                     for i in range(keys)]
            auth.start()
            auth.allow("127.0.0.1")
            auth.configure_curve(domain="*", location=allowed)
        raw = [zmq.z85_decode(public) if hasattr(zmq, "z85_decode") else
               importlib.import_module(f"{zmq.__name__}.utils.z85").decode(public)
               for public, _ in pairs]
        raw += [bytes(32 - len(k[:4])) + k[:4] for k in raw]  # unknown keys
        requests = [[b"", b"1.0", b"%d" % i, b"", b"127.0.0.1", b"", b"CURVE", raw[i % len(raw)]]
                    for i in range(2 * keys)]
        driver = ctx.socket(zmq.DEALER)
        driver.rcvtimeo = int(JOIN_S * 1000)
        driver.connect("inproc://zeromq.zap.01")
        send, recv, n = driver.send_multipart, driver.recv_multipart, len(requests)
        t0 = perf_counter()
        for i in range(min(window, count)):
            send(requests[i % n])
        for i in range(window, count + window):
            reply = recv()
            if i < count:
                send(requests[i % n])
        seconds = perf_counter() - t0
        assert reply[3] in (b"200", b"400"), reply
    finally:
        if driver is not None:
            driver.close(linger=0)
        auth.stop()
        ctx.destroy(linger=0)
    return {"ops": count, "seconds": seconds}


def _register():
    # size: the one 1-byte message per handshake; a CURVE ZAP request's bytes
    add(Scenario("auth/curve-handshakes/100-at-once", "auth", "rate", curve_handshakes,
                 1000, dict(wave=100), size=1, min_count=100))
    add(Scenario("auth/plain-handshakes/100-at-once", "auth", "rate", curve_handshakes,
                 2000, dict(wave=100, mechanism="plain"), size=1, min_count=100))
    add(Scenario("auth/zap-requests/curve", "auth", "rate", zap_requests, 20_000,
                 dict(window=100), size=54, min_count=200))


_register()
