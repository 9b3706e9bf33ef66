# SPDX-License-Identifier: BSD-3-Clause
# _zap.pxi -- the ZAP handler's compiled hot path (zmqx.auth's engine).
#
# zmqx.auth.base compiles an Authenticator's fixed policy (allow/deny lists by
# IP, CURVE keys per domain or CURVE_ALLOW_ANY, PLAIN passwords) into a
# _ZapPolicy: sorted C tables searched without the GIL.  _ZapCore.serve() then
# answers ZAP requests (RFC 27) straight from libzmq frames to the reply, no
# Python call per handshake.  A request the tables cannot decide (a credentials
# callback, GSSAPI, non-ASCII names, a malformed request, a subclass that
# overrides the handler) is handed back to Python as a list of bytes, for
# Authenticator.handle_zap_message -- whose behaviour the tables reproduce.
#
# Invariants:
# * a _ZapPolicy is immutable; its tables point into bytes it keeps alive.
# * the policy in use is swapped only with the GIL held, between requests:
#   set_policy() bumps a generation the nogil loop reads atomically.
# * the REP socket is always left ready to receive: every request taken in C
#   is either answered in C or handed to Python, whose handler replies.

cdef extern from "zmqx_zc.h":    # zmqx_atomic_load is declared in _frame.pxi
    int zmqx_atomic_add(int *p, int v) noexcept nogil

from cpython.mem cimport PyMem_Malloc, PyMem_Free
from libc.string cimport memcmp, memset, strlen

cdef enum:
    _ZAP_MAX_FRAMES = 8     # 6 header frames + up to 2 credentials (PLAIN)
    _ZAP_IP_NONE = 0
    _ZAP_IP_ALLOW = 1
    _ZAP_IP_DENY = 2
    # what _zap_serve returned
    _ZAP_PYTHON = 1         # a request for Python is in the frames
    _ZAP_PIPE = 2           # the control pipe has a message
    _ZAP_IDLE = 3           # nothing queued (non-blocking serve)
    _ZAP_NEW_POLICY = 4     # set_policy() was called: swap, then go on
    _ZAP_ERROR = 5          # a libzmq error: zmq_errno() says which


cdef struct _zap_entry:
    const char *data
    Py_ssize_t size


cdef struct _zap_table:
    _zap_entry *entries
    Py_ssize_t n


cdef struct _zap_policy:
    bint python_only        # every request goes to Python
    int ip_mode
    bint allow_any          # CURVE_ALLOW_ANY (pyzmq: for every domain)
    bint curve_python       # CURVE decided by a credentials callback
    bint plain_python       # PLAIN not compiled
    bint have_passwords
    _zap_table ips          # addresses
    _zap_table curve_domains   # domain
    _zap_table curve_keys      # domain NUL key(32 raw bytes)
    _zap_table plain_domains   # domain
    _zap_table plain_users     # domain NUL user
    _zap_table plain_creds     # domain NUL user NUL password


cdef int _zap_cmp(const char *a, Py_ssize_t na, const char *b, Py_ssize_t nb) noexcept nogil:
    """bytes ordering (as Python sorts them)."""
    cdef int c = memcmp(a, b, na if na < nb else nb)
    if c:
        return c
    return (na > nb) - (na < nb)


cdef bint _zap_has(const _zap_table *t, const char *p, Py_ssize_t n) noexcept nogil:
    """Binary search of the sorted table."""
    cdef Py_ssize_t lo = 0, hi = t.n, mid
    cdef int c
    while lo < hi:
        mid = (lo + hi) // 2
        c = _zap_cmp(t.entries[mid].data, t.entries[mid].size, p, n)
        if c == 0:
            return True
        if c < 0:
            lo = mid + 1
        else:
            hi = mid
    return False


