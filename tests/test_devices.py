"""Background devices (zmqx.devices): proxies, steerable proxies, monitored
queues, in the calling thread, a thread, or a process.

Thread devices use the test's context (``context_factory``) and stop when
the test terminates it; process devices stop on TERMINATE or ``stop()``.
Every one is joined with a timeout and must have finished.
"""
import importlib
import os
import signal
import threading

import pytest
from _backend import MODULE_NAME, run_in_thread, run_python, wait_until, zmq
from _forwarding import JOIN_S, connected

devices = importlib.import_module(f"{MODULE_NAME}.devices")


@pytest.fixture
def lctx(ctx):
    """The test context, with LINGER 0 for every socket it makes."""
    ctx.linger = 0
    return ctx


def use(dev, ctx):
    dev.context_factory = lambda: ctx
    return dev


def finish(ctx, dev, *sockets):
    """Close the test's sockets, terminate the context, join the device."""
    for s in sockets:
        s.close()
    run_in_thread(ctx.term, timeout=JOIN_S)
    dev.join(JOIN_S)
    assert dev.done and not dev.launcher.is_alive()


def test_thread_device_queue_req_rep(lctx):
    dev = use(devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER), lctx)
    dev.bind_in("inproc://dq-in")
    port = dev.bind_out_to_random_port("tcp://127.0.0.1")
    assert dev.daemon
    dev.start()
    req = connected(lctx, zmq.REQ, "inproc://dq-in")
    rep = connected(lctx, zmq.REP, f"tcp://127.0.0.1:{port}")
    req.send(b"ping")
    assert rep.recv() == b"ping"
    rep.send(b"pong")
    assert req.recv() == b"pong"
    finish(lctx, dev, req, rep)


def test_setsockopt_in_is_applied(lctx):
    """A SUB -> PUB forwarder only forwards if SUBSCRIBE reached its SUB."""
    dev = use(devices.ThreadDevice(zmq.FORWARDER, zmq.SUB, zmq.PUB), lctx)
    dev.bind_in("inproc://fw-in")
    dev.bind_out("inproc://fw-out")
    dev.setsockopt_in(zmq.SUBSCRIBE, b"")
    dev.start()
    pub = connected(lctx, zmq.PUB, "inproc://fw-in")
    sub = connected(lctx, zmq.SUB, "inproc://fw-out")
    sub.subscribe(b"")

    def arrived():            # PUB/SUB drop until subscriptions propagate: probe
        pub.send(b"probe")
        return sub.poll(20) != 0

    wait_until(arrived, timeout=5.0, interval=0, what="forwarded message")
    finish(lctx, dev, pub, sub)


def test_foreground_device_runs_in_the_calling_thread(lctx):
    dev = use(devices.Device(zmq.QUEUE, zmq.PULL, zmq.PUSH), lctx)
    dev.bind_in("inproc://fg-in")
    dev.bind_out("inproc://fg-out")
    runner = threading.Thread(target=dev.start)
    runner.start()
    push = connected(lctx, zmq.PUSH, "inproc://fg-in")
    pull = connected(lctx, zmq.PULL, "inproc://fg-out")
    push.send(b"x")
    assert pull.recv() == b"x"
    push.close()
    pull.close()
    run_in_thread(lctx.term, timeout=JOIN_S)
    dev.join(JOIN_S)
    runner.join(JOIN_S)
    assert dev.done and not runner.is_alive()


def test_thread_proxy_copies_to_mon(lctx):
    dev = use(devices.ThreadProxy(zmq.PULL, zmq.PUSH, zmq.PUSH), lctx)
    dev.bind_in("inproc://tp-in")
    dev.bind_out("inproc://tp-out")
    dev.bind_mon("inproc://tp-mon")
    dev.start()
    push = connected(lctx, zmq.PUSH, "inproc://tp-in")
    pull = connected(lctx, zmq.PULL, "inproc://tp-out")
    mon = connected(lctx, zmq.PULL, "inproc://tp-mon")
    push.send_multipart([b"a", b"b"])
    assert pull.recv_multipart() == [b"a", b"b"]
    assert mon.recv_multipart() == [b"a", b"b"]
    finish(lctx, dev, push, pull, mon)


