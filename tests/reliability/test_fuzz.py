"""Hypothesis fuzzing of the Python API (see _fuzz.py), in a child process:
no crash, no hang, only documented exception types."""
import json

from _rel import finish, record, scale, spawn


def test_fuzz_python_api():
    examples = scale(500, 3000)
    child = spawn("fuzz", examples, 1234)  # _peers.fuzz runs _fuzz.py's driver
    out = finish(child, timeout=scale(240, 3000))
    report = json.loads(out.strip().splitlines()[-1])
    record("fuzz", **report)
    assert report["examples"] == examples and report["failure_count"] == 0, report
