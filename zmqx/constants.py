# SPDX-License-Identifier: BSD-3-Clause
"""Every libzmq 4.3 constant, grouped in enums; the single source of constant names.

Pure Python, importable without the compiled extension.  Class and member names
are pyzmq's (``zmq.constants``): members carry no ``ZMQ_`` prefix, and every
member (aliases included) is also a module-level name, with a prefix for the
classes whose member names alone would be ambiguous (``Event.CONNECTED`` is
``EVENT_CONNECTED``, ``RouterNotify.CONNECT`` is ``NOTIFY_CONNECT``, ...).

Values are those of libzmq 4.3.4's ``zmq.h``, draft section included.  Draft
names that only appeared in libzmq 4.3.5 (``BUSY_POLL``, ``NORM_*``, ...) carry
4.3.5's values, as pyzmq does.  Whether the linked libzmq accepts a draft value
is the extension's business, not this module's.

``SOCKET_OPTION_TYPES`` tells the extension the C type behind each socket
option; it is not part of the public (pyzmq) namespace.
"""

from __future__ import annotations

import errno as _errno
import sys as _sys
from enum import Enum, IntEnum, IntFlag

# ---------------------------------------------------------------------------
# Plain integers from zmq.h that name a number, not a choice among values.
# ---------------------------------------------------------------------------

HAUSNUMERO = 156384712  # base of the error numbers libzmq defines itself
IO_THREADS_DFLT = 1
MAX_SOCKETS_DFLT = 1023
THREAD_PRIORITY_DFLT = -1
THREAD_SCHED_POLICY_DFLT = -1
POLLITEMS_DFLT = 16
GROUP_MAX_LENGTH = 255  # RADIO/DISH group names, draft API

_PLAIN_INTS = [
    "HAUSNUMERO", "IO_THREADS_DFLT", "MAX_SOCKETS_DFLT", "THREAD_PRIORITY_DFLT",
    "THREAD_SCHED_POLICY_DFLT", "POLLITEMS_DFLT", "GROUP_MAX_LENGTH",
]

# ---------------------------------------------------------------------------
# Error numbers
# ---------------------------------------------------------------------------

# zmq.h defines ENOTSUP..ENETRESET as HAUSNUMERO + n only where <errno.h> lacks
# them.  On POSIX the OS value wins, and Python's errno module has it.  On
# Windows libzmq sees MSVC's <errno.h> (which has them since VS2010), while
# Python's errno module reports the WSA* numbers instead: use MSVC's values.
_MSVC_ERRNO = {
    "ENOTSUP": 129, "EPROTONOSUPPORT": 135, "ENOBUFS": 119, "ENETDOWN": 116,
    "EADDRINUSE": 100, "EADDRNOTAVAIL": 101, "ECONNREFUSED": 107,
    "EINPROGRESS": 112, "ENOTSOCK": 128, "EMSGSIZE": 115, "EAFNOSUPPORT": 102,
    "ENETUNREACH": 118, "ECONNABORTED": 106, "ECONNRESET": 108, "ENOTCONN": 126,
    "ETIMEDOUT": 138, "EHOSTUNREACH": 110, "ENETRESET": 117,
}


def _os_errno(name: str, offset: int) -> int:
    """The value zmq.h gives ``name``: the OS's own, else HAUSNUMERO + offset."""
    if _sys.platform.startswith("win"):
        return _MSVC_ERRNO[name]
    return getattr(_errno, name, HAUSNUMERO + offset)


