# SPDX-License-Identifier: BSD-3-Clause
"""The C-level face of zmqx's classes: what ``cimport zmqx._zmq`` sees.

Fields and cdef methods here are the public Cython API; the Python API is in
the .pxi parts that ``_zmq.pyx`` includes.
"""
from zmqx cimport _libzmq as lz


cdef class MessageTracker:
    cdef int _pending           # frames libzmq still holds; changed atomically
    cdef tuple _watch           # MessageTracker(*towatch): trackers and events also waited for
    cdef object __weakref__

    cdef bint _done(self)


cdef class Frame:
    cdef lz.zmq_msg_t zmq_msg
    cdef Py_ssize_t _exports    # live buffer views of zmq_msg's memory
    cdef bint _closed
    cdef object _bytes          # cached .bytes (or the bytes it was built from)
    cdef public object tracker
    cdef public bint more
    cdef object __weakref__

    cdef int _check_open(self) except -1


cdef class Context:
    cdef void *handle
    cdef int _pid
    cdef bint _shadow
    cdef bint _closed
    cdef object _shadow_obj     # the Context a shadow wraps, kept alive
    cdef object _sockets        # WeakSet of live sockets, for destroy()
    cdef dict _sockopts         # socket options applied to new sockets
    cdef dict __dict__          # ordinary attributes (ctx.name = ...), as pyzmq
    cdef object __weakref__

    cdef int _check_open(self) except -1


cdef class _SocketCore:
    cdef void *handle           # NULL exactly when closed
    # Calls that may have changed the socket's readiness (send, recv, reading
    # EVENTS, zmq_poll: all process libzmq commands and may consume a ZMQ_FD
    # edge).  PollSet re-reads EVENTS only for sockets whose count moved.
    cdef public unsigned long _ops
    cdef int _pid
    cdef bint _shadow
    cdef int _type
    cdef readonly object context
    cdef public Py_ssize_t copy_threshold
    cdef object _shadow_obj     # the Socket a shadow wraps, kept alive
    cdef object _waits          # _Waits: threads waiting on it without the GIL (_io.pxi)
    cdef object __weakref__

    cdef int _check_open(self) except -1
    cdef int _poll_self(self, int events, long timeout) except -1
    cdef object _get_opt(self, int option)
    cdef int _set_opt(self, int option, value) except -1
    cdef int _endpoint_call(self, int (*call)(void *, const char *) noexcept nogil,
                            addr) except -1
    cdef int _fill_msg(self, lz.zmq_msg_t *msg, object data, bint copy,
                       MessageTracker tracker) except -1
    cdef int _send_frame(self, object data, int flags, bint copy,
                         MessageTracker tracker) except -1
    cdef int _send_now(self, object data, int flags, bint copy) except -1
    cdef object _recv_frame(self, int flags, bint copy, int *more, bint wait)
    cdef object _recv_new_frame(self, int flags, int *more, bint wait)
    cdef int _send_parts(self, parts, int flags, bint copy,
                         MessageTracker tracker) except -1


cdef class _SocketBatch(_SocketCore):
    pass


cdef class Socket(_SocketBatch):
    cdef object _monitor_socket
    # Ordinary attributes (sock.name = ...), as pyzmq.  Left NULL until the
    # first one is set, so method lookups stay on CPython's no-dict fast path.
    cdef dict __dict__


cdef class _AsyncSocket(Socket):
    cdef public object _w       # zmqx._asyncio_waiters.Waiters
