# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.sugar`` path: the public classes and functions gathered from
its submodules, each a thin re-export of zmqx's core (no code of its own)."""
from zmqx.errors import *  # noqa: F401,F403
from zmqx.proxy import device
from zmqx.sugar import context, frame, poll, socket, tracker, version
from zmqx.sugar.context import *  # noqa: F401,F403
from zmqx.sugar.frame import *  # noqa: F401,F403
from zmqx.sugar.poll import *  # noqa: F401,F403
from zmqx.sugar.socket import *  # noqa: F401,F403
from zmqx.sugar.stopwatch import Stopwatch
from zmqx.sugar.tracker import *  # noqa: F401,F403
from zmqx.sugar.tracker import _FINISHED_TRACKER
from zmqx.sugar.version import __revision__, __version__
from zmqx.sugar.version import *  # noqa: F401,F403

__all__ = [
    "device", "Stopwatch",
    # zmqx.errors
    "ZMQBaseError", "ZMQError", "Again", "ContextTerminated", "InterruptedSystemCall",
    "ZMQBindError", "NotDone", "ZMQVersionError", "DraftFDWarning", "exception_for_errno",
    "strerror",
    "Context", "SyncContext", "Frame", "Message", "Poller", "select", "Socket", "SyncSocket",
    "MessageTracker", "_FINISHED_TRACKER",
    "zmq_version", "zmq_version_info", "pyzmq_version", "pyzmq_version_info", "__version__",
    "__revision__",
]
