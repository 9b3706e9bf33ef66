# SPDX-License-Identifier: BSD-3-Clause
# _socket.pxi -- _SocketCore: a libzmq socket's lifecycle, options, and the
# frame-level send/recv paths every higher-level call goes through.

from posix.resource cimport getrlimit, rlimit, RLIMIT_STACK, RLIM_INFINITY

cdef enum:
    _OPT_INT = 0
    _OPT_INT64 = 1
    _OPT_BYTES = 2
    _OPT_STR = 3
    _OPT_FD = 4
    _OPT_TABLE = 256

# C type of each socket option, indexed by option number (default int).
cdef unsigned char _opt_kind[_OPT_TABLE]
_KINDS = {"int": _OPT_INT, "int64": _OPT_INT64, "bytes": _OPT_BYTES, "str": _OPT_STR,
          "fd": _OPT_FD}
for _opt, _kind in _constants.SOCKET_OPTION_TYPES.items():
    if 0 <= _opt < _OPT_TABLE:
        _opt_kind[_opt] = _KINDS[_kind]


cdef inline int _kind_of(int option) noexcept:
    return _opt_kind[option] if 0 <= option < _OPT_TABLE else _OPT_INT


cdef object _getsockopt(void *h, int option):
    cdef int kind = _kind_of(option)
    cdef int ivalue = 0
    cdef int64_t lvalue = 0
    cdef lz.zmq_fd_t fd = 0
    cdef char buf[256]
    cdef size_t size
    if kind == _OPT_INT:
        size = sizeof(int)
        _check_rc(lz.zmq_getsockopt(h, option, &ivalue, &size))
        return ivalue
    if kind == _OPT_INT64:
        size = sizeof(int64_t)
        _check_rc(lz.zmq_getsockopt(h, option, &lvalue, &size))
        return lvalue
    if kind == _OPT_FD:
        size = sizeof(lz.zmq_fd_t)
        _check_rc(lz.zmq_getsockopt(h, option, &fd, &size))
        return fd
    # CURVE keys come back as Z85 text when asked with room for 40 chars + NUL
    if option in (lz.ZMQ_CURVE_PUBLICKEY, lz.ZMQ_CURVE_SECRETKEY, lz.ZMQ_CURVE_SERVERKEY):
        size, kind = 41, _OPT_STR
    else:
        size = sizeof(buf)
    _check_rc(lz.zmq_getsockopt(h, option, buf, &size))
    if kind == _OPT_STR and size > 0 and buf[size - 1] == 0:
        size -= 1
    return PyBytes_FromStringAndSize(buf, size)


# libzmq 4.3.x stores subscriptions in a trie whose add, remove and destructor
# recurse once per byte of a topic (about 48 bytes of C stack per level here):
# a 256 KiB SUBSCRIBE overflows an 8 MiB stack and kills the process -- in the
# calling thread, or in libzmq's reaper thread when the socket closes.  libzmq
# made the same walk iterative for the XPUB side (mtrie, zeromq/libzmq PR
# #3959, 4.3.3) but not for the trie of SUB/XSUB.  So topics are capped at
# 64 KiB, or less where stacks are smaller: at most 1/128 of the stack limit
# (RLIMIT_STACK, and threading.stack_size() if set).
cdef enum:
    _SUBSCRIPTION_ALWAYS_OK = 4096  # never over the limit, so no check


