# SPDX-License-Identifier: BSD-3-Clause
"""Typing: the stubs match the runtime, and the public API type-checks.

* zmqx/constants.pyi is what tools/gen_constants_stub.py generates now;
* ``mypy.stubtest`` finds no difference between the stubs of the extension
  (zmqx/_zmq.pyi) and of zmqx.constants and the built modules (allowlist:
  tests/typing/stubtest-allowlist.txt, Cython-generated names only);
* tests/typing/sample.py passes ``mypy --strict`` and also runs.

The library's own pure-Python modules are not held to --strict here
(``--follow-imports=silent``): only what a user's program sees of them.
"""
import os
import subprocess
import sys

import pytest

from _backend import IS_ZMQX

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPING = os.path.join(ROOT, "tests", "typing")

pytestmark = [
    pytest.mark.source_tree,
    pytest.mark.skipif(not IS_ZMQX, reason="zmqx's own stubs"),
]


def run(args, timeout, **kwargs):
    result = subprocess.run(args, cwd=ROOT, timeout=timeout, capture_output=True,
                            text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}{result.stderr}"
    return result.stdout


def test_constants_stub_is_up_to_date():
    run([sys.executable, os.path.join(ROOT, "tools", "gen_constants_stub.py"), "--check"],
        timeout=60)


def test_stubs_match_runtime():
    run([sys.executable, "-m", "mypy.stubtest", "--allowlist",
         os.path.join(TYPING, "stubtest-allowlist.txt"), "zmqx._zmq", "zmqx.constants"],
        timeout=300)


def test_sample_passes_mypy_strict():
    out = run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
               "--cache-dir", os.path.join(ROOT, ".mypy_cache"),
               os.path.join(TYPING, "sample.py")], timeout=300)
    assert "Success" in out


def test_sample_runs():
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = run([sys.executable, os.path.join(TYPING, "sample.py")], timeout=60, env=env)
    assert "typing sample ran" in out
