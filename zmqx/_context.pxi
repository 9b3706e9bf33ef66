# SPDX-License-Identifier: BSD-3-Clause
# _context.pxi -- Context: owns a libzmq context, makes sockets, terminates.

cdef dict _instances = {}   # Context.instance(): class -> (pid, context)
cdef object _instance_lock = _threading.Lock()
cdef dict _CTX_OPTIONS = {k.lower(): int(v) for k, v in _constants.ContextOption.__members__.items()}
cdef dict _SOCK_OPTIONS = {k.lower(): int(v) for k, v in _constants.SocketOption.__members__.items()}


cdef class Context:
    """A libzmq context: I/O threads plus the sockets made from it.

    Invariants:
    * ``handle`` is NULL exactly when the context is closed (terminated).
    * Every Socket holds a strong reference to its Context, so a Context is
      collected only after all its sockets are; ``_sockets`` (a WeakSet) lets
      ``destroy()`` close the ones still open.
    * Only the process that made the context tears it down (``_pid``): a forked
      child never terms its parent's context.  A collected, unterminated
      context is terminated on a native thread, so collection never blocks on
      LINGER; ``term()`` blocks (without the GIL, interruptible) as libzmq says.
    * A shadow context (``shadow=address``) wraps another binding's context and
      never terminates it.
    """

    _socket_class = None  # set to Socket below; subclasses may override

    def __cinit__(self, *args, **kwargs):
        self.handle = NULL
        self._sockopts = {}
        self._sockets = _weakref.WeakSet()
        self._pid = zmqx_getpid()

    def __init__(self, int io_threads=1, *, shadow=0):
        if self.handle != NULL:
            return
        if shadow:
            self.handle = <void *><size_t>shadow
            self._shadow = True
        else:
            self.handle = _check_ptr(lz.zmq_ctx_new())
            ZMQX_DBG_ADD(ZMQX_DBG_CONTEXTS, 1)
            if io_threads != 1:
                _check_rc(lz.zmq_ctx_set(self.handle, lz.ZMQ_IO_THREADS, io_threads))

    def __dealloc__(self):
        if self.handle != NULL and not self._shadow:
            ZMQX_DBG_ADD(ZMQX_DBG_CONTEXTS, -1)
            if self._pid == zmqx_getpid():
                zmqx_term_async(self.handle)

    @classmethod
    def instance(cls, int io_threads=1):
        """The process-wide shared Context of this class (a new one after fork)."""
        pid = _os.getpid()
        entry = _instances.get(cls)
        if entry is None or entry[0] != pid or entry[1].closed:
            with _instance_lock:
                entry = _instances.get(cls)
                if entry is None or entry[0] != pid or entry[1].closed:
                    entry = _instances[cls] = (pid, cls(io_threads))
        return entry[1]

    @classmethod
    def shadow(cls, address):
        """Wrap a context made elsewhere (its address as an int); never terminated here."""
        return cls(shadow=address)

    @property
    def underlying(self):
        """The address of the libzmq context, as an int."""
        return <size_t>self.handle

    @property
    def closed(self):
        return self.handle == NULL

    cdef int _check_open(self) except -1:
        if self.handle == NULL:
            _raise_errno(lz.ETERM)
        return 0

    def socket(self, int socket_type, **kwargs):
        """A new socket of ``socket_type``, with the context's default options applied."""
        self._check_open()
        cls = self._socket_class if self._socket_class is not None else Socket
        s = cls(self, socket_type, **kwargs)
        for opt, value in self._sockopts.items():
            try:
                s.set(opt, value)
            except _errors.ZMQError:
                pass  # an option that does not apply to this socket type
        return s

    def term(self):
        """Terminate: wait (without the GIL) until every socket is closed and has
        flushed per LINGER.  Ctrl-C interrupts the wait.  Idempotent."""
        if self.handle == NULL:
            return
        if self._shadow or self._pid != zmqx_getpid():
            self.handle = NULL
            return
        _term_wait(self.handle)
        self.handle = NULL
        ZMQX_DBG_ADD(ZMQX_DBG_CONTEXTS, -1)
        zmqx_zc_drain()

    def destroy(self, linger=None):
        """Close every socket of this context (with ``linger`` if given), then term().

        Calls other threads are waiting in on those sockets raise
        ContextTerminated (see _SocketCore.close)."""
        if self.handle == NULL:
            return
        for s in list(self._sockets):
            if not s.closed:
                if (<_SocketCore>s)._waits is not None:
                    (<_Waits>(<_SocketCore>s)._waits).reason = lz.ETERM
                s.close(linger=linger)
        self.term()

    def get(self, int option):
        """A context option (IO_THREADS, MAX_SOCKETS, ...)."""
        self._check_open()
        cdef int rc = lz.zmq_ctx_get(self.handle, option)
        _check_rc(rc)
        return rc

    def set(self, int option, int value):
        """Set a context option."""
        self._check_open()
        _check_rc(lz.zmq_ctx_set(self.handle, option, value))

    def setsockopt(self, int option, value):
        """Set a default socket option for sockets made from now on."""
        self._sockopts[option] = value

    def getsockopt(self, int option):
        """A default socket option set with setsockopt()."""
        return self._sockopts[option]

    def __getattr__(self, str name):
        key = name.lower()
        if key in _CTX_OPTIONS:
            return self.get(_CTX_OPTIONS[key])
        if key in _SOCK_OPTIONS and _SOCK_OPTIONS[key] in self._sockopts:
            return self._sockopts[_SOCK_OPTIONS[key]]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, str name, value):
        key = name.lower()
        if key in _CTX_OPTIONS:
            self.set(_CTX_OPTIONS[key], value)
        elif key in _SOCK_OPTIONS:
            self._sockopts[_SOCK_OPTIONS[key]] = value
        else:
            PyObject_GenericSetAttr(self, name, value)

    def __delattr__(self, str name):
        key = name.lower()
        if key in _SOCK_OPTIONS and _SOCK_OPTIONS[key] in self._sockopts:
            del self._sockopts[_SOCK_OPTIONS[key]]
        else:
            raise AttributeError(f"cannot delete {name!r}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()

    def __repr__(self):
        state = "closed" if self.handle == NULL else f"{len(self._sockets)} socket(s)"
        return f"<{type(self).__module__}.{type(self).__name__} {state} at {id(self):#x}>"
