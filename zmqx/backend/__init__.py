# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.backend`` path: the libzmq-facing core. In zmqx that is the
one extension module, zmqx._zmq, so this module only names its parts.

pyzmq has two backends (Cython and CFFI) behind this module and a pure-Python
"sugar" layer on top; zmqx has one compiled core, so ``zmqx.backend.Socket``
is ``zmqx.Socket`` (and so on).
"""
from zmqx._zmq import (Context, Frame, Message, Socket, curve_keypair, curve_public, has,
                       monitored_queue, strerror, zmq_errno, zmq_poll, zmq_version_info)
from zmqx.proxy import proxy, proxy_steerable

IPC_PATH_MAX_LEN: int = 107  # sizeof(sockaddr_un.sun_path) - 1 on Linux
# pyzmq: "the binding was built with libzmq's draft API". zmqx has one build,
# whose draft features follow the libzmq it loaded.
PYZMQ_DRAFT_API: bool = has("draft")

__all__ = [  # select.public_api; monitored_queue is here too, unlisted as in pyzmq
    "Context", "Socket", "Frame", "Message", "proxy", "proxy_steerable", "zmq_poll",
    "strerror", "zmq_errno", "has", "curve_keypair", "curve_public", "zmq_version_info",
    "IPC_PATH_MAX_LEN", "PYZMQ_DRAFT_API",
]
