"""Sockets, contexts and peers for one measured run, torn down with bounded waits.

A :class:`Rig` owns a run's context and sockets and, for two-party scenarios,
the peer at the other end: a thread for inproc, a child process for ipc and
tcp.  The child is forked before the parent makes its own context (a libzmq
context must not cross a fork) and gets the endpoint to connect to through a
pipe.  Every socket times out after :data:`TIMEOUT_MS`, every join is bounded,
and a child that overstays is killed, so a broken binding fails a run instead
of hanging the suite.  Peer roles live here too, as module-level functions so
that a ``spawn`` start method could pickle them.
"""
from __future__ import annotations

import importlib
import multiprocessing
import threading
from functools import partial

TIMEOUT_MS = 10_000
JOIN_S = TIMEOUT_MS / 1000 + 5
WARM_ROUND_TRIPS = 20

_ADDRESSES = {"tcp": "tcp://127.0.0.1:*", "ipc": "ipc://*"}


def _mp():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def new_socket(ctx, kind):
    sock = ctx.socket(kind)
    sock.linger = TIMEOUT_MS
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    return sock


def bind_any(sock, zmq, transport, tag):
    """Bind to a fresh address (tcp port or ipc path picked by libzmq; the ipc
    wildcard lives in a dir libzmq makes under $TMPDIR, which the command line
    sets, and removes on close); return it."""
    sock.bind(_ADDRESSES.get(transport) or f"inproc://zmqx-bench-{tag}")
    ep = sock.getsockopt(zmq.LAST_ENDPOINT)
    return ep.decode() if isinstance(ep, bytes) else ep


class Rig:
    """Context manager for one run: ``with Rig(zmq, transport, role, args) as rig``.

    ``rig.socket(kind)`` makes a socket the rig closes; ``rig.bind(sock)``
    binds it; ``rig.start(endpoint)`` lets the peer connect and begin.  The
    peer runs ``role(zmq, ctx, endpoint, done, *args)``, where ``done()``
    blocks until this side has finished measuring: a sender must not close its
    socket before then (libzmq 4.3.4 can stall an ipc socket's lingering
    messages and lose the tail of the stream).
    """

    def __init__(self, zmq, transport="inproc", role=None, args=()):
        self.zmq, self.transport = zmq, transport
        self.role, self.args = role, args
        self.sockets, self.ctx = [], None
        self.proc = self.thread = self.pipe = None
        self.thread_error = []
        self.finished = threading.Event()

    def __enter__(self):
        if self.role is not None and self.transport != "inproc":
            mp = _mp()
            self.pipe, child_end = mp.Pipe()
            self.proc = mp.Process(
                target=_child_main,
                args=(self.zmq.__name__, self.role, self.args, child_end),
                daemon=True,
            )
            self.proc.start()
            child_end.close()
        self.ctx = self.zmq.Context()
        return self

    def socket(self, kind):
        sock = new_socket(self.ctx, kind)
        self.sockets.append(sock)
        return sock

    def bind(self, sock, tag="main"):
        return bind_any(sock, self.zmq, self.transport, tag)

    def start(self, endpoint):
        if self.proc is not None:
            self.pipe.send(endpoint)
        elif self.role is not None:
            self.thread = threading.Thread(
                target=self._thread_main, args=(endpoint,), daemon=True
            )
            self.thread.start()

    def _thread_main(self, endpoint):
        try:
            self.role(self.zmq, self.ctx, endpoint,
                      partial(self.finished.wait, JOIN_S), *self.args)
        except BaseException as exc:  # reported by __exit__
            self.thread_error.append(exc)

    def __exit__(self, etype, exc, tb):
        problem = self._join_peer()
        for sock in self.sockets:
            sock.linger = 0
            sock.close()
        if not (self.thread and self.thread.is_alive()):
            self.ctx.term()  # (a stuck thread still holds a socket: term would hang)
        if problem and etype is None:
            raise RuntimeError(problem)
        return False

    def _join_peer(self):
        self.finished.set()
        if self.thread is not None:
            self.thread.join(JOIN_S)
            if self.thread.is_alive():
                return "peer thread did not finish"
            if self.thread_error:
                return f"peer thread failed: {self.thread_error[0]!r}"
        if self.proc is not None:
            try:  # the child waits for this (or EOF) before closing its socket
                self.pipe.send("done")
            except OSError:
                pass
            self.pipe.close()
            self.proc.join(JOIN_S)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(5)
                return "peer process did not finish and was killed"
            if self.proc.exitcode:
                return f"peer process failed with exit code {self.proc.exitcode}"
        return None


def _child_main(modname, role, args, conn):
    if not conn.poll(JOIN_S):
        raise SystemExit(3)
    try:
        endpoint = conn.recv()
    except EOFError:
        raise SystemExit(3)
    zmq = importlib.import_module(modname)
    ctx = zmq.Context()
    try:
        role(zmq, ctx, endpoint, partial(conn.poll, JOIN_S), *args)
    finally:
        ctx.term()


# ---- roles: what the peer does ---------------------------------------------


def push_role(zmq, ctx, endpoint, done, size, count, copy=True):
    sock = new_socket(ctx, zmq.PUSH)
    try:
        sock.connect(endpoint)
        send, msg = sock.send if copy else partial(sock.send, copy=False), b"x" * size
        for _ in range(count):
            send(msg)
        done()
    finally:
        sock.close()


def push_many_role(zmq, ctx, endpoint, done, size, count, batch):
    """Sender of the batch-API scenario: ``send_many`` of ``batch`` messages,
    resending what a partial call reports as not sent."""
    sock = new_socket(ctx, zmq.PUSH)
    try:
        sock.connect(endpoint)
        msg = b"x" * size
        sent = 0
        while sent < count:
            n = sock.send_many([msg] * min(batch, count - sent))
            if not isinstance(n, int):
                n = min(batch, count - sent)
            if n <= 0:
                raise RuntimeError("send_many sent nothing")
            sent += n
        done()
    finally:
        sock.close()


def echo_role(zmq, ctx, endpoint, done, kind, count):
    sock = new_socket(ctx, kind)
    try:
        sock.connect(endpoint)
        send, recv = sock.send, sock.recv
        for _ in range(count):
            send(recv())
        done()
    finally:
        sock.close()


def proxy_role(zmq, ctx, transport, endpoints):
    """Bind a PULL frontend and a PUSH backend, put their endpoints on the
    ``endpoints`` queue and run ``zmq.proxy`` until ``ctx`` is terminated."""
    front, back = new_socket(ctx, zmq.PULL), new_socket(ctx, zmq.PUSH)
    try:
        for sock in (front, back):
            sock.linger = 0  # once the context is terminated, options can't be set
        endpoints.put((bind_any(front, zmq, transport, "front"),
                       bind_any(back, zmq, transport, "back")))
        zmq.proxy(front, back)
    except zmq.ContextTerminated:
        pass
    finally:
        front.close()
        back.close()
