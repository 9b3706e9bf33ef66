# SPDX-License-Identifier: BSD-3-Clause
# _waits.pxi -- who waits on a socket without the GIL, and how close() and
# destroy() end those waits before libzmq frees the socket.
#
# Every wait without the GIL (_sleep, _sleep_on; proxies through _Wakeable
# subclasses) is listed on each socket it involves (_Waits.wakers) and also
# watches its thread's wake-up pipe.  close() marks the socket closing, wakes
# each listed wait, and lets go of the GIL until they have all left; only then
# does it call zmq_close.  A woken wait raises ZMQError(ENOTSOCK), or
# ContextTerminated when the close comes from Context.destroy().  Without this,
# zmq_close runs while another thread is inside libzmq on the same socket, and
# libzmq asserts (signaler.cpp) and aborts the process.

from posix.fcntl cimport fcntl, F_GETFL, F_SETFL, F_SETFD, FD_CLOEXEC, O_NONBLOCK
from posix.unistd cimport pipe, read, write, close as _close_fd, usleep
from cpython.ref cimport PyObject
from libc.errno cimport EBUSY

cdef extern from "<poll.h>" nogil:
    struct pollfd:
        int fd
        short events
        short revents
    int poll(pollfd *fds, unsigned long nfds, int timeout)
    enum: POLLIN, POLLOUT, POLLPRI

cdef extern from "<errno.h>" nogil:
    int _c_errno "errno"


cdef class _Wakeable:
    """Something waiting on sockets that close() must end before zmq_close.

    ``owner`` is the waiting thread's _Waker (None for a _Waker itself).
    ``inside`` is set for waits that run inside libzmq (the forwarding loops,
    proxy_steerable) and that only the end of the context can stop: close() refuses (EBUSY) to close
    their sockets, destroy() shuts the context down first."""
    cdef object owner
    cdef bint inside

    cdef void wake(self) noexcept:
        pass


@cython.final
cdef class _Waker(_Wakeable):
    """One thread's wake-up pipe: written by a closing thread, polled (read
    end) by this thread whenever it waits without the GIL."""
    cdef int rfd, wfd

    def __cinit__(self):
        cdef int fds[2]
        if pipe(fds) < 0:
            raise OSError(_c_errno, _os.strerror(_c_errno))
        self.rfd, self.wfd = fds[0], fds[1]
        for fd in (self.rfd, self.wfd):
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            fcntl(fd, F_SETFD, FD_CLOEXEC)

    def __dealloc__(self):
        _close_fd(self.rfd)
        _close_fd(self.wfd)

    cdef void wake(self) noexcept:
        write(self.wfd, b"w", 1)  # a full pipe is readable already

    cdef void drain(self) noexcept:
        cdef char buf[64]
        while read(self.rfd, buf, sizeof(buf)) > 0:
            pass


@cython.final
cdef class _ProxyWaker(_Wakeable):
    """Ends a zmqx.proxy() from another thread: TERMINATE on the private
    control socket pair the proxy runs with (raw libzmq sockets)."""
    cdef void *ctl

    cdef void wake(self) noexcept:
        lz.zmq_send(self.ctl, b"TERMINATE", 9, lz.ZMQ_DONTWAIT)


cdef int _enter_waits(list socks, _Wakeable k) except -1:
    """List ``k`` on each open socket of ``socks`` (None entries skipped)."""
    for s in socks:
        if s is not None:
            (<_Waits>_waits_of(<_SocketCore>s)).wakers.append(k)
    return 0


cdef int _leave_waits(list socks, _Wakeable k) except -1:
    """Undo _enter_waits, then raise if a socket was closed meanwhile."""
    cdef PyObject *p
    for s in socks:
        if s is not None and (<_SocketCore>s)._waits is not None and \
                k in (<_Waits>(<_SocketCore>s)._waits).wakers:
            (<_Waits>(<_SocketCore>s)._waits).wakers.remove(k)
    for s in socks:
        if s is not None:
            p = <PyObject *>s
            _check_waits(&p, 1)
    return 0


