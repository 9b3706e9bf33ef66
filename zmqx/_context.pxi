# SPDX-License-Identifier: BSD-3-Clause
# _context.pxi -- Context: owns a libzmq context, makes sockets, terminates.

cdef dict _instances = {}   # Context.instance(): class -> (pid, context)
cdef object _instance_lock = _threading.Lock()
cdef dict _CTX_OPTIONS = {k.lower(): int(v) for k, v in _constants.ContextOption.__members__.items()}
cdef dict _SOCK_OPTIONS = {k.lower(): int(v) for k, v in _constants.SocketOption.__members__.items()}


# --- attribute helpers (Context and Socket) ---------------------------------

from types import GenericAlias as _GenericAlias
import warnings as _warnings
from cpython.ref cimport Py_XDECREF

cdef extern from "Python.h":
    PyObject *_PyType_Lookup(type t, object name)   # borrowed; no exception set
    int PY_VERSION_HEX
    PyTypeObject *_type_of "Py_TYPE"(object o)
    void _type_modified "PyType_Modified"(PyTypeObject *type)


cdef inline PyObject **_dict_ptr(object o) noexcept:
    cdef Py_ssize_t offset = _type_of(o).tp_dictoffset
    return <PyObject **>((<char *><PyObject *>o) + offset) if offset > 0 else NULL


cdef void _drop_dict(object o) noexcept:
    """Free the instance dict Cython made eagerly, so method calls take the
    interpreter's fast path: with no dict at all on CPython 3.12+ (the
    LAZY_DICT specialisation; CPython makes the dict on the first attribute
    set), but with an empty one on 3.11 (LOAD_METHOD_WITH_DICT; no dict
    defeats it), so 3.11 keeps Cython's."""
    cdef PyObject **p = _dict_ptr(o)
    cdef PyObject *d
    if 0x030B0000 <= PY_VERSION_HEX < 0x030C0000:
        return
    if p != NULL and p[0] != NULL:
        d = p[0]
        p[0] = NULL
        Py_XDECREF(d)


cdef object _obj_dict(object o):
    cdef PyObject **p = _dict_ptr(o)
    return <object>p[0] if p != NULL and p[0] != NULL else {}


cdef bint _in_dict(object o, name):
    return name in _obj_dict(o)


cdef bint _declared(type cls, str name):
    """Whether a class in cls's MRO annotates ``name`` (pyzmq lets those be set)."""
    return any(name in getattr(c, "__annotations__", {}) for c in cls.__mro__)


cdef _set_type_attr(type cls, str name, value):
    """cls.name = value for an extension type (see _install_options)."""
    (<dict>(<PyTypeObject *>cls).tp_dict)[name] = value
    _type_modified(<PyTypeObject *>cls)


cdef inline int _check_alive(Context ctx) except -1:
    """get()/set() on a terminated context: RuntimeError, as pyzmq."""
    if ctx.handle == NULL:
        raise RuntimeError("Context has been destroyed")
    return 0


