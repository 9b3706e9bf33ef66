# SPDX-License-Identifier: BSD-3-Clause
"""The benchmark suite's quick mode runs every scenario and reports real numbers.

Runs ``python -m zmqx.bench --quick --json`` in a subprocess (bounded by a
timeout) against zmqx, plus pyzmq when it is importable and the C column when
a compiler and libzmq's headers are there, and checks the JSON: every
registered scenario present, every zmqx cell a positive measurement, no cell
failed.  This keeps the benchmarks from rotting as the binding changes.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 150
# the zmqx under test: the source tree after an in-place build, else the installed one
ZMQX_PARENT = Path(importlib.util.find_spec("zmqx").origin).parents[1]


def _has_c_toolchain():
    """A compiler, libzmq's headers and the C benchmark's source (a checkout's csrc/)."""
    if not (ZMQX_PARENT / "csrc" / "bench").is_dir():
        return False
    if not (shutil.which("cc") and shutil.which("pkg-config")):
        return False
    return subprocess.run(["pkg-config", "--exists", "libzmq"]).returncode == 0


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    modules = "zmqx,zmq" if importlib.util.find_spec("zmq") else "zmqx"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ZMQX_PARENT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, "-m", "zmqx.bench", "--quick", "--json", "--modules", modules,
         "--out", str(out)],
        cwd=out, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout)
    assert (out / "bench.json").exists()
    return report


def test_every_scenario_reported(quick_report):
    sys.path.insert(0, str(ROOT))
    from zmqx.bench import registry

    expected = [s.name for s in registry.all_scenarios()]
    assert [e["name"] for e in quick_report["scenarios"]] == expected


def test_zmqx_cells_are_positive_measurements(quick_report):
    for entry in quick_report["scenarios"]:
        cell = entry["cells"]["zmqx"]
        assert cell.get("median_us", 0) > 0, (entry["name"], cell)
        assert all(r["ops"] > 0 and r["seconds"] > 0 for r in cell["runs"]), entry["name"]
        if entry["kind"] == "latency":
            assert 0 < cell["median_us"] <= cell["p99_us"], entry["name"]
        if entry["kind"] == "rate":
            assert cell["msgs_per_s"] > 0 and cell["mb_per_s"] > 0, entry["name"]


def test_other_columns_measured_or_skipped_with_reason(quick_report):
    meta = quick_report["meta"]
    for entry in quick_report["scenarios"]:
        for column, cell in entry["cells"].items():
            assert "error" not in cell, (entry["name"], column, cell["error"])
            assert cell.get("median_us", 0) > 0 or cell.get("skipped"), (entry["name"], column)
    if _has_c_toolchain():
        assert "C" in meta["columns"], meta["notes"]
        measured = [e for e in quick_report["scenarios"] if "median_us" in e["cells"]["C"]]
        assert len(measured) >= 40
    else:
        assert any("C column skipped" in n for n in meta["notes"])


def test_versions_recorded(quick_report):
    modules = quick_report["meta"]["modules"]
    assert modules["zmqx"]["libzmq"].count(".") == 2
    if "pyzmq" in modules:
        assert modules["pyzmq"]["libzmq"].count(".") == 2
        assert "zmqx/pyzmq" in quick_report["scenarios"][0]["ratios"]
