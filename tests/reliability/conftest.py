"""The reliability suite's hang guard: long mode runs scenarios for minutes,
so the suite-wide 120 s per-test deadline (tests/conftest.py) is lengthened
there.  Every scenario still bounds its own waits."""
import faulthandler

import pytest
from _rel import LONG

HANG_GUARD_S = 1200 if LONG else 120


@pytest.fixture(autouse=True)
def _hang_guard():
    faulthandler.dump_traceback_later(HANG_GUARD_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
