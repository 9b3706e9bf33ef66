"""The C column: build ``csrc/bench/zmqx_cbench.c`` on demand and run it.

The program is compiled with the system ``cc`` and ``pkg-config --cflags
--libs libzmq`` into a cache directory, keyed by a hash of the source and the
flags, so it is rebuilt only when either changes and never committed.  When
the source, the compiler or libzmq's headers are missing (an installed wheel,
say), :func:`build` returns None and a note saying why.
"""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "csrc" / "bench" / "zmqx_cbench.c"
RUN_TIMEOUT_S = 120


def build(cache_dir):
    """Return (CProgram or None, note or None)."""
    if not SOURCE.exists():
        return None, f"C column skipped: {SOURCE} not found (needs a source checkout)"
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None, "C column skipped: no C compiler (cc) found"
    try:
        flags = subprocess.run(
            ["pkg-config", "--cflags", "--libs", "libzmq"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None, "C column skipped: pkg-config cannot find libzmq (install libzmq3-dev)"
    flags += ["-lpthread", "-lm"]
    key = hashlib.sha256(SOURCE.read_bytes() + " ".join([cc] + flags).encode()).hexdigest()
    binary = Path(cache_dir) / f"zmqx_cbench-{key[:12]}"
    if not binary.exists():
        binary.parent.mkdir(parents=True, exist_ok=True)
        tmp = binary.with_suffix(f".tmp{os.getpid()}")
        cmd = [*shlex.split(cc), "-O2", "-o", str(tmp), str(SOURCE), *flags]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"C column skipped: compiling failed: {exc}"
        if done.returncode:
            return None, f"C column skipped: compiling failed: {done.stderr.strip()[:500]}"
        tmp.replace(binary)
    try:
        return CProgram(binary), None
    except (OSError, subprocess.SubprocessError, RuntimeError, ValueError) as exc:
        return None, f"C column skipped: {binary} does not run: {exc}"


class CProgram:
    """Runs one scenario in the C program; same result dict as the Python workloads."""

    label = "C"

    def __init__(self, binary):
        self.binary = str(binary)
        self.libzmq = self._call(["version"])["libzmq"]

    def _call(self, args):
        done = subprocess.run([self.binary, *map(str, args)], capture_output=True,
                              text=True, timeout=RUN_TIMEOUT_S)
        if done.returncode:
            raise RuntimeError(done.stderr.strip() or f"exit code {done.returncode}")
        return json.loads(done.stdout)

    def skip_reason(self, scenario):
        return None if scenario.cargs else "no C equivalent"

    def run(self, scenario, count):
        return self._call([*scenario.cargs, count])
