"""The child-process side of the reliability scenarios: each function is a
peer (``python _peers.py NAME ARGS...``) that stops by itself at its deadline.

Lines printed on stdout are the protocol with the parent (a port, "ready", a
figure); anything unexpected raises, so the child exits non-zero.
"""
import signal
import struct
import sys
import time

import zmqx as zmq

SIZES = (0, 1, 100, 1000, 10_000, 70_000)   # 70 000 > copy_threshold: zero-copy
END = 2 ** 64 - 1
HEADER = struct.Struct("!QI")                # sequence number, payload size


def payload(seq, size):
    return bytes([seq % 251]) * size


def deadline_guard(seconds):
    """SIGALRM ends the child whatever it is doing, after ``seconds``."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(int(seconds) + 1)


def push_source(port, count, seconds):
    """PUSH ``count`` sequence-numbered messages (or for ``seconds``), mixed
    sizes, every third by zero-copy, then END."""
    count, seconds = int(count), float(seconds)
    deadline_guard(seconds + 60)
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.connect(f"tcp://127.0.0.1:{port}")
    end = time.monotonic() + seconds
    seq = 0
    while seq < count and time.monotonic() < end:
        size = SIZES[seq % len(SIZES)]
        body = payload(seq, size)
        if seq % 3 == 0:
            s.send_multipart([HEADER.pack(seq, size), bytearray(body)], copy=False)
        else:
            s.send_multipart([HEADER.pack(seq, size), body])
        seq += 1
    s.send_multipart([HEADER.pack(END, seq), b""])
    print("sent", seq)
    s.close()   # default LINGER: everything queued is delivered first
    ctx.term()


def router_echo(port, seconds, maxmsgsize=-1, heartbeat_ivl=0, host="127.0.0.1"):
    """A ROUTER echoing every message back to its sender until STOP or the
    deadline; prints its port first."""
    seconds = float(seconds)
    deadline_guard(seconds + 30)
    ctx = zmq.Context()
    s = ctx.socket(zmq.ROUTER)
    s.linger = 0
    s.maxmsgsize = int(maxmsgsize)
    if int(heartbeat_ivl):
        s.heartbeat_ivl = int(heartbeat_ivl)
        s.heartbeat_timeout = 5 * int(heartbeat_ivl)
    s.bind(f"tcp://{host}:{port}")
    print(s.last_endpoint.decode().rsplit(":", 1)[1])
    end = time.monotonic() + seconds
    served = 0
    while time.monotonic() < end:
        if not s.poll(100):
            continue
        msg = s.recv_multipart()
        if msg[-1] == b"STOP":
            break
        s.send_multipart(msg)
        served += 1
    print("served", served)
    s.close()
    ctx.term()


def dead_peer_client(addr, mode, seconds):
    """Connect a DEALER to ``addr`` with heartbeats or TCP keepalive (``mode``),
    print "up" once the handshake is done, then the CLOCK_MONOTONIC time of
    the DISCONNECTED event (or "none" after ``seconds``)."""
    seconds = float(seconds)
    deadline_guard(seconds + 30)
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    if mode == "heartbeat":
        s.heartbeat_ivl, s.heartbeat_timeout = 200, 1000
    else:
        s.tcp_keepalive, s.tcp_keepalive_idle = 1, 1
        s.tcp_keepalive_intvl, s.tcp_keepalive_cnt = 1, 2
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED)
    s.connect(addr)
    end = time.monotonic() + seconds
    up = False
    while time.monotonic() < end:
        if not mon.poll(100):
            continue
        ev = struct.unpack("=HI", mon.recv_multipart()[0][:6])[0]
        now = time.monotonic()
        if ev == zmq.EVENT_HANDSHAKE_SUCCEEDED and not up:
            up = True
            print("up")
        elif ev == zmq.EVENT_DISCONNECTED and up:
            print(f"{now:.6f}")
            break
    else:
        print("none")
    s.disable_monitor()
    s.close()
    ctx.term()


def fuzz(examples, seed):
    """The hypothesis driver of _fuzz.py (its own module: it imports hypothesis)."""
    import subprocess
    sys.exit(subprocess.call([sys.executable, __file__.replace("_peers", "_fuzz"),
                              str(examples), str(seed)]))


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
