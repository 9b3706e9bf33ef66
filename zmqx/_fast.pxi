# SPDX-License-Identifier: BSD-3-Clause
# _fast.pxi -- C entry points for the two calls hot loops make most:
# ``sock.send(data)`` and ``sock.recv()``.
#
# Cython's wrapper of ``def send(self, data, int flags=0, ...)`` unpacks all six
# parameters on every call (about 90 instructions under callgrind, before any
# work).  The entries here are METH_FASTCALL methods that serve the common
# shapes directly -- positional data (not a Frame: that returns its tracker)
# and flags, nothing else -- and pass every other call unchanged to the full
# ``def`` method, which stays the one definition of the API (signature,
# defaults, errors).  They are installed once,
# at import, over those names in _SocketCore's dict; subclasses that define
# their own send/recv (the asyncio socket) are unaffected.

ctypedef object (*_fastcall)(object self, PyObject **args, Py_ssize_t nargs,
                             PyObject *kwnames)

cdef extern from "Python.h":
    ctypedef struct PyMethodDef:
        const char *ml_name
        void *ml_meth
        int ml_flags
        const char *ml_doc
    ctypedef struct PyMethodDescrObject:
        PyMethodDef *d_method
    enum:
        METH_FASTCALL
        METH_KEYWORDS
    object PyDescr_NewMethod(type cls, PyMethodDef *meth)
    PyTypeObject PyMethodDescr_Type
    PyTypeObject *Py_TYPE(object o)

cdef _fastcall _full_send, _full_recv  # the def methods' C functions, for other calls
cdef PyMethodDef _fast_defs[2]
cdef list _fast_strings = []           # owns ml_name and ml_doc


cdef object _send_entry(object self, PyObject **args, Py_ssize_t nargs, PyObject *kwnames):
    cdef int flags = 0
    if kwnames == NULL and 1 <= nargs <= 2:
        data = <object>args[0]
        if type(data) is bytes or not isinstance(data, Frame):  # a Frame returns its tracker
            if nargs == 2:
                flags = <object>args[1]
            (<_SocketCore>self)._send_frame(data, flags, True, None)
            return None
    return _full_send(self, args, nargs, kwnames)


cdef object _recv_entry(object self, PyObject **args, Py_ssize_t nargs, PyObject *kwnames):
    cdef int flags = 0
    if kwnames == NULL and nargs <= 1:
        if nargs == 1:
            flags = <object>args[0]
        return (<_SocketCore>self)._recv_frame(flags, True, NULL, True)
    return _full_recv(self, args, nargs, kwnames)


cdef _fastcall _install_fast(type cls, int i, str name, void *entry) except NULL:
    """Make entry cls's method ``name``, documented as the def method it
    replaces; return that method's C function."""
    cdef dict d = <dict>(<PyTypeObject *>cls).tp_dict
    cdef PyMethodDef *meth
    full = d[name]
    if Py_TYPE(full) is not &PyMethodDescr_Type:
        raise SystemError(f"{name}: not a method descriptor (built with binding=True?)")
    meth = (<PyMethodDescrObject *>full).d_method
    if meth.ml_flags != METH_FASTCALL | METH_KEYWORDS:
        raise SystemError(f"{name}: not a METH_FASTCALL|METH_KEYWORDS method")
    cname = name.encode()
    doc = f"{name}{full.__text_signature__}\n--\n\n{full.__doc__}".encode()
    _fast_strings.extend((cname, doc))
    _fast_defs[i].ml_name = PyBytes_AS_STRING(cname)
    _fast_defs[i].ml_meth = entry
    _fast_defs[i].ml_flags = METH_FASTCALL | METH_KEYWORDS
    _fast_defs[i].ml_doc = PyBytes_AS_STRING(doc)
    d[name] = PyDescr_NewMethod(cls, &_fast_defs[i])
    PyType_Modified(<PyTypeObject *>cls)
    return <_fastcall><void *>meth.ml_meth  # via void *: PyCFunction is not its real type


cdef _install_fast_entries(type cls):
    global _full_send, _full_recv
    _full_send = _install_fast(cls, 0, "send", <void *>_send_entry)
    _full_recv = _install_fast(cls, 1, "recv", <void *>_recv_entry)


_install_fast_entries(_SocketCore)
