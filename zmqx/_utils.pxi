# SPDX-License-Identifier: BSD-3-Clause
# _utils.pxi -- library-level functions: version, capabilities, errors, CURVE/Z85.


def zmq_version_info():
    """libzmq's version as (major, minor, patch)."""
    cdef int major = 0, minor = 0, patch = 0
    lz.zmq_version(&major, &minor, &patch)
    return (major, minor, patch)


def zmq_version():
    """libzmq's version as "major.minor.patch"."""
    return "%d.%d.%d" % zmq_version_info()


def has(capability):
    """Whether libzmq supports ``capability`` ("ipc", "curve", "draft", ...)."""
    b = capability.encode() if isinstance(capability, str) else capability
    return bool(lz.zmq_has(b))


def strerror(int errno):
    """libzmq's text for an errno value (including its own, such as ETERM)."""
    return lz.zmq_strerror(errno).decode("utf-8", "replace")


def zmq_errno():
    """The calling thread's last libzmq errno."""
    return lz.zmq_errno()


def curve_keypair():
    """A new CURVE key pair as (public, secret), each 40 bytes of Z85."""
    cdef char public[41]
    cdef char secret[41]
    _check_rc(lz.zmq_curve_keypair(public, secret))
    return public[:40], secret[:40]


def curve_public(secret_key):
    """The Z85 public key of a Z85 secret key (40 characters, str or bytes)."""
    cdef char public[41]
    cdef bytes text = _z85_text(secret_key, "secret_key")
    if len(text) != 40:
        raise ValueError(f"secret_key must be 40 Z85 characters, not {len(text)}")
    _check_rc(lz.zmq_curve_public(public, text))
    return public[:40]


# Z85's alphabet (ZMQ RFC 32): _Z85_OK[c] is 1 for the 85 characters in it.
cdef bytes _Z85_CHARS = (b"0123456789abcdefghijklmnopqrstuvwxyz"
                         b"ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
cdef unsigned char _Z85_OK[256]
_Z85_OK[:] = [1 if c in _Z85_CHARS else 0 for c in range(256)]


cdef bytes _z85_text(text, str what):
    """``text`` (str or bytes-like) as bytes of Z85 characters, checked: a
    TypeError for other types, a ValueError for a character outside the
    alphabet (NUL included, which would end libzmq's C string early)."""
    cdef bytes raw
    cdef const unsigned char *p
    cdef Py_ssize_t i
    if isinstance(text, str):
        try:
            raw = (<str>text).encode("ascii")
        except UnicodeEncodeError:
            raise ValueError(f"{what} must be ASCII Z85 text") from None
    elif isinstance(text, bytes):
        raw = <bytes>text
    elif PyObject_CheckBuffer(text):
        raw = bytes(memoryview(text).cast("B"))
    else:
        raise TypeError(f"{what} must be str or bytes, not {type(text).__name__}")
    p = <const unsigned char *>PyBytes_AS_STRING(raw)
    for i in range(PyBytes_GET_SIZE(raw)):
        if not _Z85_OK[p[i]]:
            raise ValueError(f"{what} has {chr(p[i])!r} at {i}: not a Z85 character")
    return raw


def z85_encode(data):
    """Z85-encode the bytes-like ``data`` (length a multiple of 4)."""
    cdef Py_buffer view
    if isinstance(data, str) or not PyObject_CheckBuffer(data):
        raise TypeError(f"z85_encode needs a bytes-like object, not {type(data).__name__}")
    PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
    try:
        if view.len % 4:
            raise ValueError(f"Z85 input length must be a multiple of 4, not {view.len}")
        if view.len == 0:
            return b""
        out = PyBytes_FromStringAndSize(NULL, view.len * 5 // 4 + 1)
        if lz.zmq_z85_encode(PyBytes_AS_STRING(out), <const uint8_t *>view.buf,
                             view.len) == NULL:
            _raise_errno(lz.zmq_errno())
        return out[:view.len * 5 // 4]
    finally:
        PyBuffer_Release(&view)


def z85_decode(text):
    """Decode Z85 ``text`` (str or bytes-like; length a multiple of 5)."""
    cdef bytes raw = _z85_text(text, "Z85 text")
    if len(raw) % 5:
        raise ValueError(f"Z85 input length must be a multiple of 5, not {len(raw)}")
    if not raw:
        return b""
    out = PyBytes_FromStringAndSize(NULL, len(raw) * 4 // 5)
    if lz.zmq_z85_decode(<uint8_t *>PyBytes_AS_STRING(out), raw) == NULL:
        _raise_errno(lz.zmq_errno())
    return out
