# SPDX-License-Identifier: BSD-3-Clause
"""zmqx's Cython API: what ``cimport zmqx`` gives another extension.

    cimport zmqx
    from zmqx cimport libzmq

``zmqx.Context``, ``zmqx.Socket``, ``zmqx.Frame`` (and ``MessageTracker``) are
the extension types with their C fields (``handle``: the libzmq context or
socket pointer; ``zmq_msg``: a Frame's zmq_msg_t), and ``zmqx.libzmq`` holds
the libzmq declarations (zmq.h, C names verbatim).  Compile with the include
directories of ``zmqx.get_includes()`` and link the libzmq that zmqx uses.
"""
from zmqx cimport _libzmq as libzmq
from zmqx._zmq cimport Context, Frame, MessageTracker, Socket
