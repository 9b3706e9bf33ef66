# SPDX-License-Identifier: BSD-3-Clause
"""Type stub for zmqx._zmq, the extension module (the .pxi parts of _zmq.pyx).

Kept in step with the runtime by tests/test_typing.py (mypy.stubtest).  Socket
options are attributes (``s.linger = 0``) listed on _SocketCore; Context
options go through ``__getattr__``/``__setattr__`` and are typed ``Any``.
"""
import asyncio
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Final, Literal, TypeVar, overload

from typing_extensions import Buffer, Self, disjoint_base

from zmqx._asyncio_waiters import Waiters

_T = TypeVar("_T")

COPY_THRESHOLD: Final[int]
DEFAULT_PROTOCOL: int

# Something that can be polled: a zmqx socket, an fd, or an object with fileno().
_Pollable = Any
_Frames = list[bytes] | list[Frame]

# --- frames ---------------------------------------------------------------

@disjoint_base
class MessageTracker:
    @property
    def done(self) -> bool: ...
    def wait(self, timeout: float | None = -1) -> None: ...

@disjoint_base
class Frame:
    tracker: MessageTracker | None
    more: bool
    def __new__(
        cls,
        data: Buffer | None = None,
        track: bool = False,
        copy: bool | None = None,
        copy_threshold: int | None = None,
    ) -> Self: ...
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __len__(self) -> int: ...
    @property
    def bytes(self) -> bytes: ...
    @property
    def buffer(self) -> memoryview: ...
    @overload
    def get(self, option: int) -> int: ...
    @overload
    def get(self, option: str) -> str: ...
    def set(self, option: int, value: int) -> None: ...
    @property
    def routing_id(self) -> int: ...
    @property
    def group(self) -> str: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __copy__(self) -> Frame: ...
    def fast_copy(self) -> Frame: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

Message = Frame

def _debug_counters() -> dict[str, int] | None: ...
def zc_drain() -> int: ...
def zc_outstanding() -> int: ...

# --- contexts -------------------------------------------------------------

