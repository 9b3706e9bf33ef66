# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.sugar.socket`` path: zmqx's Socket (built in zmqx._zmq)."""
from zmqx._zmq import Socket

__all__ = ["Socket", "SyncSocket"]

SyncSocket = Socket  # pyzmq: the synchronous Socket (Socket[bytes]), for typing
