# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.sugar.context`` path: zmqx's Context (built in zmqx._zmq)."""
from zmqx._zmq import Context

__all__ = ["Context", "SyncContext"]

SyncContext = Context  # pyzmq: the synchronous Context, for typing