cdef class _ZapPolicy:
    """A compiled, immutable ZAP policy (built by zmqx.auth.base).

    ``ip_mode`` 0/1/2 (none/allow/deny) over ``ips``; ``curve`` maps a domain
    (bytes) to its allowed raw 32-byte keys; ``passwords`` maps a domain to
    {user: password} (bytes), None when PLAIN is not compiled.
    """
    cdef _zap_policy p
    cdef list _keep          # the bytes the tables point into

    def __cinit__(self):
        memset(&self.p, 0, sizeof(self.p))
        self._keep = []

    def __init__(self, bint python_only=False, int ip_mode=_ZAP_IP_NONE, ips=(),
                 bint allow_any=False, bint curve_python=False, curve=None,
                 passwords=None, bint have_passwords=False):
        if self._keep:
            raise TypeError("a _ZapPolicy is immutable")
        self.p.python_only = python_only
        self.p.ip_mode = ip_mode
        self.p.allow_any = allow_any
        self.p.curve_python = curve_python
        self.p.plain_python = passwords is None
        self.p.have_passwords = have_passwords
        curve = curve or {}
        self._fill(&self.p.ips, ips)
        self._fill(&self.p.curve_domains, curve)
        self._fill(&self.p.curve_keys, [d + b"\0" + k for d, keys in curve.items()
                                        for k in keys])
        passwords = passwords or {}
        self._fill(&self.p.plain_domains, passwords)
        self._fill(&self.p.plain_users, [d + b"\0" + u for d, users in passwords.items()
                                         for u in users])
        self._fill(&self.p.plain_creds, [d + b"\0" + u + b"\0" + pw
                                         for d, users in passwords.items()
                                         for u, pw in users.items()])

    cdef _fill(self, _zap_table *t, items):
        cdef list keys = sorted({bytes(x) for x in items})
        cdef Py_ssize_t i
        self._keep.append(keys)
        t.n = len(keys)
        t.entries = <_zap_entry *>PyMem_Malloc(max(t.n, 1) * sizeof(_zap_entry))
        if t.entries == NULL:
            raise MemoryError()
        for i in range(t.n):
            t.entries[i].data = PyBytes_AS_STRING(keys[i])
            t.entries[i].size = PyBytes_GET_SIZE(keys[i])

    def __dealloc__(self):
        PyMem_Free(self.p.ips.entries)
        PyMem_Free(self.p.curve_domains.entries)
        PyMem_Free(self.p.curve_keys.entries)
        PyMem_Free(self.p.plain_domains.entries)
        PyMem_Free(self.p.plain_users.entries)
        PyMem_Free(self.p.plain_creds.entries)


cdef inline bint _zap_plain_text(lz.zmq_msg_t *m) noexcept nogil:
    """ASCII without NUL: where bytes and the decoded str compare alike."""
    cdef const unsigned char *p = <const unsigned char *>lz.zmq_msg_data(m)
    cdef size_t i
    for i in range(lz.zmq_msg_size(m)):
        if p[i] == 0 or p[i] >= 0x80:
            return False
    return True


cdef inline bint _zap_is(lz.zmq_msg_t *m, const char *text, size_t n) noexcept nogil:
    return lz.zmq_msg_size(m) == n and memcmp(lz.zmq_msg_data(m), text, n) == 0


cdef Py_ssize_t _zap_join(char *buf, lz.zmq_msg_t *a, lz.zmq_msg_t *b,
                          lz.zmq_msg_t *c) noexcept nogil:
    """``a`` (or "*" when empty) NUL ``b`` [NUL ``c``] into buf: a table key."""
    cdef Py_ssize_t n = lz.zmq_msg_size(a)
    if n == 0:
        buf[0] = b'*'
        n = 1
    else:
        memcpy(buf, lz.zmq_msg_data(a), n)
    buf[n] = 0
    memcpy(buf + n + 1, lz.zmq_msg_data(b), lz.zmq_msg_size(b))
    n += 1 + lz.zmq_msg_size(b)
    if c != NULL:
        buf[n] = 0
        memcpy(buf + n + 1, lz.zmq_msg_data(c), lz.zmq_msg_size(c))
        n += 1 + lz.zmq_msg_size(c)
    return n


cdef int _zap_reply(void *h, lz.zmq_msg_t *request_id, const char *code, const char *text,
                    const char *user, size_t user_size) noexcept nogil:
    """Send the six frames of a ZAP reply; libzmq's rc."""
    if lz.zmq_send(h, b"1.0", 3, lz.ZMQ_SNDMORE) < 0:
        return -1
    if lz.zmq_send(h, lz.zmq_msg_data(request_id), lz.zmq_msg_size(request_id),
                   lz.ZMQ_SNDMORE) < 0:
        return -1
    if lz.zmq_send(h, code, 3, lz.ZMQ_SNDMORE) < 0:
        return -1
    if lz.zmq_send(h, text, strlen(text), lz.ZMQ_SNDMORE) < 0:
        return -1
    if lz.zmq_send(h, user, user_size, lz.ZMQ_SNDMORE) < 0:
        return -1
    return lz.zmq_send(h, b"", 0, 0)


