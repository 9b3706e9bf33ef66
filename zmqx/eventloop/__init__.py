# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.eventloop: tornado integration (pyzmq's ``zmq.eventloop``): ``ioloop``
(tornado's IOLoop), ``zmqstream.ZMQStream`` and ``future`` (awaited sockets for
tornado coroutines).  Needs tornado: ``pip install zmqx[tornado]``."""
from tornado.ioloop import IOLoop

__all__ = ["IOLoop"]
