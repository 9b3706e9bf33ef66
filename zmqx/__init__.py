# SPDX-License-Identifier: BSD-3-Clause
"""zmqx: a fast Cython binding of libzmq with pyzmq's API.

``import zmqx as zmq`` runs ordinary pyzmq code.  This module only gathers the
public names: constants (zmqx.constants), exceptions (zmqx.errors), and the
core classes from the one extension module, zmqx._zmq.
"""
from zmqx._version import __version__
from zmqx import constants
from zmqx.constants import *  # noqa: F401,F403 -- every libzmq constant, top level
from zmqx.errors import (Again, ContextTerminated, InterruptedSystemCall, NotDone,
                         ZMQBaseError, ZMQBindError, ZMQError, ZMQVersionError)
from zmqx._zmq import (COPY_THRESHOLD, Context, Frame, Message, MessageTracker, PollSet,
                       Socket, curve_keypair, curve_public, has, strerror,
                       z85_decode, z85_encode, zmq_errno, zmq_poll, zmq_version,
                       zmq_version_info)
from zmqx.poll import Poller, select
from zmqx.proxy import (ProxyStatistics, device, priority_proxy, proxy, proxy_statistics,
                        proxy_steerable)

IPC_PATH_MAX_LEN = 107  # sizeof(sockaddr_un.sun_path) - 1 on Linux
DRAFT_API: bool = has("draft")  # libzmq built with its draft API (pyzmq's name)

__all__ = [
    "__version__", "constants", "Context", "Socket", "Frame", "Message", "MessageTracker",
    "ZMQBaseError", "ZMQError", "Again", "ContextTerminated", "InterruptedSystemCall",
    "ZMQBindError", "NotDone", "ZMQVersionError", "COPY_THRESHOLD", "IPC_PATH_MAX_LEN",
    "DRAFT_API",
    "zmq_version", "zmq_version_info", "pyzmq_version", "has", "strerror", "zmq_errno",
    "zmq_poll", "PollSet", "Poller", "select", "proxy", "proxy_steerable", "priority_proxy",
    "device", "ProxyStatistics", "proxy_statistics", "curve_keypair", "curve_public",
    "z85_encode", "z85_decode", "get_includes",
]
__all__ += constants.__all__  # "+=": the form type checkers follow


def pyzmq_version() -> str:
    """The pyzmq API level zmqx follows (for code that checks it)."""
    return "27.0.0"


def get_includes() -> list[str]:
    """Include directories for building an extension that does ``cimport zmqx``:
    the directory holding the zmqx package (its .pxd files) and zmqx/include
    (zmq.h and zmqx's C headers, copied there by the build)."""
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.dirname(here), os.path.join(here, "include")]
