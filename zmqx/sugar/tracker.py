# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.sugar.tracker`` path: zmqx's MessageTracker, and the tracker
that is already done (what a copying send reports when asked to track)."""
from typing import Final

from zmqx._zmq import MessageTracker

__all__ = ["MessageTracker", "_FINISHED_TRACKER"]

_FINISHED_TRACKER: Final[MessageTracker] = MessageTracker()
