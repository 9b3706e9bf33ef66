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
        if self in _thread_sched:
            _check_thread_sched(self)  # the first socket starts the I/O threads
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

        Calls waiting on those sockets in other threads raise
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
        if 3 <= option <= 8:
            _check_thread_option(self, option, value)  # before libzmq sees it
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


# libzmq 4.3.x applies the I/O threads' scheduling options when it starts them
# (the first socket) and asserts on any failure (src/thread.cpp:345
# pthread_setschedparam, :372 pthread_setaffinity_np): a policy whose priority
# is out of range, one this process may not use, or a CPU outside its
# affinity mask aborts the process later, far from the call that caused it.
# A priority with a non-real-time policy makes it call nice(-20), asserted
# too (fails without CAP_SYS_NICE; zeromq/libzmq #4512, fixed in PR #4558
# after 4.3.4; #4563 is the same abort from pthread_getschedparam).  zmqx tries
# the resulting setting on a throwaway thread first and raises here instead.
cdef object _thread_sched = _weakref.WeakKeyDictionary()  # ctx -> [policy, priority]


cdef int _check_thread_option(Context ctx, int option, int value) except -1:
    """CPU affinity now; policy and priority are recorded and tried together
    before the context's first socket (_check_thread_sched)."""
    if not hasattr(_os, "sched_setscheduler"):  # not Linux: libzmq sets none of these
        return 0
    if option == 7 and value not in _os.sched_getaffinity(0):  # THREAD_AFFINITY_CPU_ADD
        raise ValueError(f"CPU {value} is not one this process may run on "
                         f"({sorted(_os.sched_getaffinity(0))}): libzmq 4.3 would abort "
                         "starting its I/O threads")
    if option == 3 or option == 4:  # THREAD_PRIORITY, THREAD_SCHED_POLICY
        _thread_sched.setdefault(ctx, [-1, -1])[option == 3] = value
    return 0


cdef int _check_thread_sched(Context ctx) except -1:
    policy, priority = _thread_sched.pop(ctx)
    failure = []

    def attempt():  # what libzmq's thread_t::applySchedulingParameters does
        try:
            pol = policy if policy != -1 else _os.sched_getscheduler(0)
            if pol in (_os.SCHED_FIFO, _os.SCHED_RR):
                prio = priority if priority != -1 else _os.sched_getparam(0).sched_priority
            else:
                prio = 0
                if priority != -1:
                    _os.nice(-20)
            _os.sched_setscheduler(0, pol, _os.sched_param(prio))
        except (OSError, OverflowError, ValueError) as e:
            failure.append(e)

    t = _threading.Thread(target=attempt, daemon=True)
    t.start()
    t.join()
    if failure:
        _thread_sched[ctx] = [policy, priority]  # still wrong: refuse every socket
        err = getattr(failure[0], "errno", None) or 22  # EINVAL
        raise _exception_for_errno(err)(
            err, f"thread scheduling policy {policy} with priority {priority} is refused "
            f"here ({failure[0]}): libzmq 4.3 would abort starting its I/O threads; "
            "change THREAD_SCHED_POLICY/THREAD_PRIORITY")
    return 0