cdef int _zap_decide(const _zap_policy *p, void *h, lz.zmq_msg_t *f, int n) noexcept nogil:
    """Answer the request in ``f[0:n]`` as Authenticator.handle_zap_message
    would: 0 when answered, _ZAP_PYTHON when only Python can, -1 on error."""
    cdef bint allowed = False, denied = False
    cdef const char *reason = b"NO ACCESS"
    cdef const char *user = b"anonymous"
    cdef size_t user_size = 9
    cdef char key[800]          # domain (<= 255) NUL user (<= 255) NUL password (<= 255)
    cdef char z85[41]
    cdef Py_ssize_t k
    cdef int i
    if p.python_only or n < 6 or n > 8 or not _zap_is(&f[0], b"1.0", 3):
        return _ZAP_PYTHON
    for i in range(n):
        if lz.zmq_msg_size(&f[i]) > 255:
            return _ZAP_PYTHON
    if not (_zap_plain_text(&f[2]) and _zap_plain_text(&f[3])):
        return _ZAP_PYTHON      # pyzmq decodes these with errors="replace"
    if p.ip_mode == _ZAP_IP_ALLOW:
        if _zap_has(&p.ips, <char *>lz.zmq_msg_data(&f[3]), lz.zmq_msg_size(&f[3])):
            allowed = True
        else:
            denied = True
            reason = b"Address not allowed"
    elif p.ip_mode == _ZAP_IP_DENY:
        if _zap_has(&p.ips, <char *>lz.zmq_msg_data(&f[3]), lz.zmq_msg_size(&f[3])):
            denied = True
            reason = b"Address denied"
        else:
            allowed = True
    if not denied:
        if _zap_is(&f[5], b"NULL", 4):
            allowed = True
        elif _zap_is(&f[5], b"PLAIN", 5):
            if p.plain_python or n != 8 or not (_zap_plain_text(&f[6])
                                                 and _zap_plain_text(&f[7])):
                return _ZAP_PYTHON
            allowed = False
            reason = b""
            k = _zap_join(key, &f[2], &f[6], NULL)
            if not p.have_passwords:
                reason = b"No passwords defined"
            elif not _zap_has(&p.plain_domains, key, k - 1 - lz.zmq_msg_size(&f[6])):
                reason = b"Invalid domain"
            elif not _zap_has(&p.plain_users, key, k):
                reason = b"Invalid username"
            elif _zap_has(&p.plain_creds, key, _zap_join(key, &f[2], &f[6], &f[7])):
                allowed = True
                user = <char *>lz.zmq_msg_data(&f[6])
                user_size = lz.zmq_msg_size(&f[6])
            else:
                reason = b"Invalid password"
        elif _zap_is(&f[5], b"CURVE", 5):
            if n != 7 or lz.zmq_msg_size(&f[6]) != 32 or (p.curve_python and not p.allow_any):
                return _ZAP_PYTHON
            allowed = False
            reason = b""
            if p.allow_any:
                allowed = True
            else:
                k = _zap_join(key, &f[2], &f[6], NULL)
                if not _zap_has(&p.curve_domains, key, k - 33):
                    reason = b"Unknown domain"
                elif _zap_has(&p.curve_keys, key, k):
                    allowed = True
                else:
                    reason = b"Unknown key"
            if allowed:
                lz.zmq_z85_encode(z85, <const uint8_t *>lz.zmq_msg_data(&f[6]), 32)
                user = z85
                user_size = 40
        elif _zap_is(&f[5], b"GSSAPI", 6):
            return _ZAP_PYTHON
    if allowed:
        return _zap_reply(h, &f[1], b"200", b"OK", user, user_size)
    return _zap_reply(h, &f[1], b"400", reason, b"", 0)


