# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's deprecated ``zmq.Stopwatch``: microseconds between start() and stop()."""
from __future__ import annotations

import time
import warnings

__all__ = ["Stopwatch"]


class Stopwatch:
    """Deprecated (as in pyzmq): use ``time.monotonic`` or ``time.perf_counter``."""

    def __init__(self) -> None:
        warnings.warn("zmq.Stopwatch is deprecated. Use stdlib time.monotonic and friends "
                      "instead", DeprecationWarning, stacklevel=2)
        self._start = 0.0

    def start(self) -> None:
        """Start (or restart) timing."""
        self._start = time.monotonic()

    def stop(self) -> int:
        """Microseconds since start()."""
        return int(1e6 * (time.monotonic() - self._start))
