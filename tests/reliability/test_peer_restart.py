"""A server killed with SIGKILL and restarted, again and again: a DEALER
client with reconnect keeps getting answers after every restart, never
hangs, and its monitor sees each connection come and go."""
import os
import signal
import socket
import struct
import time

import zmqx as zmq
from _rel import read_line, record, scale, spawn

CYCLE_BOUND_S = 10.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drain_events(mon, seen):
    while mon.poll(0):
        seen.append(struct.unpack("=HI", mon.recv_multipart()[0][:6])[0])


def test_kill_and_restart():
    cycles = scale(6, 40)
    port = free_port()
    ctx = zmq.Context()
    d = ctx.socket(zmq.DEALER)
    d.linger = 0
    d.reconnect_ivl, d.reconnect_ivl_max = 50, 200
    mon = d.get_monitor_socket(zmq.EVENT_CONNECTED | zmq.EVENT_DISCONNECTED)
    d.connect(f"tcp://127.0.0.1:{port}")
    events, answer_s = [], []
    try:
        for cycle in range(cycles):
            child = spawn("router_echo", port, 60)
            assert read_line(child) == str(port)
            t0 = time.monotonic()
            answered = False
            while not answered:  # a request sent into the dead connection is lost: resend
                assert time.monotonic() - t0 < CYCLE_BOUND_S, f"cycle {cycle}: no answer"
                d.send_multipart([b"%d" % cycle])
                while d.poll(300):
                    answered = d.recv_multipart() == [b"%d" % cycle] or answered
            answer_s.append(time.monotonic() - t0)
            drain_events(mon, events)
            before = events.count(zmq.EVENT_DISCONNECTED)
            os.kill(child.pid, signal.SIGKILL)
            child.wait(10)
            assert child.returncode == -signal.SIGKILL
            t1 = time.monotonic()
            while events.count(zmq.EVENT_DISCONNECTED) == before:
                assert time.monotonic() - t1 < CYCLE_BOUND_S, "no DISCONNECTED after the kill"
                mon.poll(100)
                drain_events(mon, events)
    finally:
        d.disable_monitor()
        ctx.destroy(linger=0)
    connected, disconnected = events.count(zmq.EVENT_CONNECTED), events.count(zmq.EVENT_DISCONNECTED)
    record("peer_restart", cycles=cycles, connected_events=connected,
           disconnected_events=disconnected,
           answer_after_restart_s_max=round(max(answer_s), 3),
           answer_after_restart_s_median=round(sorted(answer_s)[len(answer_s) // 2], 3))
    assert connected >= cycles and disconnected >= cycles