cdef class _ZapCore:
    """Serves the ZAP socket of one Authenticator with a compiled policy.

    ``serve()`` runs in the authenticator's thread (or its event loop); the
    policy is replaced from any thread with ``set_policy()``.
    """
    cdef _SocketCore zap
    cdef _ZapPolicy _current, _next
    cdef int _generation, _seen
    cdef lz.zmq_msg_t frames[_ZAP_MAX_FRAMES]
    cdef int nframes
    cdef public unsigned long answered   # requests answered in C (tests, stats)

    def __cinit__(self):
        self.nframes = 0

    def __init__(self, _SocketCore zap, _ZapPolicy policy):
        self.zap = zap
        self._current = self._next = policy

    def set_policy(self, _ZapPolicy policy):
        self._next = policy
        zmqx_atomic_add(&self._generation, 1)

    def serve(self, _SocketCore pipe=None, bint block=True):
        """Answer the requests the policy decides.  Return the first request
        only Python can answer (a list of bytes frames), or None: ``pipe`` has
        a message (left unread), or (``block=False``) nothing is queued."""
        cdef int rc, err
        cdef void *pipe_h = NULL
        cdef void *h
        cdef const _zap_policy *policy
        self.zap._check_open()
        h = self.zap.handle
        if pipe is not None:
            pipe._check_open()
            pipe_h = pipe.handle
        while True:
            self._seen = zmqx_atomic_load(&self._generation)   # before reading _next
            self._current = self._next
            policy = &self._current.p
            if block:
                with nogil:
                    rc = self._serve(policy, h, pipe_h, True)
            else:
                rc = self._serve(policy, h, pipe_h, False)
            if rc == _ZAP_NEW_POLICY:
                continue
            if rc == _ZAP_PYTHON:
                return self._take_frames()
            if rc == _ZAP_ERROR:
                err = lz.zmq_errno()
                if err == EINTR:
                    PyErr_CheckSignals()
                    continue
                _raise_errno(err)
            return None

    cdef int _serve(self, const _zap_policy *policy, void *h, void *pipe_h,
                    bint block) noexcept nogil:
        cdef lz.zmq_pollitem_t items[2]
        cdef int rc, more, events
        cdef size_t size = sizeof(int)
        while True:
            if pipe_h != NULL:
                if lz.zmq_getsockopt(pipe_h, lz.ZMQ_EVENTS, &events, &size) < 0:
                    return _ZAP_ERROR
                if events & lz.ZMQ_POLLIN:
                    return _ZAP_PIPE
            if zmqx_atomic_load(&self._generation) != self._seen:
                return _ZAP_NEW_POLICY
            lz.zmq_msg_init(&self.frames[0])
            if lz.zmq_msg_recv(&self.frames[0], h, lz.ZMQ_DONTWAIT) < 0:
                lz.zmq_msg_close(&self.frames[0])
                if lz.zmq_errno() != EAGAIN:
                    return _ZAP_ERROR
                if not block:
                    return _ZAP_IDLE
                items[0].socket = h
                items[0].events = lz.ZMQ_POLLIN
                items[1].socket = pipe_h
                items[1].events = lz.ZMQ_POLLIN
                if lz.zmq_poll(items, 2 if pipe_h != NULL else 1, -1) < 0:
                    return _ZAP_ERROR
                continue
            self.nframes = 1
            more = lz.zmq_msg_more(&self.frames[0])
            while more and self.nframes < _ZAP_MAX_FRAMES:
                lz.zmq_msg_init(&self.frames[self.nframes])
                if lz.zmq_msg_recv(&self.frames[self.nframes], h, 0) < 0:
                    lz.zmq_msg_close(&self.frames[self.nframes])
                    self._close_frames()
                    return _ZAP_ERROR
                more = lz.zmq_msg_more(&self.frames[self.nframes])
                self.nframes += 1
            if more:
                return _ZAP_PYTHON          # too many frames: Python takes the rest
            rc = _zap_decide(policy, h, self.frames, self.nframes)
            if rc == _ZAP_PYTHON:
                return rc
            self._close_frames()
            if rc < 0:
                return _ZAP_ERROR
            self.answered += 1

    cdef void _close_frames(self) noexcept nogil:
        cdef int i
        for i in range(self.nframes):
            lz.zmq_msg_close(&self.frames[i])
        self.nframes = 0

    cdef list _take_frames(self):
        """The pending request as bytes, its remaining frames received."""
        cdef list out = []
        cdef int i
        cdef bint more = False
        cdef lz.zmq_msg_t msg
        for i in range(self.nframes):
            out.append(PyBytes_FromStringAndSize(<char *>lz.zmq_msg_data(&self.frames[i]),
                                                 lz.zmq_msg_size(&self.frames[i])))
            more = lz.zmq_msg_more(&self.frames[i])
        self._close_frames()
        while more:
            lz.zmq_msg_init(&msg)
            if lz.zmq_msg_recv(&msg, self.zap.handle, 0) < 0:
                lz.zmq_msg_close(&msg)
                _raise_errno(lz.zmq_errno())
            out.append(PyBytes_FromStringAndSize(<char *>lz.zmq_msg_data(&msg),
                                                 lz.zmq_msg_size(&msg)))
            more = lz.zmq_msg_more(&msg)
            lz.zmq_msg_close(&msg)
        return out

    def __dealloc__(self):
        self._close_frames()
