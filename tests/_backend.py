"""The module under test and plain helpers shared by the test files.

``ZMQX_TEST_MODULE`` picks the binding: ``zmqx`` (default) or ``zmq`` (pyzmq,
used to check that the tests themselves describe pyzmq's behaviour).  Test
files do ``from _backend import zmq`` and never import zmqx or zmq directly.
"""
import gc
import importlib
import os
import subprocess
import sys
import threading
import time

MODULE_NAME = os.environ.get("ZMQX_TEST_MODULE", "zmqx")
zmq = importlib.import_module(MODULE_NAME)
IS_ZMQX = MODULE_NAME == "zmqx"
#: the directory the module under test was imported from (the source tree after an
#: in-place build, site-packages or a target dir for an installed wheel): put it first
#: on a child's PYTHONPATH, so the child imports the same build
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(zmq.__file__)))

#: default send/receive timeout (ms) on sockets made by the fixtures
TIMEOUT_MS = 5000
TRANSPORTS = ("inproc", "ipc", "tcp")


def wait_until(predicate, timeout=5.0, interval=0.005, what="condition"):
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds.

    Only for states that offer no event to wait on (garbage collection,
    zero-copy buffers released by libzmq's I/O thread, port release).
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def run_in_thread(func, *args, timeout=10.0):
    """Run ``func(*args)`` in a daemon thread; return its result or re-raise.

    Fails if the call does not finish within ``timeout`` seconds.
    """
    box = {}

    def target():
        try:
            box["result"] = func(*args)
        except BaseException as exc:  # handed back to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"{getattr(func, '__name__', func)} still running after {timeout}s")
    if "error" in box:
        raise box["error"]
    return box.get("result")


def zc_outstanding():
    """zmqx's count of zero-copy buffers not yet released (0 for pyzmq)."""
    return zmq._zmq.zc_outstanding() if IS_ZMQX else 0


def collect():
    """Run the garbage collector and release buffers libzmq is done with."""
    gc.collect()
    if IS_ZMQX:
        zmq._zmq.zc_drain()


def settle_zero_copy(baseline, timeout=5.0):
    """Wait until every zero-copy buffer beyond ``baseline`` is released."""
    def settled():
        collect()
        return zc_outstanding() <= baseline

    wait_until(settled, timeout, what=f"zc_outstanding() back to {baseline}")
    assert zc_outstanding() == baseline


def wait_released(ref, timeout=5.0):
    """Wait until the object behind weakref ``ref`` has been freed."""
    def released():
        collect()
        return ref() is None

    wait_until(released, timeout, what="zero-copy buffer to be released")


def run_python(code, *args, timeout=20.0):
    """Run ``code`` in a fresh interpreter using the module under test.

    Returns the CompletedProcess; fails if it runs longer than ``timeout``.
    """
    env = dict(os.environ, ZMQX_TEST_MODULE=MODULE_NAME, PYTHONFAULTHANDLER="1")
    # the child imports the very module under test, and this file as _backend
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(zmq.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_parent, os.path.dirname(os.path.abspath(__file__)),
                    env.get("PYTHONPATH")) if p)
    try:
        return subprocess.run([sys.executable, "-c", code, *args], env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it
        raise AssertionError(f"child still running after {timeout}s:\n"
                             f"{exc.stderr or ''}") from None


def subscribe_and_sync(pub, sub, topic=b""):
    """Subscribe ``sub`` and wait until ``pub``'s messages reach it.

    PUB drops messages until the subscription has travelled to it, so send
    probes until one arrives (bounded), then drain any extra probes.
    """
    sub.subscribe(topic)
    probe = (topic.encode() if isinstance(topic, str) else topic) + b"\x00probe"

    def arrived():
        pub.send(probe)
        return sub.poll(20) != 0

    wait_until(arrived, timeout=5.0, interval=0, what="subscription to reach PUB")
    while sub.poll(50):
        assert sub.recv() == probe


def rss_bytes():
    """Resident set size of this process, from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def libzmq_version_from_pkg_config():
    """libzmq's version as pkg-config reports it, as a tuple of ints."""
    out = subprocess.run(["pkg-config", "--modversion", "libzmq"],
                         capture_output=True, text=True, check=True).stdout
    return tuple(int(x) for x in out.strip().split("."))
