# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's name for zmqx.errors (``from zmq.error import ZMQError`` keeps working)."""
from zmqx.errors import *  # noqa: F401,F403
from zmqx.errors import __all__  # noqa: F401
