# SPDX-License-Identifier: BSD-3-Clause
# _io.pxi -- the blocking recipe shared by send, recv, poll, proxy and term.
#
# 1. Try with the GIL held and ZMQ_DONTWAIT: a message that can move now costs
#    no GIL round trip (the common case on a busy socket).
# 2. Only if that would block (EAGAIN, and the caller did not ask DONTWAIT):
#    call again without the GIL, so other threads run while we wait.
# 3. On EINTR: PyErr_CheckSignals() runs the Python signal handlers; if one
#    raises (Ctrl-C), the exception propagates.  Otherwise the call resumes with
#    the time left of its timeout (RCVTIMEO/SNDTIMEO, or poll's), not a new one.

cdef inline double _monotonic():
    return _time.monotonic()


cdef enum:
    _SEND_MSG = 0
    _RECV_MSG = 1
    _RECV_BUF = 2


cdef inline int _attempt(void *h, int op, lz.zmq_msg_t *msg, void *buf, size_t n,
                         int flags) noexcept nogil:
    if op == _SEND_MSG:
        return lz.zmq_msg_send(msg, h, flags)
    if op == _RECV_MSG:
        return lz.zmq_msg_recv(msg, h, flags)
    return lz.zmq_recv(h, buf, n, flags)


cdef inline int _io(_SocketCore s, int op, lz.zmq_msg_t *msg, void *buf, size_t n,
                    int flags) except -1:
    """Send or receive one frame: steps 1 and 2 above.  Returns libzmq's rc.
    A message to send that libzmq did not take is closed before raising."""
    cdef void *h = s.handle
    s._ops += 1
    cdef int rc = _attempt(h, op, msg, buf, n, flags | lz.ZMQ_DONTWAIT)
    if rc >= 0:
        return rc
    cdef int err = lz.zmq_errno()
    if err == EAGAIN and not flags & lz.ZMQ_DONTWAIT:
        return _io_wait(h, op, msg, buf, n, flags)
    if op == _SEND_MSG:
        lz.zmq_msg_close(msg)
    return _raise_errno(err)


cdef inline int _recv_msg(_SocketCore s, lz.zmq_msg_t *msg, int flags, bint wait) except -1:
    """zmq_msg_recv into msg: 1, or 0 if ``not wait`` and nothing is queued."""
    cdef int err
    s._check_open()
    if wait:
        _io(s, _RECV_MSG, msg, NULL, 0, flags)
        return 1
    s._ops += 1
    if lz.zmq_msg_recv(msg, s.handle, flags | lz.ZMQ_DONTWAIT) >= 0:
        return 1
    err = lz.zmq_errno()
    return 0 if err == EAGAIN else _raise_errno(err)


cdef int _get_int_opt(void *h, int option) except? -1:
    cdef int value = 0
    cdef size_t size = sizeof(int)
    _check_rc(lz.zmq_getsockopt(h, option, &value, &size))
    return value


cdef int _set_int_opt(void *h, int option, int value) except -1:
    return _check_rc(lz.zmq_setsockopt(h, option, &value, sizeof(int)))


cdef int _io_wait(void *h, int op, lz.zmq_msg_t *msg, void *buf, size_t n,
                  int flags) except -1:
    """Steps 2 and 3: wait without the GIL; resume after signals with the time left."""
    cdef double start = _monotonic()
    cdef int opt = lz.ZMQ_SNDTIMEO if op == _SEND_MSG else lz.ZMQ_RCVTIMEO
    cdef int rc = -1, err = 0, timeo = -2, left
    try:
        while True:
            with nogil:
                rc = _attempt(h, op, msg, buf, n, flags)
                if rc < 0:
                    err = lz.zmq_errno()
            if rc >= 0:
                return rc
            if err != EINTR:
                break
            PyErr_CheckSignals()
            if timeo == -2:
                timeo = _get_int_opt(h, opt)
            if timeo > 0:
                left = timeo - <int>((_monotonic() - start) * 1000.0)
                if left <= 0:
                    err = EAGAIN
                    break
                _set_int_opt(h, opt, left)
    finally:
        if timeo > 0:
            lz.zmq_setsockopt(h, opt, &timeo, sizeof(int))
        if rc < 0 and op == _SEND_MSG:
            lz.zmq_msg_close(msg)
    return _raise_errno(err)


cdef int _poll_wait(lz.zmq_pollitem_t *items, int nitems, long timeout) except -1:
    """zmq_poll; without the GIL unless timeout is 0.  Returns the ready count."""
    cdef int rc, err = 0
    cdef double deadline = 0.0
    if timeout == 0:
        rc = lz.zmq_poll(items, nitems, 0)
        return rc if rc >= 0 else _raise_errno(lz.zmq_errno())
    if timeout > 0:
        deadline = _monotonic() + timeout / 1000.0
    while True:
        with nogil:
            rc = lz.zmq_poll(items, nitems, timeout)
            if rc < 0:
                err = lz.zmq_errno()
        if rc >= 0:
            return rc
        if err != EINTR:
            return _raise_errno(err)
        PyErr_CheckSignals()
        if timeout > 0:
            timeout = max(0, <long>((deadline - _monotonic()) * 1000.0))


cdef int _proxy_wait(void *frontend, void *backend, void *capture,
                     void *control) except -1:
    """zmq_proxy / zmq_proxy_steerable (control != NULL) without the GIL."""
    cdef int rc, err = 0
    while True:
        with nogil:
            if control == NULL:
                rc = lz.zmq_proxy(frontend, backend, capture)
            else:
                rc = lz.zmq_proxy_steerable(frontend, backend, capture, control)
            if rc < 0:
                err = lz.zmq_errno()
        if rc >= 0:
            return rc
        if err != EINTR:
            return _raise_errno(err)
        PyErr_CheckSignals()


cdef int _term_wait(void *ctx) except -1:
    """zmq_ctx_term without the GIL, resumed after signals that do not raise."""
    cdef int rc, err = 0
    while True:
        with nogil:
            rc = lz.zmq_ctx_term(ctx)
            if rc < 0:
                err = lz.zmq_errno()
        if rc == 0:
            return 0
        if err != EINTR:
            return _raise_errno(err)
        PyErr_CheckSignals()