cdef class Context:
    """Context(io_threads=1, shadow=0)
--

A libzmq context: I/O threads plus the sockets made from it.

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

    _socket_class = None  # Socket, set at the end of _sugar.pxi; subclasses may override

    def __cinit__(self, *args, **kwargs):
        self.handle = NULL
        self._sockopts = {}
        self._sockets = _weakref.WeakSet()
        self._pid = zmqx_getpid()

    def __init__(self, io_threads=1, shadow=0):
        cdef int n
        if self.handle != NULL:
            return
        if isinstance(io_threads, Context):  # Context(other): a shadow, as pyzmq
            shadow, io_threads = io_threads, 1
        if shadow:
            if isinstance(shadow, Context):
                self._shadow_obj = shadow  # keeps the handle alive while we use it
                shadow = (<Context>shadow).underlying
            self.handle = <void *><size_t>shadow
            self._shadow = True
        else:
            n = io_threads
            self.handle = _check_ptr(lz.zmq_ctx_new())
            ZMQX_DBG_ADD(ZMQX_DBG_CONTEXTS, 1)
            if n != 1:
                _check_rc(lz.zmq_ctx_set(self.handle, lz.ZMQ_IO_THREADS, n))

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
        """Wrap a context made elsewhere (a Context, or its address as an int);
        never terminated here."""
        return cls(shadow=address)

    @classmethod
    def shadow_pyczmq(cls, ctx):
        """Wrap a pyczmq ``zctx`` (needs the pyczmq package, as in pyzmq)."""
        from pyczmq import zctx
        return cls(shadow=int(zctx.underlying(ctx)))

    def __copy__(self, memo=None):
        """A shadow of this context, as pyzmq."""
        return type(self).shadow(self)

    __deepcopy__ = __copy__

    @classmethod
    def __class_getitem__(cls, item):
        """``Context[Socket]``, as pyzmq's generic Context (for annotations)."""
        return _GenericAlias(cls, item)

    @property
    def sockopts(self):
        """The default socket options (option -> value) for new sockets."""
        return self._sockopts

    @sockopts.setter
    def sockopts(self, dict value):
        self._sockopts = value

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

    def socket(self, socket_type, socket_class=None, **kwargs):
        """A new socket of ``socket_type``, with the context's default options applied.

        ``socket_class`` (default: the class attribute ``_socket_class``) makes
        it; other keyword arguments go to its constructor.
        """
        self._check_open()  # ContextTerminated: a ZMQError, as pyzmq's ENOTSUP
        if self in _thread_sched:
            _check_thread_sched(self)  # the first socket starts the I/O threads
        if socket_class is None:
            socket_class = self._socket_class
        s = socket_class(self, socket_type, **kwargs)
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
        _check_alive(self)
        cdef int rc = lz.zmq_ctx_get(self.handle, option)
        _check_rc(rc)
        return rc

    def set(self, int option, optval):
        """Set a context option (an int)."""
        _check_alive(self)
        if not isinstance(optval, int):
            raise TypeError(f"expected int, got: {optval!r}")
        if 3 <= option <= 8:
            _check_thread_option(self, option, optval)  # before libzmq sees it
        _check_rc(lz.zmq_ctx_set(self.handle, option, optval))

    def setsockopt(self, opt, value):
        """Set a default socket option for sockets made from now on."""
        self._sockopts[opt] = value

    def getsockopt(self, opt):
        """A default socket option set with setsockopt()."""
        return self._sockopts[opt]

    # Attributes, as pyzmq: context options and default socket options in any
    # case (ctx.IO_THREADS, ctx.linger = 0), other names as ordinary
    # attributes (ctx.name = ...) except unknown all-upper-case ones.

    def __getattr__(self, str name):  # only for names not found the usual way
        key = name.lower()
        if key in _CTX_OPTIONS:
            return self.get(_CTX_OPTIONS[key])
        if key in _SOCK_OPTIONS:
            if _SOCK_OPTIONS[key] in self._sockopts:
                return self._sockopts[_SOCK_OPTIONS[key]]
            raise AttributeError(name.upper())
        raise AttributeError(f"{type(self).__name__} has no such option: {name.upper()}")

    def __setattr__(self, str name, value):
        key = name.lower()
        if _PyType_Lookup(type(self), name) != NULL or _in_dict(self, name):
            PyObject_GenericSetAttr(self, name, value)
        elif key in _CTX_OPTIONS:
            self.set(_CTX_OPTIONS[key], value)
        elif key in _SOCK_OPTIONS:
            self._sockopts[_SOCK_OPTIONS[key]] = value
        elif name.isupper() and not _declared(type(self), name):
            raise AttributeError(f"{type(self).__name__} has no such option: {name.upper()}")
        else:
            PyObject_GenericSetAttr(self, name, value)

    def __delattr__(self, str name):
        key = name.lower()
        if _in_dict(self, name):
            del _obj_dict(self)[name]
        elif key in _SOCK_OPTIONS:
            if _SOCK_OPTIONS[key] not in self._sockopts:
                raise AttributeError(name.upper())
            del self._sockopts[_SOCK_OPTIONS[key]]
        else:
            raise AttributeError(f"No such socket option: {name.upper()!r}")

    def __dir__(self):
        return sorted(set(dir(type(self))) | set(_constants.ContextOption.__members__)
                      | set(_obj_dict(self)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()

    def __repr__(self):
        cls = type(self)
        name = "zmqx.Context" if cls is Context else f"{cls.__module__}.{cls.__name__}"
        n = sum(1 for s in self._sockets if not s.closed)
        sockets = f"{n} socket{'s' if n > 1 else ''}" if n else ""
        closed = " closed" if self.handle == NULL else ""
        return f"<{name}({sockets}) at {id(self):#x}{closed}>"


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
