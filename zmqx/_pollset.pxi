# SPDX-License-Identifier: BSD-3-Clause
# _pollset.pxi -- PollSet: a registered set of sockets and fds whose
# zmq_pollitem_t array lives in C between polls, so poll() does no Python work
# per registered entry.  zmqx.poll.Poller is the pyzmq-style face over it.

from cpython.ref cimport PyObject
from libc.stdlib cimport realloc
from libc.string cimport memmove


cdef class PollSet:
    """Sockets and fds registered for events, kept as a C ``zmq_pollitem_t`` array.

    Invariants:
    * Entries are in registration order.  ``_items[i]``, ``_socks[i]`` and
      ``_objs[i]`` describe entry ``i`` for ``i < _n``; ``_index`` maps each
      registered object to its ``i``.  Only register/modify/unregister change
      them; poll() reads them and writes nothing but ``revents``.
    * ``_items[i]`` holds the libzmq handle or fd read at registration.
      ``_socks[i]`` is the socket of entry ``i`` (borrowed: ``_objs`` keeps it
      alive), NULL for an fd; poll() raises ENOTSOCK rather than wait on a
      handle its socket has since closed.
    * Waiting is one cdef method, ``_wait``: zmq_poll via ``_poll_wait``
      (without the GIL unless the timeout is 0, resumed after signals with the
      time left, raising what a signal handler raises).  Another strategy
      (e.g. epoll over ZMQ_FD, issue 5) replaces ``_wait`` alone; the
      interface Poller uses stays the same.
    """
    cdef lz.zmq_pollitem_t *_items
    cdef PyObject **_socks
    cdef Py_ssize_t _n, _cap
    cdef list _objs
    cdef dict _index

    def __cinit__(self):
        self._items = NULL
        self._socks = NULL
        self._n = self._cap = 0
        self._objs = []
        self._index = {}

    def __dealloc__(self):
        free(self._items)
        free(self._socks)

    cdef int _reserve(self, Py_ssize_t n) except -1:
        cdef Py_ssize_t cap = max(8, self._cap)
        cdef void *p
        if n <= self._cap:
            return 0
        while cap < n:
            cap *= 2
        p = realloc(self._items, cap * sizeof(lz.zmq_pollitem_t))
        if p == NULL:
            raise MemoryError()
        self._items = <lz.zmq_pollitem_t *>p
        p = realloc(self._socks, cap * sizeof(PyObject *))
        if p == NULL:
            raise MemoryError()
        self._socks = <PyObject **>p
        self._cap = cap
        return 0

    def register(self, obj, int events):
        """Add ``obj`` (socket, fd, or object with fileno()) for ``events``, or
        change its events if it is registered already."""
        cdef Py_ssize_t i
        cdef object pos = self._index.get(obj)
        if pos is not None:
            i = pos
            self._items[i].events = events
            return
        self._reserve(self._n + 1)
        i = self._n
        _fill_item(&self._items[i], obj, events)
        self._socks[i] = <PyObject *>obj if isinstance(obj, _SocketCore) else NULL
        self._objs.append(obj)
        self._index[obj] = i
        self._n += 1

    def modify(self, obj, int events):
        """Change the events of a registered ``obj`` (KeyError if it is not)."""
        cdef Py_ssize_t i = self._index[obj]
        self._items[i].events = events

    def unregister(self, obj):
        """Remove ``obj`` (KeyError if it is not registered); order is kept."""
        cdef Py_ssize_t j, i = self._index.pop(obj)
        cdef Py_ssize_t tail = self._n - i - 1
        memmove(&self._items[i], &self._items[i + 1], tail * sizeof(lz.zmq_pollitem_t))
        memmove(&self._socks[i], &self._socks[i + 1], tail * sizeof(PyObject *))
        del self._objs[i]
        self._n -= 1
        for j in range(i, self._n):
            self._index[self._objs[j]] = j

    def events(self, obj):
        """The events ``obj`` is registered for (KeyError if it is not)."""
        return self._items[<Py_ssize_t>self._index[obj]].events

    def entries(self):
        """``[(obj, events), ...]`` in registration order."""
        cdef Py_ssize_t i
        return [(self._objs[i], self._items[i].events) for i in range(self._n)]

    def __len__(self):
        return self._n

    def __contains__(self, obj):
        return obj in self._index

    cdef int _check_sockets(self) except -1:
        cdef Py_ssize_t i
        for i in range(self._n):
            if self._socks[i] != NULL and \
                    (<_SocketCore>self._socks[i]).handle != self._items[i].socket:
                raise _exception_for_errno(lz.ENOTSOCK)(
                    lz.ENOTSOCK, f"a registered socket was closed: {self._objs[i]!r}")
        return 0

    cdef int _wait(self, long timeout) except -1:
        """Wait up to ``timeout`` ms (-1: forever); fill ``revents``; return the
        number of ready entries."""
        return _poll_wait(self._items, <int>self._n, timeout)

    def poll(self, long timeout=-1):
        """Wait up to ``timeout`` ms (negative: forever) for the registered events.

        Returns ``[(obj, revents), ...]`` for the ready entries, in registration order.
        """
        cdef Py_ssize_t i
        cdef int ready
        cdef list out = []
        self._check_sockets()
        ready = self._wait(timeout if timeout >= 0 else -1)
        i = 0
        while ready > 0 and i < self._n:
            if self._items[i].revents:
                out.append((self._objs[i], self._items[i].revents))
                ready -= 1
            i += 1
        return out