@disjoint_base
class Context:
    _socket_class: type[Socket] | None
    def __init__(self, io_threads: int = 1, *, shadow: int = 0) -> None: ...
    @classmethod
    def instance(cls, io_threads: int = 1) -> Self: ...
    @classmethod
    def shadow(cls, address: int) -> Self: ...
    @property
    def underlying(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def socket(self, socket_type: int, **kwargs: Any) -> Socket: ...
    def term(self) -> None: ...
    def destroy(self, linger: int | None = None) -> None: ...
    def get(self, option: int) -> int: ...
    def set(self, option: int, value: int) -> None: ...
    def getsockopt(self, option: int) -> int: ...
    def setsockopt(self, option: int, value: int) -> None: ...
    def __getattr__(self, name: str, /) -> Any: ...
    def __setattr__(self, name: str, value: Any, /) -> None: ...
    def __delattr__(self, name: str, /) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None: ...

# --- sockets --------------------------------------------------------------

@disjoint_base
class _EndpointContext:
    """What bind()/connect() return: ``with`` undoes the call on exit."""

    @property
    def socket(self) -> _SocketCore: ...
    @property
    def method(self) -> str: ...
    @property
    def addr(self) -> str | bytes: ...
    def __enter__(self) -> _SocketCore: ...
    def __exit__(self, *exc: object) -> None: ...

@disjoint_base
class _SocketCore:
    copy_threshold: int
    @property
    def context(self) -> Context | None: ...
    def __init__(
        self,
        context: Context | None = None,
        socket_type: int = -1,
        *,
        shadow: int = 0,
        copy_threshold: int | None = None,
    ) -> None: ...
    @classmethod
    def shadow(cls, address: int) -> Self: ...
    @property
    def closed(self) -> bool: ...
    @property
    def type(self) -> int: ...
    @property
    def underlying(self) -> int: ...
    def close(self, linger: int | None = None) -> None: ...
    def get(self, option: int) -> Any: ...
    def set(self, option: int, value: int | Buffer) -> None: ...
    def getsockopt(self, option: int) -> Any: ...
    def setsockopt(self, option: int, value: int | Buffer) -> None: ...
    # every socket option is an attribute (an _Option descriptor at runtime)
    affinity: int
    backlog: int
    bindtodevice: bytes
    blocky: int
    busy_poll: int
    conflate: int
    connect_rid: bytes
    connect_routing_id: bytes
    connect_timeout: int
    curve_publickey: bytes
    curve_secretkey: bytes
    curve_server: int
    curve_serverkey: bytes
    delay_attach_on_connect: int
    disconnect_msg: bytes
    events: int
    fail_unroutable: int
    fd: int
    gssapi_plaintext: int
    gssapi_principal: bytes
    gssapi_principal_nametype: int
    gssapi_server: int
    gssapi_service_principal: bytes
    gssapi_service_principal_nametype: int
    handshake_ivl: int
    heartbeat_ivl: int
    heartbeat_timeout: int
    heartbeat_ttl: int
    hello_msg: bytes
    hiccup_msg: bytes
    identity: bytes
    immediate: int
    in_batch_size: int
    invert_matching: int
    ipc_filter_gid: int
    ipc_filter_pid: int
    ipc_filter_uid: int
    ipv4only: int
    ipv6: int
    last_endpoint: bytes
    linger: int
    loopback_fastpath: int
    maxmsgsize: int
    mechanism: int
    metadata: bytes
    multicast_hops: int
    multicast_loop: int
    multicast_maxtpdu: int
    norm_block_size: int
    norm_buffer_size: int
    norm_mode: int
    norm_num_autoparity: int
    norm_num_parity: int
    norm_push: int
    norm_segment_size: int
    norm_unicast_nack: int
    only_first_subscribe: int
    out_batch_size: int
    plain_password: bytes
    plain_server: int
    plain_username: bytes
    priority: int
    probe_router: int
    rate: int
    rcvbuf: int
    rcvhwm: int
    rcvtimeo: int
    reconnect_ivl: int
    reconnect_ivl_max: int
    reconnect_stop: int
    recovery_ivl: int
    req_correlate: int
    req_relaxed: int
    router_behavior: int
    router_handover: int
    router_mandatory: int
    router_notify: int
    router_raw: int
    routing_id: bytes
    sndbuf: int
    sndhwm: int
    sndtimeo: int
    socks_password: bytes
    socks_proxy: bytes
    socks_username: bytes
    stream_notify: int
    tcp_accept_filter: bytes
    tcp_keepalive: int
    tcp_keepalive_cnt: int
    tcp_keepalive_idle: int
    tcp_keepalive_intvl: int
    tcp_maxrt: int
    thread_safe: int
    topics_count: int
    tos: int
    use_fd: int
    vmci_buffer_max_size: int
    vmci_buffer_min_size: int
    vmci_buffer_size: int
    vmci_connect_timeout: int
    wss_cert_pem: bytes
    wss_hostname: bytes
    wss_key_pem: bytes
    wss_trust_pem: bytes
    wss_trust_system: int
    xpub_manual: int
    xpub_manual_last_value: int
    xpub_nodrop: int
    xpub_verbose: int
    xpub_verboser: int
    xpub_welcome_msg: bytes
    xsub_verbose_unsubscribe: int
    zap_domain: bytes
    zap_enforce_domain: int
    @property
    def rcvmore(self) -> int: ...
    def fileno(self) -> int: ...
    def bind(self, addr: str | bytes) -> _EndpointContext: ...
    def connect(self, addr: str | bytes) -> _EndpointContext: ...
    def unbind(self, addr: str | bytes) -> None: ...
    def disconnect(self, addr: str | bytes) -> None: ...
    def monitor(self, addr: str | bytes | None, events: int = ...) -> None: ...
    def send(
        self,
        data: Buffer | Frame,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker | None: ...
    @overload
    def recv(self, flags: int = 0, copy: Literal[True] = True, track: bool = False) -> bytes: ...
    @overload
    def recv(self, flags: int, copy: Literal[False], track: bool = False) -> Frame: ...
    @overload
    def recv(self, flags: int = 0, *, copy: Literal[False], track: bool = False) -> Frame: ...
    @overload
    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> bytes | Frame: ...
    def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int: ...
    def send_multipart(
        self,
        msg_parts: Iterable[Buffer | Frame],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> MessageTracker | None: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, copy: Literal[True] = True, track: bool = False
    ) -> list[bytes]: ...
    @overload
    def recv_multipart(self, flags: int, copy: Literal[False], track: bool = False) -> list[Frame]: ...
    @overload
    def recv_multipart(
        self, flags: int = 0, *, copy: Literal[False], track: bool = False
    ) -> list[Frame]: ...
    @overload
    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False) -> _Frames: ...
    def poll(self, timeout: int | None = None, flags: int = ...) -> int: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...

class _SocketBatch(_SocketCore):
    def send_many(
        self, messages: Iterable[Buffer | Frame | Sequence[Buffer | Frame]], flags: int = 0,
        copy: bool = True,
    ) -> int: ...
    def recv_many(
        self, max_messages: int = 1000, timeout: int | None = -1, copy: bool = True
    ) -> list[Any]: ...
    def recv_multipart_into(self, buffers: Iterable[Buffer], flags: int = 0) -> list[Any]: ...

@disjoint_base
class Socket(_SocketBatch):
    @property
    def hwm(self) -> int: ...
    @hwm.setter
    def hwm(self, value: int) -> None: ...
    def set_string(self, option: int, optval: str, encoding: str = "utf-8") -> None: ...
    def get_string(self, option: int, encoding: str = "utf-8") -> str: ...
    def setsockopt_string(self, option: int, optval: str, encoding: str = "utf-8") -> None: ...
    def setsockopt_unicode(self, option: int, optval: str, encoding: str = "utf-8") -> None: ...
    def getsockopt_string(self, option: int, encoding: str = "utf-8") -> str: ...
    def getsockopt_unicode(self, option: int, encoding: str = "utf-8") -> str: ...
    def subscribe(self, topic: str | bytes) -> None: ...
    def unsubscribe(self, topic: str | bytes) -> None: ...
    def bind_to_random_port(
        self, addr: str, min_port: int = 49152, max_port: int = 65536, max_tries: int = 100
    ) -> int: ...
    def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> MessageTracker | None: ...
    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str: ...
    def send_unicode(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> MessageTracker | None: ...
    def recv_unicode(self, flags: int = 0, encoding: str = "utf-8") -> str: ...
    def send_json(self, obj: Any, flags: int = 0, **kwargs: Any) -> MessageTracker | None: ...
    def recv_json(self, flags: int = 0, **kwargs: Any) -> Any: ...
    def send_pyobj(
        self, obj: Any, flags: int = 0, protocol: int = ..., **kwargs: Any
    ) -> MessageTracker | None: ...
    def recv_pyobj(self, flags: int = 0) -> Any: ...
    def send_serialized(
        self,
        msg: Any,
        serialize: Callable[[Any], Iterable[Buffer | Frame]],
        flags: int = 0,
        copy: bool = True,
        **kwargs: Any,
    ) -> MessageTracker | None: ...
    def recv_serialized(
        self, deserialize: Callable[[Any], Any], flags: int = 0, copy: bool = True
    ) -> Any: ...
    def get_monitor_socket(self, events: int = ..., addr: str | None = None) -> Socket: ...
    def disable_monitor(self) -> None: ...

@disjoint_base
class _DoneFuture(asyncio.Future[_T]):
    """A future born done (see zmqx/_asyncio.pxi); an asyncio.Future to type checkers."""

    def __init__(self, result: _T | None = None, exception: BaseException | None = None
                 ) -> None: ...
    def send(self, value: object) -> Any: ...
    def __next__(self) -> Any: ...

@disjoint_base
class _AsyncSocket(Socket):
    """Base of zmqx.asyncio.Socket: its send and recv, returning futures (the rest is Python)."""

    _w: Waiters
    def send(  # type: ignore[override]
        self,
        data: Buffer | Frame,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> asyncio.Future[MessageTracker | None]: ...
    @overload  # type: ignore[override]
    def recv(self, flags: int = 0, copy: Literal[True] = True, track: bool = False
             ) -> asyncio.Future[bytes]: ...
    @overload
    def recv(self, flags: int, copy: Literal[False], track: bool = False
             ) -> asyncio.Future[Frame]: ...
    @overload
    def recv(self, flags: int = 0, *, copy: Literal[False], track: bool = False
             ) -> asyncio.Future[Frame]: ...
    @overload
    def recv(self, flags: int = 0, copy: bool = True, track: bool = False
             ) -> asyncio.Future[bytes | Frame]: ...

def _current_loop() -> asyncio.AbstractEventLoop: ...

# --- polling, devices -----------------------------------------------------

@disjoint_base
class PollSet:
    def __new__(cls, strategy: Literal["epoll", "zmq_poll"] | None = None) -> Self: ...
    @property
    def strategy(self) -> str: ...
    def register(self, obj: _Pollable, events: int) -> None: ...
    def modify(self, obj: _Pollable, events: int) -> None: ...
    def unregister(self, obj: _Pollable) -> None: ...
    def events(self, obj: _Pollable) -> int: ...
    def entries(self) -> list[tuple[_Pollable, int]]: ...
    def __len__(self) -> int: ...
    def __contains__(self, obj: object, /) -> bool: ...
    def poll(self, timeout: int = -1) -> list[tuple[_Pollable, int]]: ...

def zmq_poll(sockets: Iterable[tuple[_Pollable, int]], timeout: int = -1) -> list[tuple[_Pollable, int]]: ...
def proxy(
    frontend: _SocketCore, backend: _SocketCore, capture: _SocketCore | None = None
) -> None: ...
def proxy_steerable(
    frontend: _SocketCore,
    backend: _SocketCore,
    capture: _SocketCore | None = None,
    control: _SocketCore | None = None,
) -> None: ...
def priority_proxy(
    frontends: Sequence[_SocketCore],
    backend: _SocketCore,
    capture: _SocketCore | None = None,
    control: _SocketCore | None = None,
) -> list[int]: ...
def monitored_queue(
    in_socket: _SocketCore,
    out_socket: _SocketCore,
    mon_socket: _SocketCore,
    in_prefix: bytes = b"in",
    out_prefix: bytes = b"out",
) -> None: ...

# --- library --------------------------------------------------------------

def zmq_version_info() -> tuple[int, int, int]: ...
def zmq_version() -> str: ...
def has(capability: str | bytes) -> bool: ...
def strerror(errnum: int) -> str: ...
def zmq_errno() -> int: ...
def curve_keypair() -> tuple[bytes, bytes]: ...
def curve_public(secret_key: str | Buffer) -> bytes: ...
def z85_encode(data: Buffer) -> bytes: ...
def z85_decode(text: str | Buffer) -> bytes: ...

# --- ZAP handler hot path (_zap.pxi; used by zmqx.auth) -----------------------

@disjoint_base
class _ZapPolicy:
    def __init__(
        self,
        python_only: bool = False,
        ip_mode: int = 0,
        ips: Iterable[bytes] = (),
        allow_any: bool = False,
        curve_python: bool = False,
        curve: dict[bytes, list[bytes]] | None = None,
        passwords: dict[bytes, dict[bytes, bytes]] | None = None,
        have_passwords: bool = False,
    ) -> None: ...

@disjoint_base
class _ZapCore:
    answered: int
    def __init__(self, zap: _SocketCore, policy: _ZapPolicy) -> None: ...
    def set_policy(self, policy: _ZapPolicy) -> None: ...
    def serve(self, pipe: _SocketCore | None = None, block: bool = True) -> list[bytes] | None: ...
