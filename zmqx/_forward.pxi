# SPDX-License-Identifier: BSD-3-Clause
# _forward.pxi -- forwarding loops that run without the GIL: the priority
# proxy (several frontends, a higher priority always drained first) and the
# monitored queue (a two-way queue copying traffic to a monitor socket).
#
# Both move whole multipart messages with _relay().  The loops hold no GIL;
# they come back to it only to run signal handlers (EINTR) and to raise.  A
# loop returns on TERMINATE (priority proxy's control socket) and raises
# ContextTerminated when the context terminates, as zmqx.proxy (and pyzmq).

from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc
from libc.string cimport memcmp

cdef extern from "Python.h":
    # the raw C call: no exception check, so it can run in a noexcept function
    int _raw_check_signals "PyErr_CheckSignals" ()

cdef enum:
    _FWD_OK = 0
    _FWD_ERR = -1       # a libzmq error; its errno is in *err
    _FWD_PYERR = -2     # a Python exception is set (a signal handler raised)
    _FWD_AGAIN = 1      # nothing to receive
    _FWD_STOP = 2       # TERMINATE received


cdef int _signals_raised() noexcept nogil:
    """Run the Python signal handlers (taking the GIL): _FWD_PYERR if one raised."""
    with gil:
        return _FWD_PYERR if _raw_check_signals() < 0 else _FWD_OK


cdef int _send_retry(lz.zmq_msg_t *msg, void *s, int flags, int *err) noexcept nogil:
    """zmq_msg_send, resumed after signals whose handlers do not raise."""
    while lz.zmq_msg_send(msg, s, flags) < 0:
        err[0] = lz.zmq_errno()
        if err[0] != EINTR:
            return _FWD_ERR
        if _signals_raised() != _FWD_OK:
            return _FWD_PYERR
    return _FWD_OK


cdef int _emit(lz.zmq_msg_t *msg, void *dst, void *side, int flags, int *err) noexcept nogil:
    """Send ``msg`` to ``dst`` and, if ``side`` is not NULL, a copy to ``side``."""
    cdef lz.zmq_msg_t copy
    cdef int rc
    if side != NULL:
        lz.zmq_msg_init(&copy)
        lz.zmq_msg_copy(&copy, msg)
        rc = _send_retry(&copy, side, flags, err)
        lz.zmq_msg_close(&copy)
        if rc != _FWD_OK:
            return rc
    return _send_retry(msg, dst, flags, err)


cdef int _relay(void *src, void *dst, void *side, const char *prefix, size_t prefix_len,
                bint swap, int *err) noexcept nogil:
    """Move one whole message from ``src`` to ``dst``; _FWD_AGAIN if there is none.

    Receiving uses ZMQ_DONTWAIT: libzmq delivers a multipart message whole, so
    once its first frame is in, the rest are.  ``side`` (if not NULL) gets a
    copy of each frame, after a ``prefix`` frame (if not NULL).  With ``swap``
    the first two frames trade places (ROUTER to ROUTER: sender and recipient
    ids).
    """
    cdef lz.zmq_msg_t msg, held
    cdef int rc = _FWD_OK
    cdef bint more, after_held = False, holding = False
    lz.zmq_msg_init(&msg)
    if lz.zmq_msg_recv(&msg, src, lz.ZMQ_DONTWAIT) < 0:
        err[0] = lz.zmq_errno()
        lz.zmq_msg_close(&msg)
        return _FWD_AGAIN if err[0] == EAGAIN else _FWD_ERR
    if prefix != NULL:
        while lz.zmq_send(side, prefix, prefix_len, lz.ZMQ_SNDMORE) < 0:
            err[0] = lz.zmq_errno()
            rc = _FWD_ERR if err[0] != EINTR else _signals_raised()
            if rc != _FWD_OK:
                lz.zmq_msg_close(&msg)
                return rc
    more = lz.zmq_msg_more(&msg)
    if swap and more:               # hold frame 0; frame 1 goes first
        lz.zmq_msg_init(&held)
        lz.zmq_msg_move(&held, &msg)
        holding = True
        rc = _recv_next(&msg, src, err)
        after_held = lz.zmq_msg_more(&msg)
    while rc == _FWD_OK:
        rc = _emit(&msg, dst, side, lz.ZMQ_SNDMORE if more else 0, err)
        if rc != _FWD_OK or not more:
            break
        if holding:
            lz.zmq_msg_move(&msg, &held)
            holding = False
            more = after_held
        else:
            rc = _recv_next(&msg, src, err)
            more = lz.zmq_msg_more(&msg)
    lz.zmq_msg_close(&msg)
    if holding:
        lz.zmq_msg_close(&held)
    return rc


cdef inline int _recv_next(lz.zmq_msg_t *msg, void *src, int *err) noexcept nogil:
    """The next frame of a message already arriving (so never EAGAIN)."""
    if lz.zmq_msg_recv(msg, src, lz.ZMQ_DONTWAIT) < 0:
        err[0] = lz.zmq_errno()
        return _FWD_ERR
    return _FWD_OK


