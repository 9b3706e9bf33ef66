# SPDX-License-Identifier: BSD-3-Clause
# _frame.pxi -- Frame (one zmq_msg_t), MessageTracker, and filling a zmq_msg_t
# from a Python object by copy or zero-copy (csrc/zmqx_zc.h).

from cpython.ref cimport PyObject

cdef extern from "zmqx_zc.h":
    ctypedef struct zmqx_zc:
        Py_buffer view
    zmqx_zc *zmqx_zc_new(object obj, PyObject *tracker, int *pending) except NULL
    void zmqx_zc_free(void *data, void *hint) noexcept nogil
    void zmqx_zc_discard(zmqx_zc *node) noexcept
    Py_ssize_t zmqx_zc_drain() noexcept
    void zmqx_zc_finalize() noexcept
    Py_ssize_t zmqx_zc_live
    int zmqx_atomic_load(int *p) noexcept nogil

cdef extern from "zmqx_compat.h":
    int ZMQX_DEBUG
    enum: ZMQX_DBG_FRAMES, ZMQX_DBG_SOCKETS, ZMQX_DBG_CONTEXTS
    long zmqx_dbg_count[3]
    void ZMQX_DBG_ADD(int i, int d) noexcept nogil
    int zmqx_term_async(void *ctx) noexcept nogil
    int zmqx_getpid() noexcept nogil


def _debug_counters():
    """Live frames, sockets, contexts and zero-copy buffers in a ZMQX_DEBUG
    build (a dict); None in a release build."""
    if not ZMQX_DEBUG:
        return None
    return {"frames": zmqx_dbg_count[ZMQX_DBG_FRAMES],
            "sockets": zmqx_dbg_count[ZMQX_DBG_SOCKETS],
            "contexts": zmqx_dbg_count[ZMQX_DBG_CONTEXTS],
            "zc": zmqx_zc_live}

COPY_THRESHOLD = 65536  # bytes; below this, copy=False copies anyway (as pyzmq)
cdef Py_ssize_t _COPY_THRESHOLD = COPY_THRESHOLD


def zc_drain():
    """Release every zero-copy buffer libzmq has finished with; return how many.

    zmqx does this by itself (after each zero-copy send, and from a pending call
    that libzmq's free callback schedules), so calling it is only ever needed to
    observe lifetimes deterministically, as the tests do.
    """
    return zmqx_zc_drain()


def zc_outstanding():
    """Zero-copy buffers pinned for libzmq and not yet released to Python."""
    return zmqx_zc_live


@_atexit.register
def _zc_finalize():
    zmqx_zc_finalize()


cdef enum:
    _NOGIL_COPY = 65536  # bytes; larger copies let other threads run meanwhile


cdef inline void _copy(void *dst, const void *src, size_t n) noexcept:
    if n < _NOGIL_COPY:
        memcpy(dst, src, n)
    else:
        with nogil:
            memcpy(dst, src, n)


cdef inline object _msg_bytes(lz.zmq_msg_t *msg):
    """A bytes copy of msg's content."""
    cdef size_t n = lz.zmq_msg_size(msg)
    if n < _NOGIL_COPY:
        return PyBytes_FromStringAndSize(<char *>lz.zmq_msg_data(msg), n)
    data = PyBytes_FromStringAndSize(NULL, n)
    _copy(PyBytes_AS_STRING(data), lz.zmq_msg_data(msg), n)
    return data


cdef inline int _init_copy(lz.zmq_msg_t *msg, const void *src, size_t n) except -1:
    """Initialise msg with a copy of the n bytes at src."""
    if lz.zmq_msg_init_size(msg, n) != 0:
        _raise_errno(lz.zmq_errno())
    _copy(lz.zmq_msg_data(msg), src, n)
    return 0


