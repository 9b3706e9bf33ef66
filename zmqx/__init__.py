# SPDX-License-Identifier: BSD-3-Clause
"""zmqx: a fast Cython binding of libzmq with pyzmq's API.

``import zmqx as zmq`` runs ordinary pyzmq code.  This module only gathers the
public names: constants (zmqx.constants), exceptions (zmqx.errors), and the
core classes from the one extension module, zmqx._zmq.
"""
from zmqx._version import __version__
from zmqx import constants
from zmqx.constants import *  # noqa: F401,F403 -- every libzmq constant, top level
from zmqx.errors import (Again, ContextTerminated, DraftFDWarning, InterruptedSystemCall,
                         NotDone, ZMQBaseError, ZMQBindError, ZMQError, ZMQVersionError)
from zmqx._zmq import (COPY_THRESHOLD, Context, Frame, Message, MessageTracker, PollSet,
                       Socket, curve_keypair, curve_public, has, strerror,
                       z85_decode, z85_encode, zmq_errno, zmq_poll, zmq_version,
                       zmq_version_info)
from zmqx.poll import Poller, select
from zmqx.proxy import (ProxyStatistics, device, priority_proxy, proxy, proxy_statistics,
                        proxy_steerable)
# pyzmq's module layout (issue 12): zmqx.backend, zmqx.sugar, ... as attributes too
from zmqx import backend, error, sugar, utils
from zmqx.backend import IPC_PATH_MAX_LEN, PYZMQ_DRAFT_API
from zmqx.sugar import Stopwatch, SyncContext, SyncSocket
from zmqx.sugar.tracker import _FINISHED_TRACKER
from zmqx.sugar.version import __revision__, pyzmq_version, pyzmq_version_info

DRAFT_API: bool = has("draft")  # libzmq built with its draft API (pyzmq's name)

__all__ = [
    "__version__", "constants", "Context", "Socket", "Frame", "Message", "MessageTracker",
    "ZMQBaseError", "ZMQError", "Again", "ContextTerminated", "InterruptedSystemCall",
    "ZMQBindError", "NotDone", "ZMQVersionError", "COPY_THRESHOLD", "IPC_PATH_MAX_LEN",
    "DRAFT_API",
    "zmq_version", "zmq_version_info", "pyzmq_version", "has", "strerror", "zmq_errno",
    "zmq_poll", "PollSet", "Poller", "select", "proxy", "proxy_steerable", "priority_proxy",
    "device", "ProxyStatistics", "proxy_statistics", "curve_keypair", "curve_public",
    "z85_encode", "z85_decode", "get_includes", "get_library_dirs",
    "DraftFDWarning", "PYZMQ_DRAFT_API", "Stopwatch", "SyncContext", "SyncSocket",
    "pyzmq_version_info", "_FINISHED_TRACKER", "__revision__",
]
__all__ += constants.__all__  # "+=": the form type checkers follow


def get_includes() -> list[str]:
    """Include directories for building an extension that does ``cimport zmqx``:
    the directory holding the zmqx package (its .pxd files) and zmqx/include
    (zmq.h and zmqx's C headers, copied there by the build)."""
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.dirname(here), os.path.join(here, "include")]


def get_library_dirs() -> list[str]:
    """Library directories for linking an extension against zmqx's libzmq (pyzmq's
    name): the zmqx package directory, and a wheel's bundled ``zmqx.libs``. A
    source build links the system libzmq (see ``get_includes``)."""
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    libs = os.path.join(os.path.dirname(here), "zmqx.libs")
    return [here, libs] if os.path.isdir(libs) else [here]