cdef object _thread_local = _threading.local()


cdef extern from *:
    """
    static __thread PyObject *zmqx_tls_waker = NULL;  /* borrowed: _thread_local owns it */
    """
    PyObject *zmqx_tls_waker


cdef _Waker _my_waker():
    """This thread's _Waker (made on its first wait; a new one after fork)."""
    global zmqx_tls_waker
    if zmqx_tls_waker != NULL:
        return <_Waker>zmqx_tls_waker
    w = _thread_local.waker = _Waker()
    zmqx_tls_waker = <PyObject *>w
    return <_Waker>w


def _forget_waker():
    """After fork, in the child: its thread makes a pipe of its own."""
    global zmqx_tls_waker
    zmqx_tls_waker = NULL
    _thread_local.__dict__.pop("waker", None)


_os.register_at_fork(after_in_child=_forget_waker)


@cython.final
cdef class _Waits:
    """The threads waiting without the GIL on one socket (made on its first wait).

    ``wakers`` lists the _Wakeable of each waiting call, so its length is the
    number of calls that close() must see leave before zmq_close.  ``closing``
    is 0, or the errno those calls raise.  ``reason`` is the errno the next
    close() gives them (ENOTSOCK; destroy() sets ETERM)."""
    cdef list wakers
    cdef int closing, reason


cdef object _waits_of(_SocketCore s):
    """s's _Waits, made on first use (ENOTSOCK if s is closed)."""
    cdef _Waits w = s._waits
    if w is None:
        s._check_open()
        w = _Waits.__new__(_Waits)
        w.wakers = []
        w.reason = lz.ENOTSOCK
        s._waits = w
    return w


cdef int _check_waits(PyObject **socks, Py_ssize_t n) except -1:
    """Raise if any of ``socks`` (NULL entries skipped) is closed or closing."""
    cdef Py_ssize_t i
    cdef _SocketCore s
    for i in range(n):
        if socks[i] != NULL:
            s = <_SocketCore>socks[i]
            if s.handle == NULL:
                _raise_errno(lz.ENOTSOCK)
            if s._waits is not None and (<_Waits>s._waits).closing:
                _raise_errno((<_Waits>s._waits).closing)
    return 0


cdef int _sleep(PyObject **socks, Py_ssize_t nsocks, pollfd *pfds,
                lz.zmq_pollitem_t *items, int n, long timeout) except -1:
    """Wait without the GIL, up to ``timeout`` ms (-1: forever), until one of
    ``n`` entries is ready or a socket of ``socks`` (NULL entries skipped) is
    being closed.  The entries are ``pfds`` for poll(2), else ``items`` for
    zmq_poll; either has room for one more: this thread's wake-up pipe.
    Returns the poll's count (0 after a signal whose handler did not raise);
    raises ENOTSOCK/ETERM if a socket was closed meanwhile."""
    cdef _Waker me = _my_waker()
    cdef Py_ssize_t i
    cdef int rc, err = 0
    cdef bint woken
    for i in range(nsocks):
        if socks[i] != NULL:
            (<_Waits>_waits_of(<_SocketCore>socks[i])).wakers.append(me)
    try:
        _check_waits(socks, nsocks)
        if pfds != NULL:
            pfds[n].fd, pfds[n].events, pfds[n].revents = me.rfd, POLLIN, 0
            with nogil:
                rc = poll(pfds, n + 1, timeout)
                err = _c_errno
            woken = pfds[n].revents != 0
        else:
            items[n].socket, items[n].fd = NULL, me.rfd
            items[n].events, items[n].revents = lz.ZMQ_POLLIN, 0
            with nogil:
                rc = lz.zmq_poll(items, n + 1, timeout)
                err = lz.zmq_errno()
            woken = items[n].revents != 0
    finally:
        for i in range(nsocks):
            if socks[i] != NULL:
                (<_Waits>(<_SocketCore>socks[i])._waits).wakers.remove(me)
    if rc > 0 and woken:
        me.drain()
        rc -= 1
    if rc < 0:
        if err != EINTR:
            _raise_errno(err) if items != NULL else _raise_oserror(err)
        PyErr_CheckSignals()
        rc = 0
    _check_waits(socks, nsocks)
    return rc


