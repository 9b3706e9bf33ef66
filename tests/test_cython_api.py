# SPDX-License-Identifier: BSD-3-Clause
"""The Cython API: an extension that does ``cimport zmqx`` compiles and works.

tests/cython_ext/uses_zmqx.pyx is built in a temporary directory against the
in-tree zmqx (include dirs from ``zmqx.get_includes()``, linked to the libzmq
zmqx was built with), then driven from a subprocess: it moves a message through
sockets made in Python by calling zmq_send/zmq_recv on their ``handle``.
"""
import os
import shlex
import shutil
import subprocess
import sys
import textwrap

import pytest

from _backend import IS_ZMQX, PACKAGE_PARENT, zmq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXT_SOURCE = os.path.join(ROOT, "tests", "cython_ext", "uses_zmqx.pyx")

pytestmark = [
    pytest.mark.source_tree,
    pytest.mark.skipif(not IS_ZMQX, reason="zmqx's own Cython API"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="built with Linux flags"),
]

SETUP = """
from setuptools import Extension, setup
from Cython.Build import cythonize
ext = Extension("uses_zmqx", ["uses_zmqx.pyx"], include_dirs={incs!r},
                library_dirs={dirs!r}, libraries=["zmq"], extra_link_args={link!r})
setup(ext_modules=cythonize([ext], include_path={incs!r}, quiet=True))
"""

DRIVER = """
import zmqx, uses_zmqx
ctx = zmqx.Context()
a, b = ctx.socket(zmqx.PAIR), ctx.socket(zmqx.PAIR)
for s in (a, b):
    s.linger = 0
    s.rcvtimeo = s.sndtimeo = 5000
a.bind("inproc://cython-api")
b.connect("inproc://cython-api")
assert uses_zmqx.send_recv(a, b, b"through the C API") == b"through the C API"
b.send(b"and back")  # the Python path on the other side
assert a.recv() == b"and back"
assert uses_zmqx.context_handle(ctx) == ctx.underlying
assert uses_zmqx.frame_size(zmqx.Frame(b"12345")) == 5
assert uses_zmqx.version() == zmqx.zmq_version_info()
ctx.destroy(linger=0)
print("cython api ok")
"""


def _libzmq_link_flags():
    """library_dirs and link args for the libzmq zmqx itself links (setup.py's rules)."""
    prefix = os.environ.get("ZMQX_PREFIX")
    if prefix:
        lib = os.path.join(prefix, "lib")
        return [lib], ["-Wl,-rpath," + lib]
    libs = subprocess.run(["pkg-config", "--libs", "libzmq"], check=True, timeout=30,
                          capture_output=True, text=True).stdout
    return [f[2:] for f in shlex.split(libs) if f.startswith("-L")], []


def test_extension_cimporting_zmqx_builds_and_runs(tmp_path):
    incs = zmq.get_includes()
    assert os.path.exists(os.path.join(ROOT, "zmqx", "__init__.pxd"))
    for header in ("zmq.h", "zmqx_compat.h"):
        assert os.path.exists(os.path.join(incs[1], header)), f"{header} not in {incs[1]}"
    dirs, link = _libzmq_link_flags()
    shutil.copy(EXT_SOURCE, tmp_path)
    (tmp_path / "setup.py").write_text(SETUP.format(incs=incs, dirs=dirs, link=link))
    build = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                           cwd=tmp_path, timeout=300, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), PACKAGE_PARENT]))
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(DRIVER)], cwd=tmp_path,
                         env=env, timeout=60, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "cython api ok" in run.stdout
