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


def strerror(int errnum):
    """libzmq's text for an errno value (including its own, such as ETERM)."""
    return lz.zmq_strerror(errnum).decode("utf-8", "replace")


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
    """The Z85 public key of a Z85 secret key."""
    cdef char public[41]
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    if len(secret_key) != 40:
        raise ValueError("secret_key must be 40 bytes of Z85")
    _check_rc(lz.zmq_curve_public(public, secret_key))
    return public[:40]


def z85_encode(data):
    """Z85-encode ``data`` (length a multiple of 4)."""
    cdef bytes raw = bytes(data)
    if len(raw) % 4:
        raise ValueError("Z85 input length must be a multiple of 4")
    cdef bytearray out = bytearray(len(raw) * 5 // 4 + 1)
    if lz.zmq_z85_encode(<char *>out, <const uint8_t *><char *>raw, len(raw)) == NULL:
        _raise_errno(lz.zmq_errno())
    return bytes(out[:len(out) - 1])


def z85_decode(text):
    """Decode Z85 ``text`` (length a multiple of 5)."""
    cdef bytes raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
    if len(raw) % 5:
        raise ValueError("Z85 input length must be a multiple of 5")
    cdef bytearray out = bytearray(len(raw) * 4 // 5)
    if lz.zmq_z85_decode(<uint8_t *><char *>out, raw) == NULL:
        _raise_errno(lz.zmq_errno())
    return bytes(out)
