#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build zmqx from its sdist and run the whole test suite on every CPython
3.10-3.14 this machine has, with gcc and with clang (``make test-matrix``).

1. sdist   a snapshot of the checkout (git's tracked + untracked-not-ignored
           files) -> ``python -m build --sdist``;
2. venvs   one per interpreter holding requirements-dev.txt (never zmqx), cached
           under ``$ZMQX_MATRIX_CACHE`` (default ~/.cache/zmqx/matrix), keyed by
           the interpreter's version and the requirements' hash, and locked while
           created, so clean clones and parallel runs share them;
3. jobs    per (interpreter, compiler): unpack the sdist, build a wheel from it
           with ``ZMQX_STRICT=1`` (-Wall -Wextra -Werror on top of setup.py's
           GCC 14 error set, so any compiler warning fails the job), install the
           wheel into the job's own directory and run the sdist's tests/ from a
           scratch directory with only that one on PYTHONPATH: the suite imports
           the installed package, never the source tree.

Interpreters are found with ``pyenv prefix 3.X``, else ``python3.X`` on PATH.
Every interpreter is built with each compiler (--compilers, default gcc and
clang); the suite runs on every gcc build and on the newest interpreter's clang
build (--suite-everywhere: on every build).
``--jobs`` jobs run at once (default: the CPU count).  Logs: build/matrix/<job>/.
"""
import argparse
import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "matrix")
REQUIREMENTS = os.path.join(ROOT, "requirements-dev.txt")
CACHE = os.environ.get("ZMQX_MATRIX_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "zmqx", "matrix")
VERSIONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]  # what the README claims
PIP_TIMEOUT, BUILD_TIMEOUT, TEST_TIMEOUT = 1200, 900, 1500  # s, on a loaded 2-core box
STALE_VENV_S = 7 * 24 * 3600  # cached venvs unused this long are removed

_print_lock = threading.Lock()


def say(*args):
    with _print_lock:
        print(*args, flush=True)


def run(cmd, log, timeout, **kwargs):
    """Run ``cmd`` with its output appended to ``log``; raise on failure."""
    with open(log, "a") as out:
        out.write(f"\n+ {' '.join(cmd)}\n")
        out.flush()
        subprocess.run(cmd, check=True, timeout=timeout, stdout=out,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kwargs)


def find_pythons(versions):
    """[(version, executable)] for each wanted version this machine has."""
    found = []
    for version in versions:
        exe = None
        try:
            prefix = subprocess.run(["pyenv", "prefix", version], capture_output=True,
                                    text=True, timeout=60)
            if prefix.returncode == 0:
                exe = os.path.join(prefix.stdout.strip().split(os.pathsep)[0], "bin",
                                   f"python{version}")
        except (OSError, subprocess.TimeoutExpired):
            pass
        if not (exe and os.access(exe, os.X_OK)):
            exe = shutil.which(f"python{version}")
        if exe:
            found.append((version, exe))
    return found


# --- the sdist ------------------------------------------------------------------------

def snapshot(dest):
    """Copy the files git would commit from the working tree into ``dest``."""
    out = subprocess.run(
        ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, timeout=60, capture_output=True).stdout
    for rel in filter(None, out.decode().split("\0")):
        src = os.path.join(ROOT, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def make_sdist():
    tree, dist = os.path.join(WORK, "tree"), os.path.join(WORK, "dist")
    for d in (tree, dist):
        shutil.rmtree(d, ignore_errors=True)
    snapshot(tree)
    log = os.path.join(WORK, "sdist.log")
    # the sdist only runs Cython (setup.py's ext_modules); .venv has the build requires
    run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", dist, tree],
        log, BUILD_TIMEOUT)
    (sdist,) = glob.glob(os.path.join(dist, "zmqx-*.tar.gz"))
    return sdist


# --- cached venvs ---------------------------------------------------------------------

_venv_locks = {}


def venv_for(version, exe):
    """A venv of ``exe`` with requirements-dev.txt installed (created once)."""
    full = subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0])"],
                          check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    with open(REQUIREMENTS, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    path = os.path.join(CACHE, f"py{full}-{digest}")
    python = os.path.join(path, "bin", "python")
    os.makedirs(CACHE, exist_ok=True)
    with _venv_locks.setdefault(path, threading.Lock()), open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # other runs (other checkouts) wait here
        ready = os.path.join(path, ".ready")
        if not os.path.exists(ready):
            say(f"  venv {version}: creating {path} (requirements-dev.txt)")
            shutil.rmtree(path, ignore_errors=True)
            log = path + ".log"
            open(log, "w").close()
            try:
                run([exe, "-m", "venv", path], log, PIP_TIMEOUT)
                run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                     "-r", REQUIREMENTS], log, PIP_TIMEOUT)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                raise RuntimeError(f"venv {version}: {exc} (log: {log})") from None
            open(ready, "w").close()
        os.utime(ready)
    return python


def prune_venvs():
    """Remove cached venvs unused for STALE_VENV_S (older requirements, interpreters)."""
    now = time.time()
    for ready in glob.glob(os.path.join(CACHE, "py*", ".ready")):
        path = os.path.dirname(ready)
        if now - os.path.getmtime(ready) > STALE_VENV_S:
            with open(path + ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                shutil.rmtree(path, ignore_errors=True)
            os.unlink(path + ".lock")


# --- one job: build from the sdist, install, test -------------------------------------

class Job:
    def __init__(self, version, exe, cc, suite=True):
        self.version, self.exe, self.cc, self.suite = version, exe, cc, suite
        self.name = f"py{version}-{cc}"
        self.dir = os.path.join(WORK, self.name)
        self.result, self.ok, self.times = "not run", False, {}

    def __call__(self, sdist):
        started = time.monotonic()
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "run"))
        try:
            self._run(sdist)
        except subprocess.CalledProcessError as exc:
            self.result = f"FAILED: {' '.join(exc.cmd[:4])} ... exited {exc.returncode}"
        except subprocess.TimeoutExpired as exc:
            self.result = f"FAILED: timed out after {exc.timeout} s: {' '.join(exc.cmd[:4])}"
        except RuntimeError as exc:
            self.result = f"FAILED: {exc}"
        self.times["total"] = time.monotonic() - started
        say(f"  {self.name:14} {self.summary()}")
        if not self.ok:
            say(self.tail())

    def _run(self, sdist):
        t = time.monotonic()
        python = venv_for(self.version, self.exe)
        self.times["venv"] = time.monotonic() - t

        t = time.monotonic()
        with tarfile.open(sdist) as tar:
            tar.extractall(self.dir, **({"filter": "data"} if hasattr(tarfile, "data_filter")
                                        else {}))
        (src,) = glob.glob(os.path.join(self.dir, "zmqx-*"))
        self.log = os.path.join(self.dir, "build.log")
        env = dict(os.environ, CC=self.cc, ZMQX_STRICT="1")
        for var in ("CFLAGS", "ZMQX_DEBUG", "ZMQX_SANITIZE"):  # release builds only
            env.pop(var, None)
        run([python, "-m", "build", "--wheel", "--no-isolation", "--outdir",
             os.path.join(self.dir, "wheel"), src], self.log, BUILD_TIMEOUT, env=env)
        with open(self.log) as f:
            compiles = [ln for ln in f if re.match(r"\s*" + re.escape(self.cc) + r" .* -c ", ln)]
        if not compiles or "-Werror" not in compiles[0]:
            raise RuntimeError(f"{self.log}: no {self.cc} -Werror compile line")
        (wheel,) = glob.glob(os.path.join(self.dir, "wheel", "zmqx-*.whl"))
        site = os.path.join(self.dir, "site")
        run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
             "--target", site, wheel], self.log, PIP_TIMEOUT)
        self.times["build"] = time.monotonic() - t
        if not self.suite:
            self.ok, self.result = True, "built (no suite run)"
            return

        t = time.monotonic()
        self.log = os.path.join(self.dir, "test.log")
        env = dict(os.environ, PYTHONPATH=site)
        for var in ("ZMQX_TEST_MODULE", "ZMQX_DEBUG", "CC"):
            env.pop(var, None)
        cwd = os.path.join(self.dir, "run")
        where = subprocess.run([python, "-c", "import zmqx._zmq as z; print(z.__file__)"],
                               cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
        if not where.stdout.startswith(site):
            raise RuntimeError(f"zmqx not imported from {site}: {where.stdout}{where.stderr}")
        try:
            run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfEs",
                 os.path.join(src, "tests")], self.log, TEST_TIMEOUT, cwd=cwd, env=env)
            self.ok = True
        finally:
            self.times["tests"] = time.monotonic() - t
            with open(self.log) as f:
                last = [ln.strip() for ln in f if re.search(r"\d+ (passed|failed)", ln)]
            self.result = last[-1].strip("= ") if last else self.result

    def summary(self):
        times = " ".join(f"{k} {v:.0f}s" for k, v in self.times.items())
        return f"{'ok  ' if self.ok else 'FAIL'} {self.result} ({times})"

    def tail(self, lines=60):
        log = getattr(self, "log", None)
        if not log or not os.path.exists(log):
            return ""
        with open(log) as f:
            text = f.readlines()[-lines:]
        return f"--- last lines of {log}:\n" + "".join(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pythons", default=",".join(VERSIONS),
                        help="versions to look for (default: %(default)s)")
    parser.add_argument("--compilers", default="gcc,clang",
                        help="each builds zmqx on every interpreter (default: %(default)s)")
    parser.add_argument("--suite-everywhere", action="store_true",
                        help="run the suite on every build, not only on the first "
                             "compiler's and on the newest interpreter's")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="jobs at once (default: the CPU count, %(default)s)")
    args = parser.parse_args()

    started = time.monotonic()
    wanted = args.pythons.split(",")
    pythons = find_pythons(wanted)
    missing = [v for v in wanted if v not in dict(pythons)]
    if not pythons:
        sys.exit(f"test-matrix: none of CPython {', '.join(wanted)} found (pyenv or PATH)")
    compilers = args.compilers.split(",")
    for cc in compilers:
        if not shutil.which(cc):
            sys.exit(f"test-matrix: compiler {cc} not found (apt-get install {cc})")
    newest = pythons[-1][0]
    jobs = [Job(v, exe, cc, suite=args.suite_everywhere or cc == compilers[0] or v == newest)
            for cc in compilers for v, exe in pythons]
    # suites first (the long jobs), the first compiler's before the others', so that the
    # venvs of different interpreters are made in parallel
    jobs.sort(key=lambda job: (not job.suite, compilers.index(job.cc),
                               -int(job.version.split(".")[1])))
    say(f"test-matrix: {len(jobs)} jobs ({', '.join(j.name for j in jobs)}), {args.jobs} at a "
        f"time; not on this machine: {', '.join(missing) or 'none'}")

    os.makedirs(WORK, exist_ok=True)
    prune_venvs()
    try:
        sdist = make_sdist()
    except subprocess.CalledProcessError:
        with open(os.path.join(WORK, "sdist.log")) as f:
            sys.exit("test-matrix: the sdist did not build:\n" + "".join(f.readlines()[-40:]))
    say(f"  sdist {os.path.basename(sdist)} ({time.monotonic() - started:.0f}s)")
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(lambda job: job(sdist), jobs))

    say(f"test-matrix: {time.monotonic() - started:.0f}s")
    for job in jobs:
        say(f"  {job.name:14} {job.summary()}")
    sys.exit(0 if all(job.ok for job in jobs) else 1)


if __name__ == "__main__":
    main()