class Errno(IntEnum):
    """Error numbers libzmq reports (``ZMQError.errno``)."""

    EAGAIN = _errno.EAGAIN
    EFAULT = _errno.EFAULT
    EINVAL = _errno.EINVAL
    EINTR = _errno.EINTR

    ENOTSUP = _os_errno("ENOTSUP", 1)
    EPROTONOSUPPORT = _os_errno("EPROTONOSUPPORT", 2)
    ENOBUFS = _os_errno("ENOBUFS", 3)
    ENETDOWN = _os_errno("ENETDOWN", 4)
    EADDRINUSE = _os_errno("EADDRINUSE", 5)
    EADDRNOTAVAIL = _os_errno("EADDRNOTAVAIL", 6)
    ECONNREFUSED = _os_errno("ECONNREFUSED", 7)
    EINPROGRESS = _os_errno("EINPROGRESS", 8)
    ENOTSOCK = _os_errno("ENOTSOCK", 9)
    EMSGSIZE = _os_errno("EMSGSIZE", 10)
    EAFNOSUPPORT = _os_errno("EAFNOSUPPORT", 11)
    ENETUNREACH = _os_errno("ENETUNREACH", 12)
    ECONNABORTED = _os_errno("ECONNABORTED", 13)
    ECONNRESET = _os_errno("ECONNRESET", 14)
    ENOTCONN = _os_errno("ENOTCONN", 15)
    ETIMEDOUT = _os_errno("ETIMEDOUT", 16)
    EHOSTUNREACH = _os_errno("EHOSTUNREACH", 17)
    ENETRESET = _os_errno("ENETRESET", 18)

    # libzmq's own error numbers
    EFSM = HAUSNUMERO + 51
    ENOCOMPATPROTO = HAUSNUMERO + 52
    ETERM = HAUSNUMERO + 53
    EMTHREAD = HAUSNUMERO + 54


# ---------------------------------------------------------------------------
# Contexts, sockets, messages
# ---------------------------------------------------------------------------


class ContextOption(IntEnum):
    """Options for ``Context.get`` / ``Context.set`` (all of C type int)."""

    IO_THREADS = 1
    MAX_SOCKETS = 2
    SOCKET_LIMIT = 3
    THREAD_PRIORITY = 3  # same value as SOCKET_LIMIT, as in zmq.h
    THREAD_SCHED_POLICY = 4
    MAX_MSGSZ = 5
    MSG_T_SIZE = 6
    THREAD_AFFINITY_CPU_ADD = 7
    THREAD_AFFINITY_CPU_REMOVE = 8
    THREAD_NAME_PREFIX = 9
    # draft
    ZERO_COPY_RECV = 10


class SocketType(IntEnum):
    """Socket types for ``Context.socket``."""

    PAIR = 0
    PUB = 1
    SUB = 2
    REQ = 3
    REP = 4
    DEALER = 5
    ROUTER = 6
    PULL = 7
    PUSH = 8
    XPUB = 9
    XSUB = 10
    STREAM = 11

    # deprecated aliases
    XREQ = DEALER
    XREP = ROUTER

    # draft socket types
    SERVER = 12
    CLIENT = 13
    RADIO = 14
    DISH = 15
    GATHER = 16
    SCATTER = 17
    DGRAM = 18
    PEER = 19
    CHANNEL = 20


