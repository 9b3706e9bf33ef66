# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.eventloop.ioloop: tornado's IOLoop under pyzmq's old module path.

As in pyzmq 17+, no special loop is needed: tornado's own IOLoop (running on
asyncio) serves zmqx sockets.  ``ZMQIOLoop`` and ``install()`` remain for old
code; importing this module warns, as pyzmq's does.
"""
import warnings

from tornado.ioloop import *  # noqa: F401,F403
from tornado.ioloop import IOLoop


def _deprecated() -> None:
    warnings.warn("zmqx.eventloop.ioloop is deprecated (as zmq.eventloop.ioloop is in pyzmq"
                  " 17): use tornado.ioloop.IOLoop", DeprecationWarning, stacklevel=3)


_deprecated()

ZMQIOLoop = IOLoop


def install() -> None:
    """Does nothing: tornado's IOLoop needs no installing (kept for old code)."""
    _deprecated()


__all__ = ["IOLoop", "ZMQIOLoop", "install"]
