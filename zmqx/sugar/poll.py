# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.sugar.poll`` path: zmqx.poll's Poller and select."""
from zmqx.poll import Poller, select

__all__ = ["Poller", "select"]
