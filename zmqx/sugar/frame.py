# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.sugar.frame`` path: zmqx's Frame (``Message`` is the same class)."""
from zmqx._zmq import Frame, Message

__all__ = ["Frame", "Message"]
