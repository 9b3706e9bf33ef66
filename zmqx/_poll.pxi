# SPDX-License-Identifier: BSD-3-Clause
# _poll.pxi -- zmq_poll over sockets and file descriptors, and zmq_proxy, both
# waiting without the GIL (see _io.pxi).


cdef int _fill_item(lz.zmq_pollitem_t *item, obj, int events) except -1:
    """Point ``item`` at a zmqx socket, an int fd, or an object with fileno()."""
    item.events = events
    item.revents = 0
    if isinstance(obj, _SocketCore):
        (<_SocketCore>obj)._check_open()
        (<_SocketCore>obj)._ops += 1
        item.socket = (<_SocketCore>obj).handle
        item.fd = 0
        return 0
    item.socket = NULL
    if isinstance(obj, int):
        item.fd = obj
    elif hasattr(obj, "fileno"):
        item.fd = obj.fileno()
    else:
        raise TypeError(f"cannot poll {obj!r}: not a zmqx socket, fd or object with fileno()")
    return 0


def zmq_poll(sockets, long timeout=-1):
    """Poll ``[(socket_or_fd, events), ...]`` for up to ``timeout`` ms (-1: forever).

    Returns ``[(socket_or_fd, revents), ...]`` for those with events.
    """
    cdef list items = list(sockets)
    cdef int i, n = len(items)
    cdef lz.zmq_pollitem_t *c_items = <lz.zmq_pollitem_t *>malloc(max(n, 1) * sizeof(lz.zmq_pollitem_t))
    cdef PyObject **socks = <PyObject **>malloc(max(n, 1) * sizeof(PyObject *))
    try:
        if c_items == NULL or socks == NULL:
            raise MemoryError()
        for i in range(n):
            obj, events = items[i]
            _fill_item(&c_items[i], obj, events)
            socks[i] = <PyObject *>obj if isinstance(obj, _SocketCore) else NULL
        _poll_wait(c_items, socks, n, timeout)
        return [(items[i][0], c_items[i].revents) for i in range(n) if c_items[i].revents]
    finally:
        free(c_items)
        free(socks)


cdef void *_handle_or_null(s, str role) except? NULL:
    if s is None:
        return NULL
    if not isinstance(s, _SocketCore):
        raise TypeError(f"{role} must be a zmqx socket, not {type(s).__name__}")
    (<_SocketCore>s)._check_open()
    return (<_SocketCore>s).handle


cdef void *_proxy_side(s, str role) except NULL:
    """The handle of a proxy's frontend or backend, which must be a socket."""
    if s is None:
        raise TypeError(f"{role} must be a zmqx socket, not None")
    return _handle_or_null(s, role)


def proxy(frontend, backend, capture=None):
    """Forward messages between ``frontend`` and ``backend`` until the context
    terminates (raises ContextTerminated), without the GIL.  ``capture``, if
    given, receives a copy of every message.

    It runs as zmq_proxy_steerable with a private control socket pair, so that
    closing one of its sockets from another thread ends it first (ENOTSOCK
    here; ContextTerminated when Context.destroy() closes it)."""
    cdef void *f = _proxy_side(frontend, "frontend")
    cdef void *b = _proxy_side(backend, "backend")
    cdef void *c = _handle_or_null(capture, "capture")
    cdef void *ctx = (<Context>(<_SocketCore>frontend).context).handle
    cdef _ProxyWaker k = _ProxyWaker.__new__(_ProxyWaker)
    cdef void *ctl = _check_ptr(lz.zmq_socket(ctx, lz.ZMQ_PAIR))
    cdef int zero = 0
    socks = [frontend, backend, capture]
    addr = f"inproc://zmqx-proxy-{id(k):x}".encode()
    try:
        k.ctl = _check_ptr(lz.zmq_socket(ctx, lz.ZMQ_PAIR))
        for h in (<size_t>ctl, <size_t>k.ctl):
            lz.zmq_setsockopt(<void *>h, lz.ZMQ_LINGER, &zero, sizeof(int))
        _check_rc(lz.zmq_bind(ctl, addr))
        _check_rc(lz.zmq_connect(k.ctl, addr))
        k.owner = _my_waker()
        _enter_waits(socks, k)
        try:
            _proxy_wait(f, b, c, ctl)
        finally:
            _leave_waits(socks, k)
    finally:
        lz.zmq_close(ctl)
        if k.ctl != NULL:
            lz.zmq_close(k.ctl)


def proxy_steerable(frontend, backend, capture=None, control=None):
    """proxy() that also obeys PAUSE/RESUME/TERMINATE/STATISTICS on ``control``
    (without one, it is proxy()); returns 0 after TERMINATE.  Its sockets cannot be closed from another thread
    while it runs (ZMQError EBUSY); Context.destroy() ends it first."""
    if control is None:
        return proxy(frontend, backend, capture)
    cdef void *f = _proxy_side(frontend, "frontend")
    cdef void *b = _proxy_side(backend, "backend")
    cdef void *c = _handle_or_null(capture, "capture")
    cdef void *ctl = _handle_or_null(control, "control")
    with _inside([frontend, backend, capture, control]):
        return _proxy_wait(f, b, c, ctl)


cdef class _inside:
    """``with _inside(sockets):`` around a wait inside libzmq on ``sockets``
    (see _Wakeable.inside): close() from other threads refuses, destroy()
    shuts the context down to end the wait."""
    cdef list socks
    cdef _Wakeable k

    def __cinit__(self, list socks):
        self.socks = socks
        self.k = _Wakeable.__new__(_Wakeable)
        self.k.inside = True
        self.k.owner = _my_waker()

    def __enter__(self):
        _enter_waits(self.socks, self.k)

    def __exit__(self, *exc):
        for s in self.socks:  # no check: these waits end normally on ETERM
            if s is not None and self.k in (<_Waits>(<_SocketCore>s)._waits).wakers:
                (<_Waits>(<_SocketCore>s)._waits).wakers.remove(self.k)