class SocketOption(IntEnum):
    """Options for ``Socket.get`` / ``Socket.set``; C types in SOCKET_OPTION_TYPES."""

    HWM = 1  # gone from libzmq 3+; pyzmq sets SNDHWM and RCVHWM for it
    AFFINITY = 4
    ROUTING_ID = 5
    SUBSCRIBE = 6
    UNSUBSCRIBE = 7
    RATE = 8
    RECOVERY_IVL = 9
    SNDBUF = 11
    RCVBUF = 12
    RCVMORE = 13
    FD = 14
    EVENTS = 15
    TYPE = 16
    LINGER = 17
    RECONNECT_IVL = 18
    BACKLOG = 19
    RECONNECT_IVL_MAX = 21
    MAXMSGSIZE = 22
    SNDHWM = 23
    RCVHWM = 24
    MULTICAST_HOPS = 25
    RCVTIMEO = 27
    SNDTIMEO = 28
    LAST_ENDPOINT = 32
    ROUTER_MANDATORY = 33
    TCP_KEEPALIVE = 34
    TCP_KEEPALIVE_CNT = 35
    TCP_KEEPALIVE_IDLE = 36
    TCP_KEEPALIVE_INTVL = 37
    IMMEDIATE = 39
    XPUB_VERBOSE = 40
    ROUTER_RAW = 41
    IPV6 = 42
    MECHANISM = 43
    PLAIN_SERVER = 44
    PLAIN_USERNAME = 45
    PLAIN_PASSWORD = 46
    CURVE_SERVER = 47
    CURVE_PUBLICKEY = 48
    CURVE_SECRETKEY = 49
    CURVE_SERVERKEY = 50
    PROBE_ROUTER = 51
    REQ_CORRELATE = 52
    REQ_RELAXED = 53
    CONFLATE = 54
    ZAP_DOMAIN = 55
    ROUTER_HANDOVER = 56
    TOS = 57
    CONNECT_ROUTING_ID = 61
    GSSAPI_SERVER = 62
    GSSAPI_PRINCIPAL = 63
    GSSAPI_SERVICE_PRINCIPAL = 64
    GSSAPI_PLAINTEXT = 65
    HANDSHAKE_IVL = 66
    SOCKS_PROXY = 68
    XPUB_NODROP = 69
    BLOCKY = 70
    XPUB_MANUAL = 71
    XPUB_WELCOME_MSG = 72
    STREAM_NOTIFY = 73
    INVERT_MATCHING = 74
    HEARTBEAT_IVL = 75
    HEARTBEAT_TTL = 76
    HEARTBEAT_TIMEOUT = 77
    XPUB_VERBOSER = 78
    CONNECT_TIMEOUT = 79
    TCP_MAXRT = 80
    THREAD_SAFE = 81
    MULTICAST_MAXTPDU = 84
    VMCI_BUFFER_SIZE = 85
    VMCI_BUFFER_MIN_SIZE = 86
    VMCI_BUFFER_MAX_SIZE = 87
    VMCI_CONNECT_TIMEOUT = 88
    USE_FD = 89
    GSSAPI_PRINCIPAL_NAMETYPE = 90
    GSSAPI_SERVICE_PRINCIPAL_NAMETYPE = 91
    BINDTODEVICE = 92

    # deprecated options and aliases
    IDENTITY = ROUTING_ID
    CONNECT_RID = CONNECT_ROUTING_ID
    TCP_ACCEPT_FILTER = 38
    IPC_FILTER_PID = 58
    IPC_FILTER_UID = 59
    IPC_FILTER_GID = 60
    IPV4ONLY = 31
    DELAY_ATTACH_ON_CONNECT = IMMEDIATE
    FAIL_UNROUTABLE = ROUTER_MANDATORY
    ROUTER_BEHAVIOR = ROUTER_MANDATORY

    # draft options (libzmq 4.3.4)
    ZAP_ENFORCE_DOMAIN = 93
    LOOPBACK_FASTPATH = 94
    METADATA = 95
    MULTICAST_LOOP = 96
    ROUTER_NOTIFY = 97
    XPUB_MANUAL_LAST_VALUE = 98
    SOCKS_USERNAME = 99
    SOCKS_PASSWORD = 100
    IN_BATCH_SIZE = 101
    OUT_BATCH_SIZE = 102
    WSS_KEY_PEM = 103
    WSS_CERT_PEM = 104
    WSS_TRUST_PEM = 105
    WSS_HOSTNAME = 106
    WSS_TRUST_SYSTEM = 107
    ONLY_FIRST_SUBSCRIBE = 108
    RECONNECT_STOP = 109
    HELLO_MSG = 110
    DISCONNECT_MSG = 111
    PRIORITY = 112
    # draft options new in libzmq 4.3.5
    BUSY_POLL = 113
    HICCUP_MSG = 114
    XSUB_VERBOSE_UNSUBSCRIBE = 115
    TOPICS_COUNT = 116
    NORM_MODE = 117
    NORM_UNICAST_NACK = 118
    NORM_BUFFER_SIZE = 119
    NORM_SEGMENT_SIZE = 120
    NORM_BLOCK_SIZE = 121
    NORM_NUM_PARITY = 122
    NORM_NUM_AUTOPARITY = 123
    NORM_PUSH = 124