cdef int _poll_nogil(lz.zmq_pollitem_t *items, int n, int *err) noexcept nogil:
    """zmq_poll without a timeout: _FWD_OK, or _FWD_ERR (EINTR included)."""
    if lz.zmq_poll(items, n, -1) < 0:
        err[0] = lz.zmq_errno()
        return _FWD_ERR
    return _FWD_OK


cdef int _run_loop(int (*loop)(void *, int *) noexcept nogil, void *state) except -1:
    """Run ``loop`` without the GIL until it stops; between runs, handle EINTR
    (signal handlers may raise) and raise libzmq errors (ETERM included)."""
    cdef int rc, err = 0
    while True:
        with nogil:
            rc = loop(state, &err)
        if rc == _FWD_STOP:
            return 0
        if rc == _FWD_PYERR:
            return -1               # the handler's exception is set
        if err != EINTR:
            return _raise_errno(err)
        PyErr_CheckSignals()


cdef list _handles(sockets, str role):
    """The open libzmq handles of ``sockets`` (raising for anything else)."""
    handles = [<size_t>_handle_or_null(s, role) for s in sockets]
    if 0 in handles:
        raise TypeError(f"every {role} must be a zmqx socket, not None")
    return handles


# --- priority proxy ---------------------------------------------------------

cdef struct _Priority:
    void **fronts
    int nfronts
    void *backend
    void *capture
    void *control
    bint control_is_rep     # REP must answer every command
    bint paused
    uint64_t *msgs          # messages forwarded, per frontend
    lz.zmq_pollitem_t *items  # nfronts frontends, then backend, then control if any
    int nitems


cdef int _priority_command(_Priority *st, int *err) noexcept nogil:
    """Handle one command waiting on the control socket, if any."""
    cdef lz.zmq_msg_t msg
    cdef int rc = _FWD_AGAIN
    cdef size_t size
    cdef const char *data
    lz.zmq_msg_init(&msg)
    if lz.zmq_msg_recv(&msg, st.control, lz.ZMQ_DONTWAIT) < 0:
        err[0] = lz.zmq_errno()
        lz.zmq_msg_close(&msg)
        return _FWD_AGAIN if err[0] == EAGAIN else _FWD_ERR
    size = lz.zmq_msg_size(&msg)
    data = <const char *>lz.zmq_msg_data(&msg)
    if size == 5 and memcmp(data, b"PAUSE", 5) == 0:
        st.paused = True
    elif size == 6 and memcmp(data, b"RESUME", 6) == 0:
        st.paused = False
    elif size == 9 and memcmp(data, b"TERMINATE", 9) == 0:
        rc = _FWD_STOP
    while lz.zmq_msg_more(&msg):        # commands are one frame: drop the rest
        if _recv_next(&msg, st.control, err) != _FWD_OK:
            break
    lz.zmq_msg_close(&msg)
    if st.control_is_rep:
        lz.zmq_msg_init(&msg)
        if _send_retry(&msg, st.control, 0, err) != _FWD_OK:
            lz.zmq_msg_close(&msg)
            return _FWD_ERR
    return rc if rc == _FWD_STOP else _FWD_OK


cdef int _priority_loop(void *state, int *err) noexcept nogil:
    """Forward from the highest-priority frontend that has a message, one
    message at a time, while the backend can take one; else wait."""
    cdef _Priority *st = <_Priority *>state
    cdef int i, rc, events = 0, n = st.nfronts
    cdef size_t size = sizeof(int)
    while True:
        if st.control != NULL:
            rc = _priority_command(st, err)
            if rc != _FWD_AGAIN:
                if rc != _FWD_OK:
                    return rc
                continue            # a command may follow: take it before forwarding
        for i in range(st.nitems):
            st.items[i].events = 0
        if st.control != NULL:
            st.items[n + 1].events = lz.ZMQ_POLLIN
        if not st.paused:
            if lz.zmq_getsockopt(st.backend, lz.ZMQ_EVENTS, &events, &size) < 0:
                err[0] = lz.zmq_errno()
                return _FWD_ERR
            if events & lz.ZMQ_POLLOUT:
                rc = _FWD_AGAIN
                for i in range(n):
                    rc = _relay(st.fronts[i], st.backend, st.capture, NULL, 0, False, err)
                    if rc == _FWD_OK:
                        st.msgs[i] += 1
                    if rc != _FWD_AGAIN:
                        break
                if rc == _FWD_OK:
                    continue        # back to the highest priority
                if rc != _FWD_AGAIN:
                    return rc
                for i in range(n):
                    st.items[i].events = lz.ZMQ_POLLIN
            else:
                st.items[n].events = lz.ZMQ_POLLOUT
        rc = _poll_nogil(st.items, st.nitems, err)
        if rc != _FWD_OK:
            return rc


