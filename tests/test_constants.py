# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.constants against libzmq's own header, and its pyzmq-shaped namespace."""
import enum
import errno
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_constants():
    """Load zmqx/constants.py by path: must work without the extension or zmqx/__init__."""
    spec = importlib.util.spec_from_file_location(
        "_zmqx_constants_under_test", ROOT / "zmqx" / "constants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


C = _load_constants()


def _zmq_h() -> Path:
    try:
        inc = subprocess.run(["pkg-config", "--variable=includedir", "libzmq"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        inc = ""
    for d in (inc, "/usr/include", "/usr/local/include"):
        if d and (Path(d) / "zmq.h").is_file():
            return Path(d) / "zmq.h"
    raise AssertionError("zmq.h not found: install libzmq3-dev")


_DEFINE = re.compile(r"^\s*#\s*define\s+ZMQ_(\w+)\s+(.+?)\s*(?:/[/*].*)?$")


def parse_zmq_h(path):
    """{NAME: (value, is_draft)} for every ZMQ_ define in zmq.h with an integer value.

    Values may be literals, other ZMQ_ names, or ``A | B`` of those; a define is
    draft when it sits inside ``#ifdef ZMQ_BUILD_DRAFT_API``.
    """
    raw = {}
    stack = []  # one flag per open #if: does it open the draft section?
    for line in path.read_text().splitlines():
        directive = line.strip()
        if re.match(r"#\s*if", directive):
            stack.append(bool(re.match(r"#\s*ifdef\s+ZMQ_BUILD_DRAFT_API\b", directive)))
            continue
        if re.match(r"#\s*endif", directive):
            stack.pop()
            continue
        m = _DEFINE.match(line)
        if m and "(" not in m.group(1):
            raw[m.group(1)] = (m.group(2), any(stack))

    def evaluate(expr, seen=()):
        total = 0
        for part in expr.split("|"):
            part = part.strip().strip("()")
            if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)", part):
                total |= int(part, 0)
            elif part.startswith("ZMQ_") and part[4:] in raw and part not in seen:
                value = evaluate(raw[part[4:]][0], seen + (part,))
                if value is None:
                    return None
                total |= value
            else:
                return None
        return total

    out = {}
    for name, (expr, draft) in raw.items():
        value = evaluate(expr)
        if value is not None:
            out[name] = (value, draft)
    return out


HEADER = parse_zmq_h(_zmq_h())

# zmq.h integer defines that are not constants of this module, and why.
NOT_CONSTANTS = {
    "VERSION_MAJOR", "VERSION_MINOR", "VERSION_PATCH",  # the extension reports the version
    "DEFINED_STDINT", "HAS_CAPABILITIES",  # header feature macros
    "CURRENT_EVENT_VERSION", "CURRENT_EVENT_VERSION_DRAFT",  # monitor API versions (draft)
}
# Draft names whose value libzmq changed after 4.3.4: {name: {accepted values}}.
DRAFT_CHANGED = {"RECONNECT_STOP_AFTER_DISCONNECT": {0x3, 0x4}}


def test_header_parser_sees_the_whole_header():
    stable = [n for n, (_, draft) in HEADER.items() if not draft]
    draft = [n for n, (_, draft) in HEADER.items() if draft]
    assert len(stable) > 170, stable
    assert len(draft) > 35, draft
    # literals, aliases and hex all resolved
    assert HEADER["PUSH"] == (8, False)
    assert HEADER["XREQ"] == (5, False)
    assert HEADER["EVENT_ALL"] == (0xFFFF, False)
    assert HEADER["SERVER"] == (12, True)


def _defines(draft):
    return sorted(n for n, (_, d) in HEADER.items() if d == draft and n not in NOT_CONSTANTS)


def test_exclusions_are_real_defines():
    assert NOT_CONSTANTS <= set(HEADER)
    assert not any(hasattr(C, name) for name in NOT_CONSTANTS)


@pytest.mark.parametrize("name", _defines(draft=False))
def test_every_stable_define_is_a_constant(name):
    value = HEADER[name][0]
    assert hasattr(C, name), f"ZMQ_{name} missing"
    assert getattr(C, name) == value, f"ZMQ_{name}: {getattr(C, name)!r} != {value}"
    assert name in C.__all__


@pytest.mark.parametrize("name", _defines(draft=True))
def test_every_draft_define_is_a_constant(name):
    value = HEADER[name][0]
    assert hasattr(C, name), f"draft ZMQ_{name} missing"
    assert getattr(C, name) in DRAFT_CHANGED.get(name, {value})


def test_known_values():
    assert C.SocketType.PUB == 1 and C.SocketType.CHANNEL == 20
    assert C.SocketOption.LAST_ENDPOINT == 32
    assert C.SocketOption.NORM_PUSH == 124  # libzmq 4.3.5 draft
    assert C.ContextOption.THREAD_NAME_PREFIX == 9
    assert C.Event.ALL_V2 == 0x1FFFF
    assert C.PROTOCOL_ERROR_ZAP_INVALID_METADATA == 0x20000005
    assert C.ETERM == 156384712 + 53
    assert C.ReconnectStop.AFTER_DISCONNECT == 0x3  # libzmq 4.3.4's zmq.h


def test_errno_values_follow_the_os_like_zmq_h():
    hn = C.HAUSNUMERO
    posix = ["EAGAIN", "EFAULT", "EINVAL", "EINTR", "ENOTSUP", "EPROTONOSUPPORT",
             "ENOBUFS", "ENETDOWN", "EADDRINUSE", "EADDRNOTAVAIL", "ECONNREFUSED",
             "EINPROGRESS", "ENOTSOCK", "EMSGSIZE", "EAFNOSUPPORT", "ENETUNREACH",
             "ECONNABORTED", "ECONNRESET", "ENOTCONN", "ETIMEDOUT", "EHOSTUNREACH",
             "ENETRESET"]
    for offset, name in enumerate(posix[4:], start=1):
        if sys.platform.startswith("win"):
            continue
        assert C.Errno[name] == getattr(errno, name, hn + offset), name
    for name in posix[:4]:
        assert C.Errno[name] == getattr(errno, name)
    assert [C.EFSM, C.ENOCOMPATPROTO, C.ETERM, C.EMTHREAD] == [hn + 51, hn + 52, hn + 53, hn + 54]
    assert C.ENOTSUP is C.Errno.ENOTSUP


def test_enum_kinds():
    flags = {C.Flag, C.PollEvent, C.Event}
    for cls in C._ENUMS:
        if cls in flags:
            assert issubclass(cls, enum.IntFlag), cls
        else:
            assert issubclass(cls, enum.IntEnum) and not issubclass(cls, enum.IntFlag), cls
    assert C.POLLIN | C.POLLOUT == 3 and isinstance(C.POLLIN | C.POLLOUT, C.PollEvent)
    assert isinstance(C.DONTWAIT | C.SNDMORE, C.Flag)


@pytest.mark.parametrize("alias, target", [
    ("NOBLOCK", "DONTWAIT"), ("IDENTITY", "ROUTING_ID"), ("XREQ", "DEALER"),
    ("XREP", "ROUTER"), ("CONNECT_RID", "CONNECT_ROUTING_ID"),
    ("DELAY_ATTACH_ON_CONNECT", "IMMEDIATE"), ("FAIL_UNROUTABLE", "ROUTER_MANDATORY"),
    ("ROUTER_BEHAVIOR", "ROUTER_MANDATORY"), ("THREAD_PRIORITY", "SOCKET_LIMIT"),
    ("EVENT_ALL", "EVENT_ALL_V1"),
])
def test_aliases_are_the_same_member(alias, target):
    assert getattr(C, alias) is getattr(C, target)


def test_prefixed_top_level_names():
    assert C.EVENT_CONNECTED is C.Event.CONNECTED
    assert C.EVENT_HANDSHAKE_FAILED_AUTH is C.Event.HANDSHAKE_FAILED_AUTH
    assert C.PROTOCOL_ERROR_WS_UNSPECIFIED is C.Event.PROTOCOL_ERROR_WS_UNSPECIFIED
    assert C.NOTIFY_CONNECT is C.RouterNotify.CONNECT
    assert C.NOTIFY_DISCONNECT is C.RouterNotify.DISCONNECT
    assert C.RECONNECT_STOP_CONN_REFUSED is C.ReconnectStop.CONN_REFUSED
    assert C.NORM_CCE_ECNONLY is C.NormMode.CCE_ECNONLY
    assert C.GSSAPI_NT_USER_NAME is C.GSSAPINameType.USER_NAME
    assert C.NULL is C.SecurityMechanism.NULL
    assert C.STREAMER is C.DeviceType.STREAMER
    for unprefixed in ("CONNECTED", "CONNECT", "FIXED", "CONN_REFUSED"):
        assert not hasattr(C, unprefixed), unprefixed


def test_every_member_exported_and_all_is_exact():
    exported = set()
    for cls in C._ENUMS:
        for name, member in cls.__members__.items():
            gname = C._global_name(cls, name)
            assert getattr(C, gname) is member, gname
            exported.add(gname)
    assert len(C.__all__) == len(set(C.__all__)), "duplicate names in __all__"
    for name in C.__all__:
        assert hasattr(C, name), name
    enum_names = {n for n in C.__all__ if isinstance(getattr(C, n), enum.Enum)}
    assert enum_names == exported
    assert "SOCKET_OPTION_TYPES" not in C.__all__


def test_star_import_gives_pyzmq_style_namespace():
    ns = {}
    sys.modules["_zmqx_constants_under_test"] = C
    try:
        exec("from _zmqx_constants_under_test import *", ns)
    finally:
        del sys.modules["_zmqx_constants_under_test"]
    assert ns["PUSH"] is C.SocketType.PUSH
    assert ns["SocketOption"] is C.SocketOption
    assert "_os_errno" not in ns and "SOCKET_OPTION_TYPES" not in ns


def test_socket_option_types_cover_every_option():
    kinds = {"int", "int64", "bytes", "str", "fd"}
    types = C.SOCKET_OPTION_TYPES
    assert set(types) == {m.value for m in C.SocketOption.__members__.values()}
    assert set(types.values()) == kinds
    assert all(type(k) is int for k in types)


@pytest.mark.parametrize("option, kind", [
    ("AFFINITY", "int64"), ("MAXMSGSIZE", "int64"), ("VMCI_BUFFER_MAX_SIZE", "int64"),
    ("ROUTING_ID", "bytes"), ("IDENTITY", "bytes"), ("SUBSCRIBE", "bytes"),
    ("CURVE_SERVERKEY", "bytes"), ("XPUB_WELCOME_MSG", "bytes"),
    ("LAST_ENDPOINT", "str"), ("ZAP_DOMAIN", "str"), ("TCP_ACCEPT_FILTER", "str"),
    ("BINDTODEVICE", "str"), ("SOCKS_PASSWORD", "str"), ("METADATA", "str"),
    ("FD", "fd"), ("LINGER", "int"), ("EVENTS", "int"), ("RCVMORE", "int"), ("HWM", "int"),
])
def test_socket_option_type(option, kind):
    assert C.SOCKET_OPTION_TYPES[C.SocketOption[option]] == kind


def test_context_options_table():
    assert C.CONTEXT_OPTIONS is C.ContextOption


def test_imports_without_the_package(tmp_path):
    """A fresh interpreter loads the file alone: no zmqx package, no extension."""
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('c', {str(ROOT / 'zmqx' / 'constants.py')!r})\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "assert not any(k == 'zmqx' or k.startswith('zmqx.') for k in sys.modules)\n"
            "print(int(m.PUSH))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "8"