class MessageOption(IntEnum):
    """Options for ``Frame.get``."""

    MORE = 1
    SHARED = 3
    SRCFD = 2  # deprecated


class Flag(IntFlag):
    """Flags for send and recv."""

    DONTWAIT = 1
    SNDMORE = 2
    NOBLOCK = DONTWAIT


class PollEvent(IntFlag):
    """Events for poll, and the bits of the EVENTS socket option."""

    POLLIN = 1
    POLLOUT = 2
    POLLERR = 4
    POLLPRI = 8


class SecurityMechanism(IntEnum):
    """Values of the MECHANISM socket option."""

    NULL = 0
    PLAIN = 1
    CURVE = 2
    GSSAPI = 3


class GSSAPINameType(IntEnum):
    """Values of the GSSAPI_(SERVICE_)PRINCIPAL_NAMETYPE options (top level: GSSAPI_NT_*).

    Not in pyzmq; the names are zmq.h's.
    """

    HOSTBASED = 0
    USER_NAME = 1
    KRB5_PRINCIPAL = 2


class RouterNotify(IntEnum):
    """Values of the ROUTER_NOTIFY option (draft; top level: NOTIFY_*)."""

    CONNECT = 1
    DISCONNECT = 2


class ReconnectStop(IntEnum):
    """Values of the RECONNECT_STOP option (draft; top level: RECONNECT_STOP_*)."""

    CONN_REFUSED = 0x1
    HANDSHAKE_FAILED = 0x2
    # libzmq 4.3.4's zmq.h says 0x3; 4.3.5 (and pyzmq) corrected it to 0x4.
    AFTER_DISCONNECT = 0x3


class NormMode(IntEnum):
    """Values of the NORM_MODE option (draft, libzmq 4.3.5; top level: NORM_*)."""

    FIXED = 0
    CC = 1
    CCL = 2
    CCE = 3
    CCE_ECNONLY = 4


class Event(IntFlag):
    """Socket monitor events (top level: EVENT_*) and handshake protocol errors.

    The PROTOCOL_ERROR_* codes are the values of an EVENT_HANDSHAKE_FAILED_PROTOCOL
    event; they keep their own name at top level.  They come first, so that the
    event bits are declared after the multi-bit values they overlap.
    """

    PROTOCOL_ERROR_WS_UNSPECIFIED = 0x30000000
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED = 0x10000000
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND = 0x10000001
    PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE = 0x10000002
    PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE = 0x10000003
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED = 0x10000011
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE = 0x10000012
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO = 0x10000013
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE = 0x10000014
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR = 0x10000015
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY = 0x10000016
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME = 0x10000017
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA = 0x10000018
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC = 0x11000001
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH = 0x11000002
    PROTOCOL_ERROR_ZAP_UNSPECIFIED = 0x20000000
    PROTOCOL_ERROR_ZAP_MALFORMED_REPLY = 0x20000001
    PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID = 0x20000002
    PROTOCOL_ERROR_ZAP_BAD_VERSION = 0x20000003
    PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE = 0x20000004
    PROTOCOL_ERROR_ZAP_INVALID_METADATA = 0x20000005

    CONNECTED = 0x0001
    CONNECT_DELAYED = 0x0002
    CONNECT_RETRIED = 0x0004
    LISTENING = 0x0008
    BIND_FAILED = 0x0010
    ACCEPTED = 0x0020
    ACCEPT_FAILED = 0x0040
    CLOSED = 0x0080
    CLOSE_FAILED = 0x0100
    DISCONNECTED = 0x0200
    MONITOR_STOPPED = 0x0400
    HANDSHAKE_FAILED_NO_DETAIL = 0x0800
    HANDSHAKE_SUCCEEDED = 0x1000
    HANDSHAKE_FAILED_PROTOCOL = 0x2000
    HANDSHAKE_FAILED_AUTH = 0x4000

    ALL_V1 = 0xFFFF
    ALL = ALL_V1

    # draft
    PIPES_STATS = 0x10000
    ALL_V2 = ALL_V1 | PIPES_STATS


