# SPDX-License-Identifier: BSD-3-Clause
# _asyncio.pxi -- the compiled half of zmqx.asyncio: _DoneFuture, the future a
# call that completes at once returns, and _AsyncSocket, the awaited send/recv
# fast paths.  While nobody waits on the socket, a frame that can move now
# moves with no asyncio.Future, no exception and no trip through the event
# loop.  Waiting, waking and cancellation are zmqx/_asyncio_waiters.py.

cdef extern from *:
    """
    /* _DoneFuture's layout (checked against __basicsize__ at import) and its
       iterator step: the awaiting frame gets the result through StopIteration
       set directly, with no Python frame or traceback of ours. */
    typedef struct {
        PyObject_HEAD
        PyObject *result;
        PyObject *exception;
        PyObject *loop;
    } zmqx_done_t;

    static PyObject *zmqx_done_next(PyObject *self) {
        zmqx_done_t *d = (zmqx_done_t *)self;
        PyObject *r = d->result, *stop;
        if (d->exception != Py_None) {
            PyErr_SetObject((PyObject *)Py_TYPE(d->exception), d->exception);
            return NULL;
        }
        if (r == Py_None)
            return NULL;  /* no exception set: the await gives None */
        if (PyTuple_Check(r) || PyExceptionInstance_Check(r)) {
            stop = PyObject_CallOneArg(PyExc_StopIteration, r);  /* not *args */
            if (stop == NULL)
                return NULL;
            PyErr_SetObject(PyExc_StopIteration, stop);
            Py_DECREF(stop);
            return NULL;
        }
        PyErr_SetObject(PyExc_StopIteration, r);
        return NULL;
    }

    static Py_ssize_t zmqx_done_install(PyObject *type) {
        ((PyTypeObject *)type)->tp_iternext = zmqx_done_next;
        PyType_Modified((PyTypeObject *)type);
        return (Py_ssize_t)sizeof(zmqx_done_t);
    }
    """
    Py_ssize_t zmqx_done_install(object type) except -1


@cython.freelist(16)
cdef class _DoneFuture:
    """An asyncio future born done: what an awaited zmqx.asyncio call returns
    when it completed at once (the result, or the exception it raised).

    It is an asyncio future by asyncio's own test (``asyncio.isfuture``: the
    class has ``_asyncio_future_blocking``), so ``await``, ``ensure_future``,
    ``gather``, ``wait``, ``wait_for`` and ``shield`` take it as they take an
    asyncio.Future.  Awaiting it never suspends (it is never yielded to the
    loop, so ``_asyncio_future_blocking`` stays False); callbacks added to it
    are scheduled with the loop's ``call_soon``, as asyncio does for a done
    future, and ``cancel()`` returns False.

    Invariants: exactly one of ``_result`` / ``_exception`` is meaningful
    (``_exception`` is None for a result); neither changes after creation;
    ``_loop`` is the loop running when it was first asked for (get_loop),
    found lazily so that the fast path does not look it up.
    """
    cdef object _result
    cdef object _exception
    cdef object _loop

    _asyncio_future_blocking = False
    _state = "FINISHED"

    def __init__(self, result=None, exception=None):
        self._result = result
        self._exception = exception

    def done(self):
        return True

    def cancelled(self):
        return False

    def cancel(self, msg=None):
        """A done future cannot be cancelled: False."""
        return False

    def result(self):
        if self._exception is not None:
            raise self._exception
        return self._result

    def exception(self):
        return self._exception

    def get_loop(self):
        if self._loop is None:
            self._loop = _current_loop()
        return self._loop

    def add_done_callback(self, fn, /, *, context=None):
        """Schedule ``fn(self)`` on the loop (the future is done already)."""
        self.get_loop().call_soon(fn, self, context=context)

    def remove_done_callback(self, fn, /):
        """Callbacks of a done future are already scheduled: 0 removed."""
        return 0

    def __await__(self):
        return self

    def __iter__(self):  # ``yield from fut``, as asyncio.Future allows
        return self

    def send(self, value):
        """The generator protocol (``yield from`` passes None): the result,
        as StopIteration, or the exception."""
        if self._exception is not None:
            raise self._exception
        raise StopIteration(self._result)

    def __next__(self):
        # what an explicit fut.__next__() runs; next() and await run the
        # tp_iternext slot, zmqx_done_next, installed below
        return self.send(None)

    def __repr__(self):
        if self._exception is not None:
            return f"<_DoneFuture finished exception={self._exception!r}>"
        return f"<_DoneFuture finished result={self._result!r}>"


if zmqx_done_install(_DoneFuture) != _DoneFuture.__basicsize__:
    raise SystemError("_DoneFuture's layout is not zmqx_done_t")


cdef inline _DoneFuture _done(object result):
    cdef _DoneFuture f = _DoneFuture.__new__(_DoneFuture)
    f._result = result
    return f


cdef inline _DoneFuture _failed(object exc):
    cdef _DoneFuture f = _DoneFuture.__new__(_DoneFuture)
    f._exception = exc
    return f


def _current_loop():
    """The running event loop, else the current thread's (asyncio.get_event_loop)."""
    import asyncio
    loop = asyncio._get_running_loop()
    return loop if loop is not None else asyncio.get_event_loop()


cdef class _AsyncSocket(Socket):
    """Base class of zmqx.asyncio.Socket, whose __init__ sets ``_w`` (its
    Waiters: ``_w.n`` counts the calls waiting on this socket).

    Invariant: the fast path runs only while ``_w.n == 0``, so it never
    overtakes a queued caller (FIFO per direction).  Every outcome of the
    I/O, errors included, is in the returned future; only a loop that cannot
    serve the socket raises RuntimeError (see Waiters.attach)."""

    def send(self, data, int flags=0, bint copy=True, bint track=False,
             routing_id=None, group=None):
        """Send one frame: a future of what the blocking send returns (a tracker or None)."""
        w = self._w
        if w.n:
            return w.io(self, False, _SocketCore.send,
                        (self, data, flags | lz.ZMQ_DONTWAIT, copy, track, routing_id, group),
                        flags & lz.ZMQ_DONTWAIT)
        try:
            if track or routing_id is not None or group is not None:
                return _done(_SocketCore.send(self, data, flags | lz.ZMQ_DONTWAIT, copy, track,
                                              routing_id, group))
            if self._send_now(data, flags, copy):
                return _done(None)
        except _errors.Again as e:
            if flags & lz.ZMQ_DONTWAIT:
                return _failed(e)
        except Exception as e:
            return _failed(e)
        if flags & lz.ZMQ_DONTWAIT:
            return _failed(_errors.Again(EAGAIN))
        return w.wait(self, False, _SocketCore.send,
                      (self, data, flags | lz.ZMQ_DONTWAIT, copy, track, routing_id, group))

    def recv(self, int flags=0, bint copy=True, bint track=False):
        """Receive one frame: a future of bytes, or with ``copy=False`` of a Frame."""
        w = self._w
        if w.n:
            return w.io(self, True, _SocketCore.recv,
                        (self, flags | lz.ZMQ_DONTWAIT, copy), flags & lz.ZMQ_DONTWAIT)
        try:
            frame = self._recv_frame(flags, copy, NULL, False)
        except Exception as e:
            return _failed(e)
        if frame is not None:
            return _done(frame)
        if flags & lz.ZMQ_DONTWAIT:
            return _failed(_errors.Again(EAGAIN))
        return w.wait(self, True, _SocketCore.recv, (self, flags | lz.ZMQ_DONTWAIT, copy))
