"""Shared by the reliability scenarios: run length (short/long), child
processes, RSS sampling, and the figures file RELIABILITY.md quotes.

Short mode (the default, inside ``make test``) keeps every scenario to a few
seconds; ``ZMQX_RELIABILITY=long`` (``make reliability``) runs them for
minutes.  Every peer runs in a child process with a deadline of its own, so a
stuck or crashed peer fails a test instead of hanging or killing pytest.
"""
import importlib.util
import json
import os
import subprocess
import sys
import time

LONG = os.environ.get("ZMQX_RELIABILITY", "short") == "long"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: where the zmqx under test was imported from (the source tree, or an installed
#: wheel's directory in `make test-matrix`): children import the same build
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(
    importlib.util.find_spec("zmqx").origin)))  # type: ignore[arg-type,union-attr]
RESULTS = os.path.join(ROOT, "build", "reliability", "results-%s.json" % ("long" if LONG else "short"))


def scale(short, long):
    """``short`` in short mode, ``long`` in long mode."""
    return long if LONG else short


def record(section, **figures):
    """Merge ``figures`` under ``section`` into the results file."""
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    try:
        with open(RESULTS) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    data[section] = figures
    with open(RESULTS, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)


def spawn(func, *args, prefix=()):
    """Start ``_peers.<func>(*args)`` in a child process (stdout piped, text)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([PACKAGE_PARENT, os.path.dirname(__file__)]))
    cmd = [*prefix, sys.executable, "-u", os.path.join(os.path.dirname(__file__), "_peers.py"),
           func, *map(str, args)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def read_line(proc, timeout=20.0):
    """The next line the child prints (its port, a figure ...), bounded in time."""
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        proc.kill()
        raise AssertionError(f"no output from child in {timeout} s: {proc.stderr.read()}")
    line = proc.stdout.readline()
    if not line:
        proc.wait(5)
        raise AssertionError(f"child exited {proc.returncode}: {proc.stderr.read()}")
    return line.strip()


def finish(proc, timeout=30.0):
    """Wait for the child; assert it exited cleanly (no signal, no abort)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"child still running after {timeout} s: {err}")
    assert proc.returncode == 0, f"child exit {proc.returncode}: {err}"
    return out


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssSampler:
    """RSS of ``pid`` every ``period`` s; slope over the second half (KiB/min),
    so start-up growth (allocator arenas, caches) does not count."""

    def __init__(self, pid, period=0.25):
        self.pid, self.period, self.samples, self._next = pid, period, [], 0.0

    def tick(self):
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.period
            try:
                self.samples.append((now, rss_kib(self.pid)))
            except OSError:
                pass

    def slope_kib_per_min(self):
        pts = self.samples[len(self.samples) // 2:]
        if len(pts) < 3:
            return 0.0
        n = len(pts)
        mt = sum(t for t, _ in pts) / n
        mr = sum(r for _, r in pts) / n
        var = sum((t - mt) ** 2 for t, _ in pts)
        return 60.0 * sum((t - mt) * (r - mr) for t, r in pts) / var if var else 0.0

    def peak(self):
        return max((r for _, r in self.samples), default=0)
