"""Zero-copy sends: object lifetime, copy_threshold, trackers, stress, exit."""
import gc
import threading
import time
import weakref

import pytest

from _backend import (TRANSPORTS, collect, rss_bytes, run_python, settle_zero_copy,
                      wait_released, wait_until, zc_outstanding, zmq)

KiB = 1024


class Buf(bytearray):
    """A bytearray that can be weakly referenced, to watch its lifetime."""


def patterned(size):
    return Buf(bytes(range(256)) * (size // 256))


def send_watched(sock, data):
    """Send a private copy of ``data`` with copy=False, drop our reference to
    it, and return a weakref that shows whether the binding still holds it."""
    buf = Buf(data)
    ref = weakref.ref(buf)
    sock.send(buf, copy=False)
    del buf
    gc.collect()
    return ref


def test_copy_threshold_default():
    assert zmq.COPY_THRESHOLD == 65536


def test_buffer_kept_alive_until_receiver_drops_frame(pair):
    a, b = pair("inproc")
    baseline = zc_outstanding()
    expected = bytes(patterned(64 * KiB))
    ref = send_watched(a, expected)
    assert ref() is not None, "freed while libzmq still holds the message"
    frame = b.recv(copy=False)
    gc.collect()
    assert ref() is not None, "inproc frames share the sender's buffer"
    assert frame.bytes == expected
    del frame
    wait_released(ref)
    settle_zero_copy(baseline)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_zero_copy_delivers_and_releases(pair, transport):
    a, b = pair(transport)
    baseline = zc_outstanding()
    bufs = [patterned(128 * KiB) for _ in range(8)]
    expected = [bytes(x) for x in bufs]
    refs = [weakref.ref(x) for x in bufs]
    for x in bufs:
        a.send(x, copy=False)
    del bufs, x
    assert [b.recv() for _ in expected] == expected
    for ref in refs:
        wait_released(ref)
    settle_zero_copy(baseline)


def test_memoryview_and_bytes_sent_zero_copy(pair):
    a, b = pair("tcp")
    data = bytes(100 * KiB)
    a.send(memoryview(data)[10:], copy=False)
    a.send(data, copy=False)
    assert len(b.recv()) == len(data) - 10
    assert b.recv() == data


@pytest.mark.zmqx_only  # pyzmq holds no buffer export: resizing frees memory under libzmq
def test_bytearray_cannot_be_resized_while_in_flight(pair):
    a, b = pair("inproc")
    buf = bytearray(100 * KiB)
    a.send(buf, copy=False)
    with pytest.raises(BufferError):
        buf.extend(b"grow")
    frame = b.recv(copy=False)
    del frame

    def resizable():
        collect()
        try:
            buf.extend(b"grow")
        except BufferError:
            return False
        return True

    wait_until(resizable, what="the buffer export to be released")
    assert len(buf) == 100 * KiB + 4


# ---------------------------------------------------------------- zmqx: accounting, copy_threshold


@pytest.mark.zmqx_only
def test_zc_outstanding_counts_held_buffers(pair):
    a, b = pair("inproc")
    baseline = zc_outstanding()
    a.send(patterned(64 * KiB), copy=False)
    a.send(patterned(64 * KiB), copy=False)
    assert zc_outstanding() == baseline + 2
    frames = [b.recv(copy=False), b.recv(copy=False)]
    assert zmq._zmq.zc_drain() == 0, "nothing is released while frames are held"
    assert zc_outstanding() == baseline + 2
    del frames
    settle_zero_copy(baseline)


@pytest.mark.zmqx_only
def test_small_sends_are_copied_below_threshold(pair):
    a, b = pair("inproc")
    assert a.copy_threshold == zmq.COPY_THRESHOLD
    baseline = zc_outstanding()
    ref = send_watched(a, b"s" * 100)
    assert ref() is None, "a copied buffer is not retained"
    assert zc_outstanding() == baseline
    assert b.recv() == b"s" * 100


@pytest.mark.zmqx_only
def test_copy_threshold_zero_forces_zero_copy(pair):
    a, b = pair("inproc")
    a.copy_threshold = 0
    assert a.copy_threshold == 0
    baseline = zc_outstanding()
    ref = send_watched(a, b"z" * 100)
    assert ref() is not None
    assert zc_outstanding() == baseline + 1
    assert b.recv() == b"z" * 100
    wait_released(ref)
    settle_zero_copy(baseline)


# ---------------------------------------------------------------- trackers


def test_tracker_done_only_after_peer_drops_frame(pair):
    a, b = pair("inproc")
    tracker = a.send(patterned(128 * KiB), copy=False, track=True)
    assert isinstance(tracker, zmq.MessageTracker)
    assert tracker.done is False
    frame = b.recv(copy=False)
    collect()
    assert tracker.done is False, "the received frame still holds the message"
    del frame
    collect()
    tracker.wait(5)
    assert tracker.done is True


def test_frame_tracker(pair):
    a, b = pair("inproc")
    frame = zmq.Frame(patterned(128 * KiB), track=True)
    tracker = frame.tracker
    assert isinstance(tracker, zmq.MessageTracker)
    assert tracker.done is False
    a.send(frame, copy=False)
    del frame
    assert len(b.recv()) == 128 * KiB
    collect()
    tracker.wait(5)
    assert tracker.done is True


def test_tracker_wait_times_out_with_not_done(sock):
    push = sock(zmq.PUSH)
    push.connect("tcp://127.0.0.1:1")  # nobody listens: never sent
    tracker = push.send(patterned(128 * KiB), copy=False, track=True)
    start = time.monotonic()
    with pytest.raises(zmq.NotDone):
        tracker.wait(0.1)
    assert 0.08 <= time.monotonic() - start < 2
    assert tracker.done is False


@pytest.mark.zmqx_only
def test_multipart_tracker_covers_every_frame(pair):
    a, b = pair("inproc")
    parts = [patterned(128 * KiB) for _ in range(3)]
    tracker = a.send_multipart(parts, copy=False, track=True)
    assert isinstance(tracker, zmq.MessageTracker)
    frames = b.recv_multipart(copy=False)
    assert [f.bytes for f in frames] == [bytes(p) for p in parts]
    del parts
    kept = frames.pop(0)  # hold one frame, release the other two
    del frames
    collect()
    with pytest.raises(zmq.NotDone):
        tracker.wait(0.2)
    assert tracker.done is False
    del kept
    collect()
    tracker.wait(5)
    assert tracker.done is True


# ---------------------------------------------------------------- stress


@pytest.mark.zmqx_only
def test_million_zero_copy_frames(pair):
    total, batch = 1_000_000, 1000
    a, b = pair("inproc")
    a.copy_threshold = 0
    payloads = [bytes([i]) * 64 for i in range(4)]
    collect()
    baseline, rss_before = zc_outstanding(), rss_bytes()
    threads_before = threading.active_count()
    send, recv = a.send, b.recv
    start = time.monotonic()
    for first in range(0, total, batch):
        for i in range(batch):
            send(payloads[i & 3], copy=False)
        got = [recv() for _ in range(batch)]
        if got != payloads * (batch // 4):
            pytest.fail(f"batch starting at {first} out of order or corrupted")
    elapsed = time.monotonic() - start
    settle_zero_copy(baseline, timeout=10)
    growth = rss_bytes() - rss_before
    assert growth < 50 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB"
    assert elapsed < 30, f"1M zero-copy frames took {elapsed:.1f}s"
    assert threading.active_count() == threads_before, "no helper thread for releasing"


# ---------------------------------------------------------------- interpreter exit

EXIT_CHILD = r"""
import sys
from _backend import zmq
transport, linger, path = sys.argv[1:]
ctx = zmq.Context()
if linger != "default":
    ctx.linger = int(linger)
pull = ctx.socket(zmq.PULL)   # bound and connected, but never read
pull.rcvhwm = 10
pull.bind("tcp://127.0.0.1:0" if transport == "tcp" else "ipc://" + path)
push = ctx.socket(zmq.PUSH)
push.sndhwm = 10
push.connect(pull.get_string(zmq.LAST_ENDPOINT))
pull.rcvtimeo = push.sndtimeo = 5000
push.send(b"hello")
assert pull.recv() == b"hello"  # connected: from now on nobody reads
push.sndtimeo = 200            # stop once the queues stay full
kept = [bytearray(b"k") * 100000 for _ in range(4)]
sent = 0
try:
    for i in range(5000):
        obj = kept[i % 4] if i % 2 else bytes([i % 256]) * 100000  # only libzmq refers to it
        push.send(obj, copy=False)
        sent += 1
except zmq.Again:
    pass
print(sent)
"""


@pytest.mark.parametrize("linger", ["default", "0"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_exit_with_zero_copy_messages_queued(tmp_path, transport, linger):
    start = time.monotonic()
    proc = run_python(EXIT_CHILD, transport, linger, str(tmp_path / "exit.ipc"), timeout=10)
    elapsed = time.monotonic() - start
    assert "Segmentation fault" not in proc.stderr
    assert "Fatal Python error" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) > 10, "the peer never read, so sends must have queued up"
    assert elapsed < 10