@pytest.mark.zmqx_only
def test_thread_proxy_steerable_stops_on_terminate(lctx):
    dev = use(devices.ThreadProxySteerable(zmq.PULL, zmq.PUSH, zmq.PUB, zmq.PAIR), lctx)
    for side in ("in", "out", "mon", "ctrl"):
        getattr(dev, f"bind_{side}")(f"inproc://tps-{side}")
    dev.start()
    push = connected(lctx, zmq.PUSH, "inproc://tps-in")
    pull = connected(lctx, zmq.PULL, "inproc://tps-out")
    ctrl = connected(lctx, zmq.PAIR, "inproc://tps-ctrl")
    push.send(b"x")
    assert pull.recv() == b"x"
    assert zmq.proxy_statistics(ctrl, timeout=5).frontend.messages_in == 1
    ctrl.send(b"TERMINATE")
    dev.join(JOIN_S)
    assert dev.done and not dev.launcher.is_alive()    # without terminating the context
    for s in (push, pull, ctrl):
        s.close()


def test_thread_monitored_queue(lctx):
    dev = use(devices.ThreadMonitoredQueue(zmq.ROUTER, zmq.DEALER, zmq.PUSH,
                                           b"IN", b"OUT"), lctx)
    dev.bind_in("inproc://mq-in")
    dev.bind_out("inproc://mq-out")
    dev.bind_mon("inproc://mq-mon")
    dev.start()
    req = connected(lctx, zmq.REQ, "inproc://mq-in", routing_id=b"req")
    rep = connected(lctx, zmq.REP, "inproc://mq-out")
    mon = connected(lctx, zmq.PULL, "inproc://mq-mon")
    req.send(b"question")
    assert rep.recv() == b"question"
    rep.send(b"answer")
    assert req.recv() == b"answer"
    assert mon.recv_multipart() == [b"IN", b"req", b"", b"question"]
    assert mon.recv_multipart() == [b"OUT", b"req", b"", b"answer"]
    finish(lctx, dev, req, rep, mon)


def test_monitored_queue_router_to_router_swaps_ids(lctx):
    dev = use(devices.ThreadMonitoredQueue(zmq.ROUTER, zmq.ROUTER, zmq.PUSH), lctx)
    dev.bind_in("inproc://rr-in")
    dev.bind_out("inproc://rr-out")
    dev.bind_mon("inproc://rr-mon")
    dev.start()
    client = connected(lctx, zmq.DEALER, "inproc://rr-in", routing_id=b"client")
    worker = connected(lctx, zmq.DEALER, "inproc://rr-out", routing_id=b"worker")
    mon = connected(lctx, zmq.PULL, "inproc://rr-mon")

    def delivered():          # ROUTER drops messages for peers it does not know yet
        client.send_multipart([b"worker", b"hello"])
        return worker.poll(20) != 0

    wait_until(delivered, timeout=5.0, interval=0, what="worker known to the queue")
    assert worker.recv_multipart() == [b"client", b"hello"]
    worker.send_multipart([b"client", b"hi back"])
    assert client.recv_multipart() == [b"worker", b"hi back"]
    seen = []
    while mon.poll(100):
        seen.append(mon.recv_multipart())
    assert seen[-2] == [b"in", b"worker", b"client", b"hello"]
    assert seen[-1] == [b"out", b"client", b"worker", b"hi back"]
    finish(lctx, dev, client, worker, mon)


def test_monitored_queue_function_raises_on_term(lctx):
    ins, outs, mons = (lctx.socket(t) for t in (zmq.PULL, zmq.PUSH, zmq.PUSH))
    for s, name in ((ins, "in"), (outs, "out"), (mons, "mon")):
        s.bind(f"inproc://mqf-{name}")
    done = {}

    def run():
        try:
            devices.monitored_queue(ins, outs, mons)
            done["returned"] = True
        except zmq.ContextTerminated:
            done["raised"] = True            # as pyzmq
        finally:
            for s in (ins, outs, mons):
                s.close()

    t = threading.Thread(target=run)
    t.start()
    push = connected(lctx, zmq.PUSH, "inproc://mqf-in")
    pull = connected(lctx, zmq.PULL, "inproc://mqf-out")
    mon = connected(lctx, zmq.PULL, "inproc://mqf-mon")
    push.send(b"m")
    assert pull.recv() == b"m"
    assert mon.recv_multipart() == [b"in", b"m"]
    for s in (push, pull, mon):
        s.close()
    run_in_thread(lctx.term, timeout=JOIN_S)
    t.join(JOIN_S)
    assert not t.is_alive() and done == {"raised": True}