class DeviceType(IntEnum):
    """Device kinds for ``zmq.device`` (the legacy zmq_device API)."""

    STREAMER = 1
    FORWARDER = 2
    QUEUE = 3


# ---------------------------------------------------------------------------
# Tables for the extension (not exported with *)
# ---------------------------------------------------------------------------

CONTEXT_OPTIONS = ContextOption  # every context option is a C int

# C type of each socket option's value, per zmq_setsockopt(3)/zmq_getsockopt(3):
#   "int"    int
#   "int64"  int64_t or uint64_t
#   "bytes"  binary data, returned as-is
#   "str"    NUL-terminated character string, returned as bytes without the NUL
#   "fd"     the platform's socket type (int on POSIX, SOCKET on Windows)
_INT64_OPTIONS = {"AFFINITY", "MAXMSGSIZE", "VMCI_BUFFER_SIZE",
                  "VMCI_BUFFER_MIN_SIZE", "VMCI_BUFFER_MAX_SIZE"}
_BYTES_OPTIONS = {"ROUTING_ID", "SUBSCRIBE", "UNSUBSCRIBE", "CONNECT_ROUTING_ID",
                  "XPUB_WELCOME_MSG", "CURVE_PUBLICKEY", "CURVE_SECRETKEY",
                  "CURVE_SERVERKEY", "HELLO_MSG", "DISCONNECT_MSG", "HICCUP_MSG"}
_STR_OPTIONS = {"LAST_ENDPOINT", "PLAIN_USERNAME", "PLAIN_PASSWORD", "ZAP_DOMAIN",
                "SOCKS_PROXY", "TCP_ACCEPT_FILTER", "BINDTODEVICE",
                "GSSAPI_PRINCIPAL", "GSSAPI_SERVICE_PRINCIPAL", "METADATA",
                "SOCKS_USERNAME", "SOCKS_PASSWORD", "WSS_KEY_PEM", "WSS_CERT_PEM",
                "WSS_TRUST_PEM", "WSS_HOSTNAME"}
_FD_OPTIONS = {"FD"}


def _option_type(name: str) -> str:
    for kind, names in (("int64", _INT64_OPTIONS), ("bytes", _BYTES_OPTIONS),
                        ("str", _STR_OPTIONS), ("fd", _FD_OPTIONS)):
        if name in names:
            return kind
    return "int"


SOCKET_OPTION_TYPES: dict[int, str] = {
    opt.value: _option_type(opt.name) for opt in SocketOption
}

# ---------------------------------------------------------------------------
# Module-level names: every enum member (aliases too), as the member itself
# ---------------------------------------------------------------------------

_ENUMS = (Errno, ContextOption, SocketType, SocketOption, MessageOption, Flag,
          PollEvent, SecurityMechanism, GSSAPINameType, RouterNotify,
          ReconnectStop, NormMode, Event, DeviceType)

_PREFIXES = {
    GSSAPINameType: "GSSAPI_NT_",
    RouterNotify: "NOTIFY_",
    ReconnectStop: "RECONNECT_STOP_",
    NormMode: "NORM_",
    Event: "EVENT_",
}


def _global_name(cls: type, name: str) -> str:
    """The module-level name of ``cls.<name>``."""
    if cls is Event and name.startswith("PROTOCOL_ERROR_"):
        return name
    return _PREFIXES.get(cls, "") + name


__all__ = ["Enum", "IntEnum", "IntFlag"] + [cls.__name__ for cls in _ENUMS] + _PLAIN_INTS

for _cls in _ENUMS:
    for _name, _member in _cls.__members__.items():
        _gname = _global_name(_cls, _name)
        if _gname in globals():
            raise RuntimeError(f"zmqx.constants: {_gname} defined twice")
        globals()[_gname] = _member
        __all__.append(_gname)

del _cls, _name, _member, _gname
