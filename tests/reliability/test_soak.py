"""Soak: sequence-numbered traffic between two processes over tcp.

PUSH -> PULL: a child pushes mixed sizes (0 B .. 70 kB, every third message by
zero-copy); this process checks every message arrives once, in order, intact.
ROUTER/DEALER: a child ROUTER echoes; this process keeps a window of requests
in flight and checks each reply.  RSS of both processes is sampled; the slope
over the second half of the run is recorded (RELIABILITY.md).
"""
import time

import zmqx as zmq
from _rel import RssSampler, finish, read_line, record, scale, spawn

from _peers import END, HEADER, SIZES, payload


def test_push_pull_soak():
    count, seconds = 10**9, scale(8, 120)
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.bind("tcp://127.0.0.1:0")
    port = pull.last_endpoint.decode().rsplit(":", 1)[1]
    child = spawn("push_source", port, count, seconds)
    mine, theirs = RssSampler(__import__("os").getpid()), RssSampler(child.pid)
    expected = lost = dup = reordered = bad = 0
    t0 = time.monotonic()
    try:
        while True:
            mine.tick()
            theirs.tick()
            assert pull.poll(30_000), f"nothing for 30 s after message {expected}"
            head, body = pull.recv_multipart(copy=False)
            seq, size = HEADER.unpack(head.bytes)
            if seq == END:
                total = size
                break
            if seq > expected:
                lost += seq - expected
            elif seq < expected:
                dup += 1 if seq == expected - 1 else 0
                reordered += 1 if seq < expected - 1 else 0
            if size != SIZES[seq % len(SIZES)] or body.bytes != payload(seq, size):
                bad += 1
            expected = max(expected, seq + 1)
    finally:
        out = finish(child, timeout=60)
        ctx.destroy(linger=0)
    elapsed = time.monotonic() - t0
    record("soak_push_pull", messages=expected, sent=total, seconds=round(elapsed, 1),
           lost=lost, duplicated=dup, reordered=reordered, corrupted=bad,
           rss_slope_receiver_kib_min=round(mine.slope_kib_per_min(), 1),
           rss_slope_sender_kib_min=round(theirs.slope_kib_per_min(), 1),
           rss_peak_receiver_kib=mine.peak(), rss_peak_sender_kib=theirs.peak())
    assert f"sent {total}" in out
    assert (expected, lost, dup, reordered, bad) == (total, 0, 0, 0, 0)


def test_router_dealer_soak():
    seconds, window = scale(10, 90), 64
    child = spawn("router_echo", 0, seconds + 30)
    port = read_line(child)
    ctx = zmq.Context()
    d = ctx.socket(zmq.DEALER)
    d.linger = 0
    d.connect(f"tcp://127.0.0.1:{port}")
    theirs = RssSampler(child.pid)
    sent = got = bad = 0
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end or got < sent:
            theirs.tick()
            while sent - got < window and time.monotonic() < end:
                size = SIZES[sent % len(SIZES)]
                d.send_multipart([HEADER.pack(sent, size), payload(sent, size)],
                                 copy=sent % 3 != 0)
                sent += 1
            assert d.poll(30_000), f"no reply for 30 s ({got}/{sent})"
            head, body = d.recv_multipart()
            seq, size = HEADER.unpack(head)
            if seq != got or body != payload(seq, size):
                bad += 1
            got += 1
        d.send(b"STOP")
        out = finish(child)
    finally:
        child.kill()
        ctx.destroy(linger=0)
    record("soak_router_dealer", requests=sent, replies=got, wrong_or_out_of_order=bad,
           seconds=seconds, rss_slope_router_kib_min=round(theirs.slope_kib_per_min(), 1),
           rss_peak_router_kib=theirs.peak())
    assert got == sent and bad == 0
    assert f"served {sent}" in out
