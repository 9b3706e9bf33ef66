# SPDX-License-Identifier: BSD-3-Clause
# _pollset.pxi -- PollSet: a registered set of sockets and fds whose
# zmq_pollitem_t array lives in C between polls, so poll() does no Python work
# per registered entry.  zmqx.poll.Poller is the pyzmq-style face over it.
#
# Two ways to wait, same results:
# * "zmq_poll": libzmq's zmq_poll over the array -- it re-reads every socket's
#   ZMQ_EVENTS on each call (a system call apiece), so it costs O(registered).
# * "epoll" (Linux, the default there): the sockets' ZMQ_FDs and the raw fds in
#   one epoll set.  ZMQ_FD only says "re-read ZMQ_EVENTS" (edge semantics: it is
#   cleared by whoever processes the socket's commands), so a socket's EVENTS
#   is re-read only when its fd fired or when its _ops count shows it was used
#   (send, recv, EVENTS, zmq_poll) since the last read; otherwise the cached
#   value stands.  A poll costs one epoll_wait plus O(ready) EVENTS reads.

from libc.stdlib cimport realloc
from libc.string cimport memmove

cdef extern from "zmqx_epoll.h" nogil:
    enum: ZMQX_HAVE_EPOLL, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD
    enum: EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLERR, EPOLLHUP
    ctypedef struct zmqx_epoll_event:
        pass
    int zmqx_epoll_create()
    int zmqx_epoll_ctl(int epfd, int op, int fd, unsigned events, unsigned long data)
    int zmqx_epoll_wait(int epfd, zmqx_epoll_event *events, int maxevents, int timeout)
    unsigned long zmqx_epoll_data(const zmqx_epoll_event *ev)
    unsigned zmqx_epoll_events(const zmqx_epoll_event *ev)
    int zmqx_epoll_close(int epfd)

from libc.errno cimport errno as c_errno


ctypedef struct _Watch:
    lz.zmq_fd_t fd          # the socket's ZMQ_FD, or the raw fd
    unsigned long seen      # the socket's _ops when EVENTS was last read
    short cached            # ZMQ_EVENTS as read then
    bint stale              # EVENTS must be re-read: fd fired, or never read


cdef unsigned _epoll_mask(short events) noexcept:
    """epoll interest for a raw fd polled for zmq ``events``."""
    return ((EPOLLIN if events & lz.ZMQ_POLLIN else 0) |
            (EPOLLOUT if events & lz.ZMQ_POLLOUT else 0) |
            (EPOLLPRI if events & lz.ZMQ_POLLPRI else 0))


