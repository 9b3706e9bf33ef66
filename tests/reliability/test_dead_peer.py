"""Dead-peer detection, timed against the configured bound.

* A frozen peer (SIGSTOP): its kernel still answers TCP, only ZMTP heartbeats
  (HEARTBEAT_IVL/TIMEOUT) can tell.
* A link taken down between two network namespaces created here (veth pair,
  addresses 10.199.x.x that exist only inside them): heartbeats, and TCP
  keepalive without heartbeats.  Skipped, with the reason, where namespaces
  cannot be created (not root, no ``ip``, no CAP_SYS_ADMIN).
"""
import os
import shutil
import signal
import struct
import subprocess
import time

import pytest
import zmqx as zmq
from _rel import finish, read_line, record, spawn

HB_IVL, HB_TIMEOUT = 200, 1000            # ms, as _peers.dead_peer_client sets them
HB_BOUND_S = (HB_IVL + HB_TIMEOUT) / 1000 + 1.0
KA_BOUND_S = 1 + 1 * 2 + 2.0              # idle 1 s + 2 probes 1 s apart, + slack


def test_frozen_peer_heartbeat():
    child = spawn("router_echo", 0, 60)
    port = read_line(child)
    ctx = zmq.Context()
    d = ctx.socket(zmq.DEALER)
    d.linger = 0
    d.heartbeat_ivl, d.heartbeat_timeout = HB_IVL, HB_TIMEOUT
    mon = d.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED)
    d.connect(f"tcp://127.0.0.1:{port}")
    try:
        assert wait_event(mon, zmq.EVENT_HANDSHAKE_SUCCEEDED, 10) is not None
        os.kill(child.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        t = wait_event(mon, zmq.EVENT_DISCONNECTED, 30)
        detected = None if t is None else t - t0
    finally:
        os.kill(child.pid, signal.SIGCONT)
        child.kill()
        child.wait(10)
        d.disable_monitor()
        ctx.destroy(linger=0)
    record("dead_peer_sigstop_heartbeat", detected_s=detected and round(detected, 3),
           bound_s=HB_BOUND_S, heartbeat_ivl_ms=HB_IVL, heartbeat_timeout_ms=HB_TIMEOUT)
    assert detected is not None and detected <= HB_BOUND_S


def wait_event(mon, event, timeout):
    """CLOCK_MONOTONIC time at which ``event`` arrived, or None after ``timeout`` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if mon.poll(50):
            ev = struct.unpack("=HI", mon.recv_multipart()[0][:6])[0]
            if ev == event:
                return time.monotonic()
    return None


# --- link down in network namespaces --------------------------------------------

def ip(*args, ns=None):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + ["ip", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=10)


@pytest.fixture
def netns():
    """Two namespaces joined by a veth pair: (client ns, server ns, server ip)."""
    if shutil.which("ip") is None:
        pytest.skip("no ip(8): cannot create network namespaces")
    tag = f"zx{os.getpid() % 100000}"
    a, b = f"{tag}a", f"{tag}b"
    r = ip("netns", "add", a)
    if r.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {r.stderr.strip()}")
    try:
        steps = [ip("netns", "add", b),
                 ip("link", "add", f"{tag}va", "type", "veth", "peer", "name", f"{tag}vb"),
                 ip("link", "set", f"{tag}va", "netns", a),
                 ip("link", "set", f"{tag}vb", "netns", b),
                 ip("addr", "add", "10.199.0.1/24", "dev", f"{tag}va", ns=a),
                 ip("addr", "add", "10.199.0.2/24", "dev", f"{tag}vb", ns=b),
                 ip("link", "set", f"{tag}va", "up", ns=a),
                 ip("link", "set", f"{tag}vb", "up", ns=b),
                 ip("link", "set", "lo", "up", ns=a), ip("link", "set", "lo", "up", ns=b),
                 ip("addr", "show", ns=a)]   # `ip netns exec` itself works here
        failed = [s for s in steps if s.returncode != 0]
        if failed:
            pytest.skip(f"cannot set up veth between namespaces: {failed[0].stderr.strip()}")
        yield a, b, f"{tag}vb"
    finally:
        ip("netns", "del", a)
        ip("netns", "del", b)


@pytest.mark.parametrize("mode,bound", [("heartbeat", HB_BOUND_S), ("keepalive", KA_BOUND_S)])
def test_link_down(netns, mode, bound):
    a, b, server_if = netns
    server = spawn("router_echo", 5555, 60, -1, 0, "10.199.0.2", prefix=("ip", "netns", "exec", b))
    client = None
    try:
        assert read_line(server) == "5555"
        client = spawn("dead_peer_client", "tcp://10.199.0.2:5555", mode, 30,
                       prefix=("ip", "netns", "exec", a))
        assert read_line(client) == "up"
        time.sleep(0.3)  # idle connection: keepalive timing starts from here anyway
        t0 = time.monotonic()
        assert ip("link", "set", server_if, "down", ns=b).returncode == 0
        line = read_line(client, timeout=40)
        detected = None if line == "none" else float(line) - t0
        finish(client)
    finally:
        for p in (server, client):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(10)
    record(f"dead_peer_link_down_{mode}", detected_s=detected and round(detected, 3),
           bound_s=bound)
    assert detected is not None and 0 <= detected <= bound
