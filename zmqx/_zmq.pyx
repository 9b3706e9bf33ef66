# SPDX-License-Identifier: BSD-3-Clause
# cython: language_level=3
"""zmqx's one extension module: Context, Socket, Frame over libzmq.

Built from small parts, ``include``d below in dependency order, each naming
its one job in its first lines:

    _errors    rc -> exception          _socket   _SocketCore: options, frames
    _waits     close-safe waiting       _fast     C entries for send(data), recv()
    _io        the blocking recipe
    _frame     Frame, zero-copy         _batch    send_many / recv_many
    _context   Context                  _sugar    Socket: strings, json, ...
    _poll      zmq_poll, proxy          _asyncio  compiled asyncio fast paths
    _forward   nogil forwarding loops   _pollset  PollSet (epoll / zmq_poll)
    _utils     version, CURVE, Z85      _zap      ZAP handler hot path (auth)

Where a message goes:

    Socket.send()  -> _send_entry() for send(data[, flags]), else the def
                      send(); both call _SocketCore._send_frame()    (_fast.pxi)
                   -> _fill_msg() (_socket.pxi) -> _init_msg(): a zmq_msg_t,
                      copied or zero-copy                            (_frame.pxi)
                   -> _io(): zmq_msg_send with the GIL and ZMQ_DONTWAIT; only
                      if that would block, again without the GIL, resumed
                      after signals via PyErr_CheckSignals()          (_io.pxi)
    Socket.recv()  -> _recv_entry() or the def recv() -> _SocketCore._recv_frame()
                   -> _recv_msg() -> _io(zmq_msg_recv)
                   -> bytes (copy=True) or a Frame owning the zmq_msg_t.
Errors from any libzmq call go through _check_rc()/_raise_errno() (_errors.pxi)
to the pure-Python classes in zmqx/errors.py.
"""
cimport cython
from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release, PyBuffer_FillInfo,
                             PyObject_CheckBuffer, PyBUF_SIMPLE, PyBUF_WRITABLE)
from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.bytearray cimport PyByteArray_AS_STRING, PyByteArray_GET_SIZE
from cpython.exc cimport PyErr_CheckSignals
from cpython.sequence cimport PySequence_Fast_GET_ITEM, PySequence_Fast_GET_SIZE
from cpython.object cimport PyObject_GenericSetAttr, PyTypeObject
from libc.errno cimport EAGAIN, EFAULT, EINTR, EINVAL
from libc.stdint cimport int64_t, uint8_t
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy

from zmqx cimport _libzmq as lz

import atexit as _atexit
import os as _os
import threading as _threading
import time as _time
import weakref as _weakref

from zmqx import errors as _errors
from zmqx import constants as _constants

include "_errors.pxi"
include "_waits.pxi"
include "_io.pxi"
include "_frame.pxi"
include "_context.pxi"
include "_socket.pxi"
include "_fast.pxi"
include "_batch.pxi"
include "_sugar.pxi"
include "_asyncio.pxi"
include "_poll.pxi"
include "_pollset.pxi"
include "_forward.pxi"
include "_utils.pxi"
include "_zap.pxi"