def priority_proxy(frontends, backend, capture=None, control=None):
    """Forward messages from ``frontends`` (highest priority first) to ``backend``.

    Whenever the backend can take a message, the next one comes from the
    highest-priority frontend that has one, checked again after every message:
    a lower-priority frontend is served only while every higher one is empty.
    Multipart messages move whole.  ``capture`` (optional) gets a copy of each
    frame.  ``control`` (optional) takes PAUSE, RESUME and TERMINATE (a REP
    control socket is answered with an empty frame).

    Runs without the GIL until TERMINATE, then returns the number of messages
    forwarded from each frontend; raises ContextTerminated if the context
    terminates first.  Signal handlers run while it waits; what they raise
    propagates.
    """
    cdef _Priority st
    cdef list fronts = _handles(frontends, "frontend")
    cdef int i, n = len(fronts)
    if n == 0:
        raise ValueError("priority_proxy needs at least one frontend")
    st.nfronts = n
    st.backend = _handle_or_null(backend, "backend")
    st.capture = _handle_or_null(capture, "capture")
    st.control = _handle_or_null(control, "control")
    if st.backend == NULL:
        raise TypeError("backend must be a zmqx socket, not None")
    st.control_is_rep = st.control != NULL and _get_int_opt(st.control, lz.ZMQ_TYPE) == lz.ZMQ_REP
    st.paused = False
    st.fronts = <void **>calloc(n, sizeof(void *))
    st.msgs = <uint64_t *>calloc(n, sizeof(uint64_t))
    st.items = <lz.zmq_pollitem_t *>calloc(n + 2, sizeof(lz.zmq_pollitem_t))
    try:
        if st.fronts == NULL or st.msgs == NULL or st.items == NULL:
            raise MemoryError()
        for i in range(n):
            st.fronts[i] = st.items[i].socket = <void *><size_t>fronts[i]
        st.items[n].socket = st.backend
        st.items[n + 1].socket = st.control
        st.nitems = n + 1 + (st.control != NULL)
        with _inside([*frontends, backend, capture, control]):
            _run_loop(_priority_loop, &st)
        return [st.msgs[i] for i in range(n)]
    finally:
        free(st.fronts)
        free(st.msgs)
        free(st.items)


# --- monitored queue --------------------------------------------------------

cdef struct _Queue:
    void *ins
    void *outs
    void *mon
    const char *in_prefix
    size_t in_prefix_len
    const char *out_prefix
    size_t out_prefix_len
    bint swap               # ROUTER to ROUTER
    lz.zmq_pollitem_t items[2]


cdef int _queue_loop(void *state, int *err) noexcept nogil:
    """Forward both ways between ins and outs, copying to mon after a prefix."""
    cdef _Queue *q = <_Queue *>state
    cdef int rc
    while True:
        rc = _poll_nogil(q.items, 2, err)
        if rc == _FWD_OK and q.items[0].revents & lz.ZMQ_POLLIN:
            rc = _relay(q.ins, q.outs, q.mon, q.in_prefix, q.in_prefix_len, q.swap, err)
        if rc == _FWD_AGAIN:
            rc = _FWD_OK
        if rc == _FWD_OK and q.items[1].revents & lz.ZMQ_POLLIN:
            rc = _relay(q.outs, q.ins, q.mon, q.out_prefix, q.out_prefix_len, q.swap, err)
        if rc != _FWD_OK and rc != _FWD_AGAIN:
            return rc


def monitored_queue(in_socket, out_socket, mon_socket, bytes in_prefix=b"in",
                    bytes out_prefix=b"out"):
    """A two-way queue between ``in_socket`` and ``out_socket`` that sends every
    message it forwards to ``mon_socket`` too, after one frame: ``in_prefix``
    for messages from in to out, ``out_prefix`` for the other way.

    When both sockets are ROUTERs, the first two frames of each message trade
    places, so a message addressed ``[recipient, ...]`` by a peer of one side
    reaches ``recipient`` on the other as ``[sender, ...]`` (pyzmq's rule).
    Runs without the GIL until the context terminates, then raises
    ContextTerminated (as pyzmq).
    """
    cdef _Queue q
    q.ins = _handle_or_null(in_socket, "in_socket")
    q.outs = _handle_or_null(out_socket, "out_socket")
    q.mon = _handle_or_null(mon_socket, "mon_socket")
    if q.ins == NULL or q.outs == NULL or q.mon == NULL:
        raise TypeError("monitored_queue needs three zmqx sockets")
    q.in_prefix = in_prefix
    q.in_prefix_len = len(in_prefix)
    q.out_prefix = out_prefix
    q.out_prefix_len = len(out_prefix)
    q.swap = (_get_int_opt(q.ins, lz.ZMQ_TYPE) == lz.ZMQ_ROUTER and
              _get_int_opt(q.outs, lz.ZMQ_TYPE) == lz.ZMQ_ROUTER)
    q.items[0].socket, q.items[0].fd, q.items[0].events = q.ins, 0, lz.ZMQ_POLLIN
    q.items[1].socket, q.items[1].fd, q.items[1].events = q.outs, 0, lz.ZMQ_POLLIN
    with _inside([in_socket, out_socket, mon_socket]):
        _run_loop(_queue_loop, &q)