cdef short _zmq_revents(unsigned ev, short events) noexcept:
    """What zmq_poll reports for a raw fd: requested IN/OUT/PRI, and POLLERR for
    anything else poll(2) says (errors, hang-ups, priority data)."""
    cdef short r = 0
    if ev & EPOLLIN and events & lz.ZMQ_POLLIN:
        r |= lz.ZMQ_POLLIN
    if ev & EPOLLOUT and events & lz.ZMQ_POLLOUT:
        r |= lz.ZMQ_POLLOUT
    if ev & EPOLLPRI and events & lz.ZMQ_POLLPRI:
        r |= lz.ZMQ_POLLPRI
    if ev & (EPOLLERR | EPOLLHUP | EPOLLPRI):
        r |= lz.ZMQ_POLLERR
    return r


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
    * Waiting is one cdef method, ``_wait``: without the GIL unless the
      timeout is 0, resumed after signals with the time left, raising what a
      signal handler raises.  It uses epoll when ``_ep >= 0`` (see the top of
      this file), zmq_poll otherwise; both fill ``revents`` the same way.
    * With epoll, ``_watch[i]`` mirrors entry ``i`` and its fd is in the epoll
      set with ``i`` as data.  Any epoll failure (an fd epoll refuses, or one
      registered twice) switches this set to zmq_poll for good.
    """
    cdef lz.zmq_pollitem_t *_items
    cdef PyObject **_socks
    cdef _Watch *_watch
    cdef zmqx_epoll_event *_evbuf
    cdef Py_ssize_t _n, _cap
    cdef int _ep
    cdef list _objs
    cdef dict _index

    def __cinit__(self, strategy=None):
        self._items = NULL
        self._socks = NULL
        self._watch = NULL
        self._evbuf = NULL
        self._n = self._cap = 0
        self._ep = -1
        self._objs = []
        self._index = {}
        if strategy is not None and strategy not in ("epoll", "zmq_poll"):
            raise ValueError(f"strategy must be 'epoll' or 'zmq_poll', not {strategy!r}")
        if strategy == "epoll" and not ZMQX_HAVE_EPOLL:
            raise ValueError("epoll is not available on this platform")
        if strategy != "zmq_poll" and ZMQX_HAVE_EPOLL:
            self._ep = zmqx_epoll_create()
        self._reserve(1)  # epoll_wait needs room for one event even when empty

    def __dealloc__(self):
        if self._ep >= 0:
            zmqx_epoll_close(self._ep)
        free(self._items)
        free(self._socks)
        free(self._watch)
        free(self._evbuf)

    @property
    def strategy(self):
        """How poll() waits: "epoll" or "zmq_poll"."""
        return "epoll" if self._ep >= 0 else "zmq_poll"

    cdef void _drop_epoll(self) noexcept:
        if self._ep >= 0:
            zmqx_epoll_close(self._ep)
            self._ep = -1

    cdef void _epoll_set(self, int op, Py_ssize_t i) noexcept:
        """Add or update entry i in the epoll set (or drop epoll if refused)."""
        cdef unsigned mask = EPOLLIN if self._socks[i] != NULL else _epoll_mask(self._items[i].events)
        if self._ep >= 0 and zmqx_epoll_ctl(self._ep, op, self._watch[i].fd, mask, i) < 0:
            self._drop_epoll()

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
        p = realloc(self._watch, cap * sizeof(_Watch))
        if p == NULL:
            raise MemoryError()
        self._watch = <_Watch *>p
        p = realloc(self._evbuf, cap * sizeof(zmqx_epoll_event))
        if p == NULL:
            raise MemoryError()
        self._evbuf = <zmqx_epoll_event *>p
        self._cap = cap
        return 0

    def register(self, obj, int events):
        """Add ``obj`` (socket, fd, or object with fileno()) for ``events``, or
        change its events if it is registered already."""
        cdef Py_ssize_t i
        cdef object pos = self._index.get(obj)
        if pos is not None:
            self.modify(obj, events)
            return
        self._reserve(self._n + 1)
        i = self._n
        _fill_item(&self._items[i], obj, events)
        self._socks[i] = <PyObject *>obj if isinstance(obj, _SocketCore) else NULL
        self._watch[i].stale = True
        self._watch[i].fd = self._items[i].fd
        if self._socks[i] != NULL and self._ep >= 0:
            self._watch[i].fd = _getsockopt(self._items[i].socket, lz.ZMQ_FD)
        self._objs.append(obj)
        self._index[obj] = i
        self._n += 1
        self._epoll_set(EPOLL_CTL_ADD, i)

    def modify(self, obj, int events):
        """Change the events of a registered ``obj`` (KeyError if it is not)."""
        cdef Py_ssize_t i = self._index[obj]
        self._items[i].events = events
        if self._socks[i] == NULL:
            self._epoll_set(EPOLL_CTL_MOD, i)

    def unregister(self, obj):
        """Remove ``obj`` (KeyError if it is not registered); order is kept."""
        cdef Py_ssize_t j, i = self._index.pop(obj)
        cdef Py_ssize_t tail = self._n - i - 1
        memmove(&self._items[i], &self._items[i + 1], tail * sizeof(lz.zmq_pollitem_t))
        memmove(&self._socks[i], &self._socks[i + 1], tail * sizeof(PyObject *))
        if self._ep >= 0:  # a closed socket's fd has left the set already: ignore errors
            zmqx_epoll_ctl(self._ep, EPOLL_CTL_DEL, self._watch[i].fd, 0, 0)
        memmove(&self._watch[i], &self._watch[i + 1], tail * sizeof(_Watch))
        del self._objs[i]
        self._n -= 1
        for j in range(i, self._n):
            self._index[self._objs[j]] = j
            self._epoll_set(EPOLL_CTL_MOD, j)  # its data is its new index

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
        if self._ep < 0:
            return _poll_wait(self._items, self._socks, <int>self._n, timeout)
        return self._wait_epoll(timeout)

    cdef int _apply(self, int nev) noexcept:
        """Take in ``nev`` epoll results: mark sockets stale, set raw fds' revents."""
        cdef int k
        cdef Py_ssize_t i
        for k in range(nev):
            i = zmqx_epoll_data(&self._evbuf[k])
            if i >= self._n:
                continue
            if self._socks[i] != NULL:
                self._watch[i].stale = True
            else:
                self._items[i].revents = _zmq_revents(zmqx_epoll_events(&self._evbuf[k]),
                                                      self._items[i].events)
        return 0

    cdef int _collect(self) except -1:
        """Socket revents from (re-read when needed) EVENTS; count ready entries."""
        cdef Py_ssize_t i
        cdef int ready = 0
        cdef _SocketCore s
        for i in range(self._n):
            if self._socks[i] != NULL:
                s = <_SocketCore>self._socks[i]
                if self._watch[i].stale or s._ops != self._watch[i].seen:
                    s._ops += 1  # this read consumes the fd's edge for everyone
                    self._watch[i].cached = _get_int_opt(s.handle, lz.ZMQ_EVENTS)
                    self._watch[i].seen = s._ops
                    self._watch[i].stale = False
                self._items[i].revents = self._watch[i].cached & self._items[i].events
            if self._items[i].revents:
                ready += 1
        return ready

    cdef int _epoll_once(self, long timeout) except -1:
        """One epoll_wait, after waiting (without the GIL) up to ``timeout`` ms
        for the epoll fd when timeout != 0: the number of events, 0 after a
        signal whose handler did not raise."""
        cdef int nev, err = 0
        cdef pollfd pfd[2]
        if timeout != 0:  # wait in _sleep, so close() can wake us (_io.pxi)
            pfd[0].fd = self._ep
            pfd[0].events = POLLIN
            if _sleep(self._socks, self._n, pfd, NULL, 1, timeout) <= 0:
                return 0
        nev = zmqx_epoll_wait(self._ep, self._evbuf, <int>self._cap, 0)
        err = c_errno
        if nev >= 0:
            return nev
        if err != EINTR:
            _raise_errno(err)
        PyErr_CheckSignals()
        return 0

    cdef int _wait_epoll(self, long timeout) except -1:
        cdef Py_ssize_t i
        cdef int ready
        cdef double deadline = _monotonic() + timeout / 1000.0 if timeout > 0 else 0.0
        for i in range(self._n):
            self._items[i].revents = 0
        self._apply(self._epoll_once(0))
        ready = self._collect()
        while ready == 0 and timeout != 0:
            self._apply(self._epoll_once(timeout))
            ready = self._collect()
            if timeout > 0:
                timeout = <long>((deadline - _monotonic()) * 1000.0)
                if timeout <= 0:
                    break
        return ready

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
