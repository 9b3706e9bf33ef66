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


def proxy(frontend, backend, capture=None):
    """Forward messages between ``frontend`` and ``backend`` until the context
    terminates (raises ContextTerminated), without the GIL.  ``capture``, if
    given, receives a copy of every message."""
    _proxy_wait(_handle_or_null(frontend, "frontend"), _handle_or_null(backend, "backend"),
                _handle_or_null(capture, "capture"), NULL)


def proxy_steerable(frontend, backend, capture=None, control=None):
    """proxy() that also obeys PAUSE/RESUME/TERMINATE/STATISTICS on ``control``;
    returns after TERMINATE."""
    if control is None:
        raise TypeError("proxy_steerable needs a control socket")
    _proxy_wait(_handle_or_null(frontend, "frontend"), _handle_or_null(backend, "backend"),
                _handle_or_null(capture, "capture"), _handle_or_null(control, "control"))
