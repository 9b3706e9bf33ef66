# SPDX-License-Identifier: BSD-3-Clause
"""``make wheel`` for real: tools/wheel.py builds an sdist and a wheel from it,
repairs the wheel with auditwheel, installs it into a fresh venv, checks with
ldd that libzmq comes from inside the wheel, and runs tests/wheel_smoke.py.

About 30 s on a 2-core machine (one C compile; pip's cache serves the isolated
build environment).  Outputs go to a temporary directory, not dist/.
"""
import glob
import os
import subprocess
import sys

import pytest

from _backend import IS_ZMQX

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = [
    pytest.mark.source_tree,
    pytest.mark.skipif(not IS_ZMQX, reason="zmqx's own packaging"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="auditwheel is Linux-only"),
    pytest.mark.skipif(not os.path.isdir(os.path.join(ROOT, ".git")), reason="needs the git checkout"),
]


def test_make_wheel_builds_repairs_and_checks(tmp_path):
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "wheel.py"), "--outdir", str(tmp_path)],
        cwd=ROOT, timeout=1500, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert "wheel smoke test passed" in result.stdout
    (wheel,) = glob.glob(str(tmp_path / "zmqx-*-manylinux_*.whl"))
    (sdist,) = glob.glob(str(tmp_path / "zmqx-*.tar.gz"))
    assert os.path.getsize(wheel) > 0 and os.path.getsize(sdist) > 0