cdef int _sleep_on(_SocketCore s, short want, long timeout) except -1:
    """_sleep for one socket, leaner: 1 once ``want`` is in its ZMQ_EVENTS, 0
    if not (timeout, a wake-up, a signal whose handler did not raise).

    Without the GIL: read EVENTS (libzmq processes pending commands, which may
    make the socket ready); if not ready, poll(2) its ZMQ_FD and this thread's
    pipe, then read EVENTS again.  These are the wait's only libzmq calls, made
    without the GIL as a blocking zmq_msg_recv makes its own, so the GIL is let
    go right after the caller's failed try."""
    cdef _Waker me = _my_waker()
    cdef _Waits w = _waits_of(s)
    cdef PyObject *p = <PyObject *>s
    cdef void *h = s.handle
    cdef pollfd pfd[2]
    cdef int rc = 0, err = 0, events = 0
    cdef size_t size = sizeof(lz.zmq_fd_t)
    cdef lz.zmq_fd_t fd
    _check_rc(lz.zmq_getsockopt(h, lz.ZMQ_FD, &fd, &size))
    w.wakers.append(me)
    try:
        _check_waits(&p, 1)
        pfd[0].fd, pfd[0].events, pfd[0].revents = fd, POLLIN, 0
        pfd[1].fd, pfd[1].events, pfd[1].revents = me.rfd, POLLIN, 0
        size = sizeof(int)
        with nogil:
            rc = lz.zmq_getsockopt(h, lz.ZMQ_EVENTS, &events, &size)
            if rc == 0 and not events & want:
                rc = poll(pfd, 2, timeout)
                if rc > 0 and pfd[0].revents:
                    rc = lz.zmq_getsockopt(h, lz.ZMQ_EVENTS, &events, &size)
                elif rc < 0:
                    err = _c_errno
                    rc = -2
            if rc == -1:
                err = lz.zmq_errno()
    finally:
        w.wakers.remove(me)
    if pfd[1].revents:
        me.drain()
    if rc < 0:
        if err != EINTR:
            _raise_errno(err) if rc == -1 else _raise_oserror(err)
        PyErr_CheckSignals()
    _check_waits(&p, 1)
    return 1 if events & want else 0


cdef int _raise_oserror(int err) except -1:
    raise OSError(err, _os.strerror(err))


cdef inline object _owner(k):
    return k if (<_Wakeable>k).owner is None else (<_Wakeable>k).owner


cdef int _release_waiters(_SocketCore s) except -1:
    """Before zmq_close: wake the calls waiting on ``s`` in other threads and
    let go of the GIL until they have left (they raise s._waits.reason)."""
    cdef _Waits w = s._waits
    cdef _Waker me
    if w is None or not w.wakers:
        return 0
    me = _my_waker()
    # a signal handler closing a socket its own thread waits on: that wait has
    # left poll(2) already (or will see the socket closed when the loop resumes)
    others = [k for k in w.wakers if _owner(k) is not me]
    if not others:
        return 0
    if any((<_Wakeable>k).inside for k in others):
        if w.reason != lz.ETERM:
            raise _exception_for_errno(EBUSY)(
                EBUSY, "the socket is in use by a proxy or device running in another "
                "thread: stop it first (TERMINATE, or Context.term()/destroy())")
        lz.zmq_ctx_shutdown((<Context>s.context).handle)
    w.closing = w.reason
    while any(_owner(k) is not me for k in w.wakers):
        for k in w.wakers:
            (<_Wakeable>k).wake()
        with nogil:
            usleep(200)
    return 0
