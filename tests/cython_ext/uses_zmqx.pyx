# SPDX-License-Identifier: BSD-3-Clause
# cython: language_level=3
"""A third-party extension using zmqx's Cython API (built by tests/test_cython_api.py).

It gets Context, Socket and Frame from ``cimport zmqx`` and calls libzmq itself,
through the declarations in ``zmqx.libzmq``, on the handles zmqx's objects hold.
"""
cimport zmqx
from zmqx cimport libzmq


def send_recv(zmqx.Socket sender, zmqx.Socket receiver, bytes payload):
    """zmq_send ``payload`` on ``sender``'s libzmq socket, zmq_recv it on
    ``receiver``'s (bounded by the receiver's RCVTIMEO); return the bytes."""
    cdef char buf[256]
    cdef const char *data = payload
    cdef size_t n = len(payload)
    cdef int rc
    if n > sizeof(buf):
        raise ValueError("payload larger than the receive buffer")
    with nogil:
        rc = libzmq.zmq_send(sender.handle, data, n, 0)
    if rc < 0:
        raise OSError(libzmq.zmq_errno(), libzmq.zmq_strerror(libzmq.zmq_errno()).decode())
    with nogil:
        rc = libzmq.zmq_recv(receiver.handle, buf, sizeof(buf), 0)
    if rc < 0:
        raise OSError(libzmq.zmq_errno(), libzmq.zmq_strerror(libzmq.zmq_errno()).decode())
    return buf[:rc]


def context_handle(zmqx.Context ctx):
    """The libzmq context pointer, as zmqx.Context.underlying reports it."""
    return <size_t>ctx.handle


def frame_size(zmqx.Frame frame):
    """zmq_msg_size of the Frame's own zmq_msg_t."""
    return libzmq.zmq_msg_size(&frame.zmq_msg)


def version():
    cdef int major, minor, patch
    libzmq.zmq_version(&major, &minor, &patch)
    return (major, minor, patch)
