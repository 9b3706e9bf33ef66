# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green.eventloop: pyzmq's ``zmq.green.eventloop`` (tornado's IOLoop and
ZMQStream, for code that imports them from the green package)."""
from tornado.ioloop import IOLoop

__all__ = ["IOLoop"]
