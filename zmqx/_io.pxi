# SPDX-License-Identifier: BSD-3-Clause
# _io.pxi -- the blocking recipe shared by send, recv, poll, proxy and term.
#
# 1. Try with the GIL held and ZMQ_DONTWAIT: a message that can move now costs
#    no GIL round trip (the common case on a busy socket).
# 2. Only if that would block (EAGAIN, and the caller did not ask DONTWAIT):
#    wait without the GIL (_waits.pxi: _sleep_on for one socket, _sleep with
#    zmq_poll for several), then try again with it.  The wait also watches this
#    thread's wake-up pipe, so close() from another thread can end it.
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
    if op == _SEND_MSG and s._type == lz.ZMQ_XSUB:
        _check_xsub_send(msg)
    s._ops += 1
    cdef int rc = _attempt(h, op, msg, buf, n, flags | lz.ZMQ_DONTWAIT)
    if rc >= 0:
        return rc
    cdef int err = lz.zmq_errno()
    if err == EAGAIN and not flags & lz.ZMQ_DONTWAIT:
        return _io_wait(s, op, msg, buf, n, flags)
    if op == _SEND_MSG:
        lz.zmq_msg_close(msg)
    return _raise_errno(err)


cdef int _check_xsub_send(lz.zmq_msg_t *msg) except -1:
    """An XSUB frame starting with 1 (subscribe) or 0 (unsubscribe) goes into
    libzmq's recursive trie: the SUBSCRIBE limit applies (_socket.pxi)."""
    cdef size_t size = lz.zmq_msg_size(msg)
    cdef const unsigned char *data = <const unsigned char *>lz.zmq_msg_data(msg)
    if size > _SUBSCRIPTION_ALWAYS_OK and data[0] <= 1:
        try:
            _check_subscription(lz.ZMQ_SUBSCRIBE, size - 1)
        except BaseException:
            lz.zmq_msg_close(msg)
            raise
    return 0


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


cdef int _io_wait(_SocketCore s, int op, lz.zmq_msg_t *msg, void *buf, size_t n,
                  int flags) except -1:
    """Step 2: wait for the socket (_sleep_on), then try again with the GIL and
    ZMQ_DONTWAIT, until the call succeeds, fails otherwise, or its
    timeout (SNDTIMEO/RCVTIMEO) runs out (EAGAIN).  A message to send that
    libzmq did not take is closed before raising."""
    cdef void *h = s.handle
    cdef int opt = lz.ZMQ_SNDTIMEO if op == _SEND_MSG else lz.ZMQ_RCVTIMEO
    cdef int rc, timeo, err = EAGAIN
    cdef double deadline = 0.0
    cdef long left = -1
    try:
        timeo = _get_int_opt(h, opt)
        if timeo > 0:
            deadline = _monotonic() + timeo / 1000.0
        while timeo != 0:
            if timeo > 0:
                left = _ms_left(deadline)
                if left < 0:
                    break
            s._ops += 1
            if not _sleep_on(s, lz.ZMQ_POLLOUT if op == _SEND_MSG else lz.ZMQ_POLLIN, left):
                continue
            s._ops += 1
            rc = _attempt(h, op, msg, buf, n, flags | lz.ZMQ_DONTWAIT)
            if rc >= 0:
                return rc
            err = lz.zmq_errno()
            if err != EAGAIN:
                break
    except BaseException:
        if op == _SEND_MSG:
            lz.zmq_msg_close(msg)
        raise
    if op == _SEND_MSG:
        lz.zmq_msg_close(msg)
    return _raise_errno(err)


cdef inline long _ms_left(double deadline):
    """Milliseconds until ``deadline`` rounded up, or -1 once it has passed."""
    cdef double left = (deadline - _monotonic()) * 1000.0
    return -1 if left <= 0.0 else <long>left + 1


cdef int _poll_wait(lz.zmq_pollitem_t *items, PyObject **socks, int nitems,
                    long timeout) except -1:
    """zmq_poll over ``items`` for up to ``timeout`` ms (-1: forever), without
    the GIL unless timeout is 0; returns the ready count.  ``socks[i]`` is the
    socket of ``items[i]`` (NULL for an fd): closing one ends the wait."""
    cdef int rc
    cdef double deadline = 0.0
    cdef lz.zmq_pollitem_t *all
    if timeout == 0:
        return _poll_now(items, nitems)
    if timeout > 0:
        deadline = _monotonic() + timeout / 1000.0
    all = <lz.zmq_pollitem_t *>malloc((nitems + 1) * sizeof(lz.zmq_pollitem_t))
    if all == NULL:
        raise MemoryError()
    try:
        memcpy(all, items, nitems * sizeof(lz.zmq_pollitem_t))
        while True:
            rc = _sleep(socks, nitems, NULL, all, nitems, timeout)
            if rc > 0 or timeout == 0:
                break
            if timeout > 0:  # woken, or a signal: resume with the time left
                timeout = max(0, _ms_left(deadline))
        for rc in range(nitems):
            items[rc].revents = all[rc].revents
        return _poll_count(items, nitems)
    finally:
        free(all)


cdef inline int _poll_count(lz.zmq_pollitem_t *items, int nitems) noexcept:
    cdef int i, ready = 0
    for i in range(nitems):
        if items[i].revents:
            ready += 1
    return ready


cdef int _poll_now(lz.zmq_pollitem_t *items, int nitems) except -1:
    """zmq_poll with timeout 0, with the GIL held."""
    cdef int rc
    while True:
        rc = lz.zmq_poll(items, nitems, 0)
        if rc >= 0:
            return rc
        if lz.zmq_errno() != EINTR:
            return _raise_errno(lz.zmq_errno())
        PyErr_CheckSignals()


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
