# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green.eventloop.ioloop: zmqx.eventloop.ioloop, under the green package."""
from zmqx.eventloop.ioloop import *  # noqa: F401,F403
from zmqx.eventloop.ioloop import IOLoop, ZMQIOLoop, install

__all__ = ["IOLoop", "ZMQIOLoop", "install"]
