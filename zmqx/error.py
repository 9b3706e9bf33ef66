# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's name for zmqx.errors (``from zmq.error import ZMQError`` keeps working)."""
from zmqx.errors import (Again, ContextTerminated, DraftFDWarning, InterruptedSystemCall,
                         NotDone, ZMQBaseError, ZMQBindError, ZMQError, ZMQVersionError,
                         exception_for_errno, strerror)

__all__ = [
    "ZMQBaseError", "ZMQError", "Again", "ContextTerminated", "InterruptedSystemCall",
    "ZMQBindError", "NotDone", "ZMQVersionError", "DraftFDWarning", "exception_for_errno",
    "strerror",
]
