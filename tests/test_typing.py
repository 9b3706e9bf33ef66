# SPDX-License-Identifier: BSD-3-Clause
"""Typing: the stubs match the runtime, and the public API type-checks.

* zmqx/constants.pyi is what tools/gen_constants_stub.py generates now;
* ``mypy.stubtest`` finds no difference between the stubs of the extension
  (zmqx/_zmq.pyi) and of zmqx.constants and the built modules, nor between the
  inline annotations of the pure-Python modules and what they define at runtime
  (allowlist: tests/typing/stubtest-allowlist.txt);
* the zmqx package passes ``mypy --strict`` (all but zmqx.bench, the benchmark
  tool, which is not API);
* tests/typing/sample.py passes ``mypy --strict`` and also runs.

The checks see the zmqx under test: the source tree after an in-place build, or
the installed package (``make test-matrix``), run from a directory where the
source tree's unbuilt zmqx/ cannot shadow it.
"""
import os
import subprocess
import sys

import pytest

from _backend import IS_ZMQX, PACKAGE_PARENT

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPING = os.path.join(ROOT, "tests", "typing")
IN_TREE = os.path.samefile(PACKAGE_PARENT, ROOT) if IS_ZMQX else True

pytestmark = [
    pytest.mark.source_tree,
    pytest.mark.skipif(not IS_ZMQX, reason="zmqx's own stubs"),
]


@pytest.fixture(scope="module")
def cwd(tmp_path_factory):
    """Where the checks run: the source tree, unless zmqx is installed elsewhere."""
    return ROOT if IN_TREE else str(tmp_path_factory.mktemp("typing"))


def run(args, timeout, cwd=ROOT, **kwargs):
    result = subprocess.run(args, cwd=cwd, timeout=timeout, capture_output=True,
                            text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}{result.stderr}"
    return result.stdout


def test_constants_stub_is_up_to_date():
    run([sys.executable, os.path.join(ROOT, "tools", "gen_constants_stub.py"), "--check"],
        timeout=60)


def test_stubs_match_runtime(cwd):
    allowlists = ["stubtest-allowlist.txt"]
    if sys.version_info < (3, 12):
        allowlists.append("stubtest-allowlist-before-3.12.txt")
    run([sys.executable, "-m", "mypy.stubtest",
         *(arg for name in allowlists for arg in ("--allowlist", os.path.join(TYPING, name))),
         "zmqx._zmq", "zmqx.constants",
         # the inline-typed modules (packages include their submodules)
         "zmqx.errors", "zmqx.poll", "zmqx.proxy", "zmqx.utils", "zmqx.devices",
         "zmqx.asyncio", "zmqx._asyncio_waiters",
         # pyzmq's module paths (issue 12)
         "zmqx.sugar", "zmqx.backend", "zmqx.decorators", "zmqx.log", "zmqx.error",
         "zmqx.ssh", "zmqx.auth", "zmqx.anyio"],
        timeout=300, cwd=cwd)


def mypy_strict(cwd, *targets):
    out = run([sys.executable, "-m", "mypy", "--strict",
               "--cache-dir", os.path.join(cwd, ".mypy_cache"), *targets], timeout=300, cwd=cwd)
    assert "Success" in out


def test_package_passes_mypy_strict(cwd):
    mypy_strict(cwd, "-p", "zmqx", "--exclude", "zmqx/bench/")


def test_sample_passes_mypy_strict(cwd):
    mypy_strict(cwd, os.path.join(TYPING, "sample.py"))


def test_sample_runs(cwd):
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    out = run([sys.executable, os.path.join(TYPING, "sample.py")], timeout=60, env=env, cwd=cwd)
    assert "typing sample ran" in out