cdef Py_ssize_t _max_subscription():
    """The longest SUBSCRIBE/UNSUBSCRIBE topic this process accepts (see above)."""
    cdef rlimit lim
    cdef Py_ssize_t stack = 8 << 20
    if getrlimit(RLIMIT_STACK, &lim) == 0 and lim.rlim_cur != RLIM_INFINITY:
        stack = min(<Py_ssize_t>lim.rlim_cur, stack)
    thread_stack = _threading.stack_size()
    if thread_stack:
        stack = min(<Py_ssize_t>thread_stack, stack)
    return max(_SUBSCRIPTION_ALWAYS_OK, min(65536, stack // 128))


cdef int _check_subscription(int option, Py_ssize_t size) except -1:
    if (option == lz.ZMQ_SUBSCRIBE or option == lz.ZMQ_UNSUBSCRIBE) and \
            size > _SUBSCRIPTION_ALWAYS_OK and size > _max_subscription():
        raise ValueError(f"a {size}-byte subscription topic is longer than this process "
                         f"can take ({_max_subscription()} bytes): libzmq 4.3 would "
                         "overflow the stack freeing it (see docs/pyzmq-differences.md)")
    return 0


cdef int _setsockopt(void *h, int option, object value) except -1:
    cdef int kind = _kind_of(option)
    cdef int ivalue
    cdef int64_t lvalue
    cdef Py_buffer view
    if isinstance(value, str):
        raise TypeError("unicode not allowed, use setsockopt_string")
    if kind == _OPT_BYTES or kind == _OPT_STR:
        if not isinstance(value, bytes):  # as pyzmq: bytes only, no other buffers
            raise TypeError(f"expected bytes, got: {value!r}")
        PyObject_GetBuffer(value, &view, PyBUF_SIMPLE)
        try:
            _check_subscription(option, view.len)
            return _check_rc(lz.zmq_setsockopt(h, option, view.buf, view.len))
        finally:
            PyBuffer_Release(&view)
    if not isinstance(value, int):
        raise TypeError(f"expected int, got: {value!r}")
    if kind == _OPT_INT64:
        lvalue = value
        return _check_rc(lz.zmq_setsockopt(h, option, &lvalue, sizeof(int64_t)))
    ivalue = value
    return _check_rc(lz.zmq_setsockopt(h, option, &ivalue, sizeof(int)))


cdef dict _SOCKET_TYPES = {int(t): t for t in _constants.SocketType}


cdef inline object _frame_tracker(object frame, bint track):
    """What send() returns for a Frame: its tracker (ValueError if ``track``
    and the Frame has none, as pyzmq)."""
    tracker = (<Frame>frame).tracker
    if track and tracker is None:
        raise ValueError("Not a tracked message")
    return tracker


cdef inline object _sent_tracker(int zero_copy, MessageTracker tracker):
    """What send(copy=False) returns: ``tracker``, or for data that was
    copied (below copy_threshold) a tracker that is done, as pyzmq."""
    if tracker is None and not zero_copy:
        return _FINISHED_TRACKER
    return tracker


cdef object _checked_parts(object msg_parts):
    """msg_parts as a list or tuple whose every item can be a frame; TypeError otherwise."""
    cdef Py_ssize_t i
    parts = msg_parts if type(msg_parts) is list or type(msg_parts) is tuple else list(msg_parts)
    for i in range(len(parts)):
        part = parts[i]
        if not (type(part) is bytes or isinstance(part, Frame) or
                (PyObject_CheckBuffer(part) and not isinstance(part, str))):
            raise TypeError(f"frame {i} ({part!r:.32}) is not bytes, a Frame or a buffer")
    return parts


cdef class _SocketCore:
    """A libzmq socket: lifecycle, options and the frame-level send/recv paths.

    Invariants:
    * ``handle`` is NULL exactly when the socket is closed; every method that
      touches libzmq checks it first (ENOTSOCK otherwise).
    * ``context`` is a strong reference: the Context outlives its sockets.
    * Only the process that made the socket closes it (``_pid``), and
      ``__dealloc__`` only ever calls zmq_close(), which never blocks or raises.
    * A message handed to libzmq belongs to libzmq; one that libzmq refused is
      closed here (zmq_msg_close), which releases zero-copy buffers too.
    """

    def __cinit__(self, *args, **kwargs):
        self.handle = NULL
        self._pid = zmqx_getpid()
        self.copy_threshold = _COPY_THRESHOLD

    def __init__(self, ctx_or_socket=None, int socket_type=0, *, shadow=0, copy_threshold=None):
        if self.handle != NULL:
            return
        if copy_threshold is not None:
            self.copy_threshold = copy_threshold
        context = ctx_or_socket
        if isinstance(ctx_or_socket, _SocketCore):  # Socket(other): a shadow, as pyzmq
            shadow, context = ctx_or_socket, None
        if shadow:
            if isinstance(shadow, _SocketCore):
                self._shadow_obj = shadow  # keeps the handle open while we use it
                if context is None:
                    context = (<_SocketCore>shadow).context
                shadow = (<_SocketCore>shadow).underlying
            self.handle = <void *><size_t>shadow
            self._shadow = True
            self._type = _get_int_opt(self.handle, lz.ZMQ_TYPE)
            self.context = context
            return
        if context is None:
            raise TypeError("context must be specified")
        if socket_type < 0:
            raise TypeError("socket_type must be specified")  # as pyzmq
        elif not isinstance(context, Context):
            raise TypeError(f"context must be a zmqx.Context, not {type(context).__name__}")
        (<Context>context)._check_open()
        self.handle = _check_ptr(lz.zmq_socket((<Context>context).handle, socket_type))
        ZMQX_DBG_ADD(ZMQX_DBG_SOCKETS, 1)
        self._type = socket_type
        self.context = context
        (<Context>context)._sockets.add(self)

    def __dealloc__(self):
        if self.handle != NULL and not self._shadow:
            ZMQX_DBG_ADD(ZMQX_DBG_SOCKETS, -1)
            if self._pid == zmqx_getpid():
                lz.zmq_close(self.handle)

    @classmethod
    def shadow(cls, address):
        """Wrap a socket made elsewhere (a Socket, or its address as an int);
        never closed here."""
        return cls(shadow=address)

    def __copy__(self, memo=None):
        """A shadow of this socket, as pyzmq."""
        return type(self).shadow(self)

    __deepcopy__ = __copy__

    cdef int _check_open(self) except -1:
        if self.handle == NULL:
            _raise_errno(lz.ENOTSOCK)
        return 0

    @property
    def closed(self):
        return self.handle == NULL

    @property
    def type(self):
        """The socket type, a SocketType (an int)."""
        return _SOCKET_TYPES.get(self._type, self._type)

    @property
    def underlying(self):
        """The address of the libzmq socket, as an int."""
        return <size_t>self.handle

    def close(self, linger=None):
        """Close the socket (idempotent).  With ``linger`` (ms), set LINGER first.

        Safe while other threads wait on the socket (recv, send, poll, a
        Poller): they are woken and raise ZMQError(ENOTSOCK) -- or
        ContextTerminated when Context.destroy() closes it -- before the
        socket closes (see _io.pxi)."""
        if self.handle == NULL:
            return
        cdef int value
        if linger is not None:
            # as pyzmq: best effort, so a socket of a terminating context
            # (setsockopt fails with ETERM) still closes and lets term() finish
            value = linger
            lz.zmq_setsockopt(self.handle, lz.ZMQ_LINGER, &value, sizeof(int))
        _release_waiters(self)
        if self.handle == NULL:  # closed by another thread while we let go of the GIL
            return
        if not self._shadow:
            ZMQX_DBG_ADD(ZMQX_DBG_SOCKETS, -1)
            if self._pid == zmqx_getpid():
                lz.zmq_close(self.handle)
        self.handle = NULL

    # --- options ----------------------------------------------------------
    # Every option is also an attribute (sock.linger = 0): _Option descriptors
    # installed below, so _SocketCore keeps CPython's generic attribute lookup
    # and method calls need no bound-method object.

    cdef object _get_opt(self, int option):
        self._check_open()
        self._ops += 1  # reading EVENTS processes commands: see _ops
        return _getsockopt(self.handle, option)

    cdef int _set_opt(self, int option, value) except -1:
        self._check_open()
        return _setsockopt(self.handle, option, value)

    def get(self, int option):
        """A socket option, typed as libzmq defines it (int, int64, bytes)."""
        return self._get_opt(option)

    def set(self, int option, optval):
        """Set a socket option: an int, or bytes for binary and text options."""
        self._set_opt(option, optval)

    getsockopt = get
    setsockopt = set

    @property
    def rcvmore(self):
        self._check_open()
        return _get_int_opt(self.handle, lz.ZMQ_RCVMORE)

    def fileno(self):
        """The socket's ZMQ_FD: edge-triggered readiness for POLLIN/POLLOUT via EVENTS."""
        self._check_open()
        return _getsockopt(self.handle, lz.ZMQ_FD)

    # --- endpoints --------------------------------------------------------

    def bind(self, addr):
        """Bind to ``addr``; the result may be used as ``with s.bind(url):`` to unbind."""
        self._endpoint_call(lz.zmq_bind, addr)
        # unbind needs the resolved endpoint when addr has a wildcard or port 0
        bound = _getsockopt(self.handle, lz.ZMQ_LAST_ENDPOINT).decode()
        return _EndpointContext(self, "unbind", bound)

    def connect(self, addr):
        """Connect to ``addr``; the result may be used as ``with`` to disconnect."""
        self._endpoint_call(lz.zmq_connect, addr)
        return _EndpointContext(self, "disconnect", addr)

    def unbind(self, addr):
        self._endpoint_call(lz.zmq_unbind, addr)

    def disconnect(self, addr):
        self._endpoint_call(lz.zmq_disconnect, addr)

    cdef int _endpoint_call(self, int (*call)(void *, const char *) noexcept nogil,
                            addr) except -1:
        self._check_open()
        if isinstance(addr, str):
            baddr = addr.encode("utf-8")
        elif isinstance(addr, bytes):
            baddr = addr
        else:
            raise TypeError(f"endpoint must be str, not {type(addr).__name__}")
        if call(self.handle, baddr) < 0:
            err = lz.zmq_errno()
            raise _exception_for_errno(err)(err, f"{strerror(err)} (addr={addr!r})")
        return 0

    def monitor(self, addr, int events=0xFFFF):  # ZMQ_EVENT_ALL, written so inspect reads it
        """Publish this socket's ``events`` on a PAIR socket bound at ``addr``
        (inproc://...); ``addr=None`` stops monitoring."""
        self._check_open()
        if addr is None:
            _check_rc(lz.zmq_socket_monitor(self.handle, NULL, events))
        else:
            baddr = addr.encode("utf-8") if isinstance(addr, str) else addr
            _check_rc(lz.zmq_socket_monitor(self.handle, baddr, events))

    # --- frames -----------------------------------------------------------

    cdef int _fill_msg(self, lz.zmq_msg_t *msg, object data, bint copy,
                       MessageTracker tracker) except -1:
        """msg := one frame of data: a Frame (shared, not copied), or any buffer.
        1 if msg points at data's own memory (zero-copy), else 0."""
        self._check_open()
        if type(data) is bytes and copy:  # the common case, ahead of _init_msg's checks
            return _init_copy(msg, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        if isinstance(data, Frame):
            (<Frame>data)._check_open()
            lz.zmq_msg_init(msg)
            return _check_rc(lz.zmq_msg_copy(msg, &(<Frame>data).zmq_msg))
        return _init_msg(msg, data, copy, self.copy_threshold, tracker)

    cdef int _send_frame(self, object data, int flags, bint copy,
                         MessageTracker tracker) except -1:
        """Send one frame (see _fill_msg), waiting if needed (see _io, which
        also closes the message if libzmq does not take it).  1 if the data
        went zero-copy, else 0."""
        cdef lz.zmq_msg_t msg
        cdef int zero_copy = self._fill_msg(&msg, data, copy, tracker)
        _io(self, _SEND_MSG, &msg, NULL, 0, flags)
        return zero_copy

    cdef int _send_now(self, object data, int flags, bint copy) except -1:
        """Send one frame if libzmq takes it now: 1, or 0 (no exception) if it
        would block."""
        cdef lz.zmq_msg_t msg
        cdef int err
        self._fill_msg(&msg, data, copy, None)
        self._ops += 1
        if lz.zmq_msg_send(&msg, self.handle, flags | lz.ZMQ_DONTWAIT) >= 0:
            return 1
        err = lz.zmq_errno()
        lz.zmq_msg_close(&msg)
        return 0 if err == EAGAIN else _raise_errno(err)

    cdef object _recv_frame(self, int flags, bint copy, int *more, bint wait):
        """Receive one frame: bytes (copy) or a Frame owning libzmq's memory.

        ``*more`` (unless NULL) is set from the frame.  ``wait`` False: one
        DONTWAIT try that returns None, not Again, when nothing is queued.
        """
        cdef lz.zmq_msg_t msg
        if not copy:
            return self._recv_new_frame(flags, more, wait)
        lz.zmq_msg_init(&msg)  # empty: nothing to close if recv fails
        if not _recv_msg(self, &msg, flags, wait):
            return None
        if more != NULL:
            more[0] = lz.zmq_msg_more(&msg)
        data = _msg_bytes(&msg)
        lz.zmq_msg_close(&msg)
        return data

    cdef object _recv_new_frame(self, int flags, int *more, bint wait):
        """_recv_frame without copy: a Frame, or None."""
        cdef Frame frame = Frame.__new__(Frame)
        if not _recv_msg(self, &frame.zmq_msg, flags, wait):
            return None
        frame.more = lz.zmq_msg_more(&frame.zmq_msg)
        if more != NULL:
            more[0] = frame.more
        return frame

    def send(self, data, int flags=0, bint copy=True, bint track=False,
             routing_id=None, group=None):
        """Send one frame.  ``copy=False`` hands buffers of at least
        ``copy_threshold`` bytes to libzmq without copying; with ``track``, the
        returned MessageTracker tells when libzmq has released them.

        Returns, as pyzmq: a Frame's own tracker for a Frame; with
        ``copy=False``, a tracker (already done if the data was copied, None
        for untracked zero-copy data); else None."""
        cdef MessageTracker tracker = None
        if routing_id is not None or group is not None:
            raise _errors.ZMQError(_constants.ENOTSUP)  # draft API only
        if isinstance(data, Frame):
            tracker = _frame_tracker(data, track)
            self._send_frame(data, flags, copy, None)
            return tracker
        if copy:
            self._send_frame(data, flags, True, None)
            return None
        if track:
            tracker = MessageTracker()
        return _sent_tracker(self._send_frame(data, flags, False, tracker), tracker)

    def recv(self, int flags=0, bint copy=True, bint track=False):
        """Receive one frame: bytes, or with ``copy=False`` a Frame (no copy;
        with ``track``, its tracker is a done one, as pyzmq's)."""
        frame = self._recv_frame(flags, copy, NULL, True)
        if track and not copy:
            (<Frame>frame).tracker = _FINISHED_TRACKER
        return frame

    def recv_into(self, buffer, Py_ssize_t nbytes=0, int flags=0):
        """Receive one frame into a writable buffer; return the frame's full size
        (larger than the buffer when the frame was truncated)."""
        cdef Py_buffer view
        cdef int rc, err
        self._check_open()
        if nbytes < 0:
            raise ValueError("nbytes must be >= 0")
        if type(buffer) is bytearray and nbytes <= PyByteArray_GET_SIZE(buffer):
            # A first try with the GIL held needs no buffer export: nothing else
            # can resize the bytearray meanwhile.  Only a wait exports it (below).
            self._ops += 1
            rc = lz.zmq_recv(self.handle, PyByteArray_AS_STRING(buffer),
                             nbytes or PyByteArray_GET_SIZE(buffer), flags | lz.ZMQ_DONTWAIT)
            if rc >= 0:
                return rc
            err = lz.zmq_errno()
            if err != EAGAIN or flags & lz.ZMQ_DONTWAIT:
                _raise_errno(err)
        PyObject_GetBuffer(buffer, &view, PyBUF_WRITABLE)
        try:
            if nbytes > view.len:
                raise ValueError(f"nbytes={nbytes} exceeds the buffer's {view.len} bytes")
            rc = _io(self, _RECV_BUF, NULL, view.buf, nbytes or view.len, flags)
        finally:
            PyBuffer_Release(&view)
        return rc

    cdef int _send_parts(self, parts, int flags, bint copy, MessageTracker tracker) except -1:
        """Send checked ``parts`` (see _checked_parts) as one multipart message.
        1 if the last part went zero-copy, else 0."""
        cdef Py_ssize_t i, n = len(parts)
        for i in range(n - 1):
            self._send_frame(parts[i], flags | lz.ZMQ_SNDMORE, copy, tracker)
        if n:
            return self._send_frame(parts[n - 1], flags, copy, tracker)
        return 0

    def send_multipart(self, msg_parts, int flags=0, bint copy=True, bint track=False,
                       **kwargs):
        """Send a multipart message in one pass.  Every part is checked before
        the first is sent, so bad input sends nothing.  Returns what send()
        returns for the last part; with ``copy=False, track=True`` one tracker
        watches every zero-copy part."""
        cdef MessageTracker tracker = None
        cdef int zero_copy
        parts = _checked_parts(msg_parts)  # a list or a tuple
        cdef Py_ssize_t n = PySequence_Fast_GET_SIZE(parts)
        if n == 0:
            raise IndexError("send_multipart: msg_parts is empty")  # pyzmq's class
        if track:
            for part in parts:
                if isinstance(part, Frame):
                    _frame_tracker(part, True)  # a ValueError before anything is sent
            if not copy:
                tracker = MessageTracker()
        zero_copy = self._send_parts(parts, flags, copy, tracker)
        last = <object>PySequence_Fast_GET_ITEM(parts, n - 1)
        if type(last) is not bytes and isinstance(last, Frame):
            return (<Frame>last).tracker
        return None if copy else _sent_tracker(zero_copy, tracker)

    def recv_multipart(self, int flags=0, bint copy=True, bint track=False):
        """Receive every frame of one message: a list of bytes, or of Frames."""
        cdef list parts = []
        cdef int more = 1
        while more:
            parts.append(self._recv_frame(flags, copy, &more, True))
            if track and not copy:
                (<Frame>parts[len(parts) - 1]).tracker = _FINISHED_TRACKER
        return parts

    cdef int _poll_self(self, int events, long timeout) except -1:
        """zmq_poll on this socket alone (see _poll_wait); the events ready."""
        cdef lz.zmq_pollitem_t item
        cdef PyObject *me = <PyObject *>self
        _fill_item(&item, self, events)
        _poll_wait(&item, &me, 1, timeout)
        return item.revents

    def poll(self, timeout=None, int flags=1):  # ZMQ_POLLIN, written so inspect reads it
        """Wait up to ``timeout`` ms (None: forever) for ``flags``; return the events ready."""
        return self._poll_self(flags, -1 if timeout is None else timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()



cdef extern from "Python.h":
    void PyType_Modified(PyTypeObject *type)


@cython.final
cdef class _Option:
    """``sock.<name>``: reads and writes one socket option (a data descriptor)."""
    cdef readonly int option

    def __cinit__(self, int option):
        self.option = option

    def __get__(self, obj, objtype):
        if obj is None:
            return self
        try:
            return (<_SocketCore>obj)._get_opt(self.option)
        except _errors.ZMQError as e:
            if e.errno == EINVAL or e.errno == EFAULT:  # as pyzmq: a write-only option
                raise AttributeError(f"{_OPTION_NAMES[self.option]} attribute is write-only")
            raise

    def __set__(self, obj, value):
        (<_SocketCore>obj)._set_opt(self.option, value)


cdef dict _OPTION_NAMES = {v: k.upper() for k, v in _SOCK_OPTIONS.items()}


cdef _install_options(type cls, type most_derived):
    """Add to ``cls`` an _Option for every SocketOption name, in lower and in
    upper case, that ``most_derived`` (a subclass) does not already define,
    such as the rcvmore property or Socket's hwm and subscribe().  (SUBSCRIBE
    and UNSUBSCRIBE are left to Socket.__setattr__, which also takes str.)
    Extension types refuse setattr, so this writes the type's dict directly,
    once, at import (end of _sugar.pxi), and tells the type cache."""
    cdef dict d = <dict>(<PyTypeObject *>cls).tp_dict
    for name, option in _SOCK_OPTIONS.items():
        for attr in (name, name.upper()):
            if not hasattr(most_derived, attr) and attr not in ("SUBSCRIBE", "UNSUBSCRIBE"):
                d[attr] = _Option(option)
    PyType_Modified(<PyTypeObject *>cls)


cdef class _EndpointContext:
    """What bind()/connect() return: ``with`` undoes the call on exit."""
    cdef readonly object socket
    cdef readonly str method
    cdef readonly object addr

    def __cinit__(self, socket, method, addr):
        self.socket, self.method, self.addr = socket, method, addr

    def __enter__(self):
        return self.socket

    def __exit__(self, *exc):
        if not self.socket.closed:
            getattr(self.socket, self.method)(self.addr)
