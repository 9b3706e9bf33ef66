# SPDX-License-Identifier: BSD-3-Clause
# _errors.pxi -- the one path from a libzmq return code to a Python exception.
#
# Every libzmq call that can fail is followed by _check_rc(rc) (or, inside a
# nogil block, by capturing zmq_errno() and calling _raise_errno afterwards).
# The fast path is one comparison; classes live in zmqx/errors.py.

cdef object _exception_for_errno = _errors.exception_for_errno


cdef int _raise_errno(int err) except -1:
    """Raise the ZMQError subclass for ``err`` (always raises)."""
    raise _exception_for_errno(err)(err)


cdef inline int _check_rc(int rc) except -1:
    """0 when rc >= 0, else raise for zmq_errno()."""
    if rc < 0:
        _raise_errno(lz.zmq_errno())
    return 0


cdef inline void *_check_ptr(void *p) except NULL:
    """p when not NULL, else raise for zmq_errno()."""
    if p == NULL:
        _raise_errno(lz.zmq_errno())
    return p