cdef int _init_msg(lz.zmq_msg_t *msg, object data, bint copy, Py_ssize_t threshold,
                   MessageTracker tracker) except -1:
    """Initialise msg with data's bytes: copied (0), or pinned zero-copy (1)
    when ``not copy`` and the buffer is at least ``threshold`` bytes."""
    cdef Py_buffer view
    cdef zmqx_zc *node
    if type(data) is bytes:
        if copy or PyBytes_GET_SIZE(data) < threshold:
            return _init_copy(msg, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    elif isinstance(data, str):
        raise TypeError("str frames are not allowed: encode them, or use send_string")
    else:
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            if copy or view.len < threshold:
                return _init_copy(msg, view.buf, view.len)
        finally:
            PyBuffer_Release(&view)
    zmqx_zc_drain()
    if tracker is None:
        node = zmqx_zc_new(data, NULL, NULL)
    else:
        node = zmqx_zc_new(data, <PyObject *>tracker, &tracker._pending)
    if lz.zmq_msg_init_data(msg, node.view.buf, node.view.len, zmqx_zc_free, node) < 0:
        zmqx_zc_discard(node)
        _raise_errno(lz.zmq_errno())
    return 1


cdef class MessageTracker:
    """MessageTracker(*towatch)
--

Tells when libzmq has released the zero-copy frames of one send.

    Invariant: ``_pending`` counts frames libzmq still holds.  zmqx_zc_new adds
    one per frame and libzmq's free callback (any thread, no GIL) subtracts one,
    both atomically; ``done`` is ``_pending == 0`` (and, for a tracker made
    as ``MessageTracker(*towatch)``, every tracker, Frame and Event in
    ``_watch`` done too).  A tracker for copied data is created done.
    """

    def __init__(self, *towatch):
        """Also watch ``towatch``: other MessageTrackers, tracked Frames, or
        Events (anything with ``is_set()``), as pyzmq."""
        if towatch:
            self._watch = tuple(_watched(obj) for obj in towatch)

    cdef bint _done(self):
        if zmqx_atomic_load(&self._pending) != 0:
            return False
        return self._watch is None or all(
            w.done if isinstance(w, MessageTracker) else w.is_set() for w in self._watch)

    @property
    def done(self):
        """True once libzmq has released every frame this tracker watches."""
        return self._done()

    def wait(self, timeout=-1):
        """Block until ``done``, at most ``timeout`` seconds (-1: forever).

        Raises NotDone on timeout.
        """
        cdef double deadline = _monotonic() + timeout if timeout is not None and timeout >= 0 else -1
        cdef double delay = 1e-5
        while not self._done():
            if deadline >= 0 and _monotonic() >= deadline:
                raise _errors.NotDone()
            _time.sleep(delay)
            delay = min(delay * 2, 1e-3)
        zmqx_zc_drain()

    def __repr__(self):
        return f"<zmqx.MessageTracker done={self.done}>"


cdef object _watched(obj):
    """What MessageTracker(*towatch) waits on for ``obj`` (pyzmq's rules)."""
    if isinstance(obj, MessageTracker) or hasattr(obj, "is_set"):  # a tracker, an Event
        return obj
    if isinstance(obj, Frame):
        if (<Frame>obj).tracker is None:
            raise ValueError("Not a tracked message")
        return (<Frame>obj).tracker
    raise TypeError(f"Require Events or Message Frames, not {type(obj)}")


_FINISHED_TRACKER = MessageTracker()  # done: what send(copy=False) returns for copied data


class _TrackerEvent:
    """Frame.tracker_event: pyzmq's threading.Event for a tracked frame, as a
    view of its MessageTracker (set once libzmq has released the frame)."""

    __slots__ = ("_tracker",)

    def __init__(self, tracker):
        self._tracker = tracker

    def is_set(self):
        return self._tracker.done

    def wait(self, timeout=None):
        """Block until set, at most ``timeout`` seconds; whether it is set."""
        try:
            self._tracker.wait(-1 if timeout is None else timeout)
        except _errors.NotDone:
            return False
        return True


@cython.freelist(32)
cdef class Frame:
    """One ZeroMQ message frame: a zmq_msg_t owned by this object.

    Invariants:
    * ``zmq_msg`` is always initialised (empty if nothing else), so
      ``__dealloc__`` can always close it, and nothing in ``__dealloc__`` raises.
    * Buffers exported from it are read-only and counted in ``_exports``; while
      any is alive the memory is never reused or released (``close()`` refuses).
      The views keep the Frame alive, so its memory outlives them.
    * After ``close()`` the frame is empty and reading it raises ValueError.
    """

    def __cinit__(self, data=None, track=False, copy=None, copy_threshold=None, **kwargs):
        lz.zmq_msg_init(&self.zmq_msg)
        ZMQX_DBG_ADD(ZMQX_DBG_FRAMES, 1)
        if data is None:
            return
        cdef Py_ssize_t threshold = _COPY_THRESHOLD if copy_threshold is None else copy_threshold
        cdef bint do_copy = copy is not None and copy  # else the threshold decides
        if track:
            self.tracker = MessageTracker()
            _init_msg(&self.zmq_msg, data, do_copy, threshold, self.tracker)
        else:
            _init_msg(&self.zmq_msg, data, do_copy, threshold, None)
        if type(data) is bytes:
            self._bytes = data

    def __dealloc__(self):
        lz.zmq_msg_close(&self.zmq_msg)
        ZMQX_DBG_ADD(ZMQX_DBG_FRAMES, -1)

    cdef int _check_open(self) except -1:
        if self._closed:
            raise ValueError("frame is closed")
        return 0

    def __getbuffer__(self, Py_buffer *view, int flags):
        self._check_open()
        PyBuffer_FillInfo(view, self, lz.zmq_msg_data(&self.zmq_msg),
                          lz.zmq_msg_size(&self.zmq_msg), 1, flags)
        self._exports += 1

    def __releasebuffer__(self, Py_buffer *view):
        self._exports -= 1

    def __len__(self):
        return lz.zmq_msg_size(&self.zmq_msg)

    @property
    def bytes(self):
        """The frame's content as bytes (copied once, then cached)."""
        self._check_open()
        if self._bytes is None:
            self._bytes = _msg_bytes(&self.zmq_msg)
        return self._bytes

    @property
    def tracker_event(self):
        """None for an untracked frame, else an Event-like view of ``tracker``
        (``is_set()``, ``wait(timeout)``), as pyzmq's threading.Event."""
        return None if self.tracker is None else _TrackerEvent(self.tracker)

    @property
    def buffer(self):
        """A read-only memoryview of the frame's memory (no copy)."""
        return memoryview(self)

    def get(self, option):
        """A message property: an int option (MORE, SHARED) or a metadata name
        such as "Peer-Address", "Socket-Type", "User-Id"."""
        cdef const char *value
        self._check_open()
        if isinstance(option, str):
            value = lz.zmq_msg_gets(&self.zmq_msg, option.encode())
            if value == NULL:
                _raise_errno(lz.zmq_errno())
            return value.decode("utf-8", "replace")
        cdef int rc = lz.zmq_msg_get(&self.zmq_msg, option)
        _check_rc(rc)
        return rc

    def set(self, int option, int value):
        """Set an int message property."""
        self._check_open()
        _check_rc(lz.zmq_msg_set(&self.zmq_msg, option, value))

    @property
    def routing_id(self):
        """SERVER/CLIENT routing id: needs libzmq's draft API, which this build lacks."""
        raise _errors.ZMQError(_constants.ENOTSUP)

    @property
    def group(self):
        """RADIO/DISH group: needs libzmq's draft API, which this build lacks."""
        raise _errors.ZMQError(_constants.ENOTSUP)

    def close(self):
        """Release the message memory now, instead of when the Frame is collected.

        Raises BufferError while a view of the memory is alive.
        """
        if self._exports:
            raise BufferError(f"frame has {self._exports} exported view(s); release them first")
        if not self._closed:
            lz.zmq_msg_close(&self.zmq_msg)
            lz.zmq_msg_init(&self.zmq_msg)
            self._closed = True
            self._bytes = None

    @property
    def closed(self):
        return self._closed

    def __copy__(self):
        cdef Frame other = Frame.__new__(Frame)
        self._check_open()
        _check_rc(lz.zmq_msg_copy(&other.zmq_msg, &self.zmq_msg))
        other._bytes = self._bytes
        other.more = self.more
        return other

    fast_copy = __copy__

    def __eq__(self, other):
        if isinstance(other, Frame):
            return self.bytes == (<Frame>other).bytes
        return NotImplemented

    def __hash__(self):
        return hash(self.bytes)

    def __repr__(self):
        if self._closed:
            return "<zmqx.Frame closed>"
        n = lz.zmq_msg_size(&self.zmq_msg)
        head = PyBytes_FromStringAndSize(<char *>lz.zmq_msg_data(&self.zmq_msg), min(n, <size_t>32))
        return f"<zmqx.Frame({head!r}{'...' if n > 32 else ''}) {n} bytes>"


Message = Frame