# --- process devices -------------------------------------------------------------

def _ipc(tmp_path, name):
    return f"ipc://{tmp_path}/{name}.ipc"


@pytest.mark.zmqx_only
@pytest.mark.parametrize("kind", ["ProcessDevice", "ProcessProxy", "ProcessMonitoredQueue"])
def test_process_devices_stop(lctx, tmp_path, kind):
    cls = getattr(devices, kind)
    dev = cls(zmq.QUEUE, zmq.PULL, zmq.PUSH) if kind == "ProcessDevice" else \
        cls(zmq.PULL, zmq.PUSH, zmq.PUB)      # PUB: a monitor with no peer never blocks
    dev.bind_in(_ipc(tmp_path, "in"))
    dev.bind_out(_ipc(tmp_path, "out"))
    dev.setsockopt_out(zmq.LINGER, 0)
    if kind != "ProcessDevice":
        dev.bind_mon(_ipc(tmp_path, "mon"))
        dev.setsockopt_mon(zmq.LINGER, 0)
    dev.start()
    push = connected(lctx, zmq.PUSH, _ipc(tmp_path, "in"))
    pull = connected(lctx, zmq.PULL, _ipc(tmp_path, "out"))
    push.send(b"across processes")
    assert pull.recv() == b"across processes"
    dev.stop()
    dev.join(JOIN_S)
    assert dev.launcher.exitcode == 0
    push.close()
    pull.close()


@pytest.mark.zmqx_only
def test_process_proxy_steerable_terminate(lctx, tmp_path):
    dev = devices.ProcessProxySteerable(zmq.PULL, zmq.PUSH, zmq.PUB, zmq.PAIR)
    for side in ("in", "out", "mon", "ctrl"):
        getattr(dev, f"bind_{side}")(_ipc(tmp_path, side))
        getattr(dev, f"setsockopt_{side}")(zmq.LINGER, 0)
    dev.start()
    ctrl = connected(lctx, zmq.PAIR, _ipc(tmp_path, "ctrl"))
    assert zmq.proxy_statistics(ctrl, timeout=5).frontend.messages_in == 0
    ctrl.send(b"TERMINATE")
    dev.join(JOIN_S)
    assert dev.launcher.exitcode == 0
    dev.stop()                                   # after the end: harmless
    ctrl.close()


@pytest.mark.zmqx_only
def test_process_device_ends_when_its_parent_exits(tmp_path):
    code = f"""
import os
from _backend import zmq
from {MODULE_NAME}.devices import ProcessDevice
dev = ProcessDevice(zmq.QUEUE, zmq.PULL, zmq.PUSH)
dev.bind_in({_ipc(tmp_path, "in")!r})
dev.daemon = False                 # only the closed pipe can end it
dev.start()
print(dev.launcher.pid, flush=True)
os._exit(0)                        # no stop(), no atexit
"""
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout)

    def ended():                       # gone, or a zombie nobody reaps (no init here)
        try:
            with open(f"/proc/{pid}/status") as f:
                return "\tZ" in f.read()
        except FileNotFoundError:
            return True

    try:
        wait_until(ended, timeout=JOIN_S, what="the orphaned device process to exit")
    finally:
        if not ended():
            os.kill(pid, signal.SIGKILL)   # leave no orphan behind a failure


def test_device_needs_socket_types():
    with pytest.raises(TypeError):
        devices.ThreadDevice(zmq.QUEUE, zmq.PULL)
    with pytest.raises(TypeError):
        devices.ProxySteerable(zmq.PULL, zmq.PUSH, zmq.PUB)
