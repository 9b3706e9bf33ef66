"""Options libzmq 4.3.x accepts and later aborts on: zmqx refuses them with an
exception (see docs/pyzmq-differences.md, "Calls that would crash libzmq").
Each case runs in a child process so a regression fails instead of crashing."""
import os
import subprocess
import sys

import pytest

from _backend import zmq

pytestmark = pytest.mark.zmqx_only


def child(code):
    root = os.path.dirname(os.path.dirname(zmq.__file__))
    proc = subprocess.run([sys.executable, "-c", "import zmqx\n" + code],
                          env=dict(os.environ, PYTHONPATH=root), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    return proc.stdout.strip()


@pytest.mark.parametrize("policy", [1, 2, 99])   # FIFO/RR without a priority; no such policy
def test_sched_policy_refused_before_threads_start(policy):
    out = child(f"c = zmqx.Context(); c.set(zmqx.THREAD_SCHED_POLICY, {policy})\n"
                "try: c.socket(zmqx.PUSH)\n"
                "except zmqx.ZMQError as e: print('refused', e.errno)\n"
                "c.term()")
    assert out.startswith("refused")


def test_valid_sched_settings_still_work():
    assert child("c = zmqx.Context(); c.set(zmqx.THREAD_SCHED_POLICY, 0)\n"
                 "s = c.socket(zmqx.PUSH); s.close(); c.term(); print('ok')") == "ok"


def test_affinity_outside_the_mask_refused():
    out = child("import os; c = zmqx.Context(); cpu = max(os.sched_getaffinity(0)) + 1000\n"
                "try: c.set(zmqx.THREAD_AFFINITY_CPU_ADD, cpu)\n"
                "except ValueError: print('refused')\n"
                "c.set(zmqx.THREAD_AFFINITY_CPU_ADD, min(os.sched_getaffinity(0)))\n"
                "s = c.socket(zmqx.PUSH); s.close(); c.term(); print('ok')")
    assert out.split() == ["refused", "ok"]
