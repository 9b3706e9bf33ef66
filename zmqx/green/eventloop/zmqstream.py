# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green.eventloop.zmqstream: ZMQStream whose default loop is
``IOLoop.instance()`` (as pyzmq's green ZMQStream)."""
from __future__ import annotations

from typing import Any

from zmqx.eventloop import zmqstream
from tornado.ioloop import IOLoop

__all__ = ["ZMQStream"]


class ZMQStream(zmqstream.ZMQStream):
    def __init__(self, socket: Any, io_loop: IOLoop | None = None) -> None:
        super().__init__(socket, io_loop=io_loop or IOLoop.instance())
