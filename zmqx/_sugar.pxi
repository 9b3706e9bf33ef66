# SPDX-License-Identifier: BSD-3-Clause
# _sugar.pxi -- Socket: the pyzmq conveniences over _SocketCore (strings,
# serialisation, random ports, subscriptions, monitor sockets).  None of it is
# on the frame path; it only calls _SocketCore's methods.

import json as _json
import pickle  # not aliased: inspect resolves send_pyobj's default pickle.DEFAULT_PROTOCOL

DEFAULT_PROTOCOL = pickle.DEFAULT_PROTOCOL


cdef class Socket(_SocketBatch):
    """Socket(ctx_or_socket=None, socket_type=0, *, shadow=0, copy_threshold=None)
--

A ZeroMQ socket with pyzmq's API.  See _SocketCore for the invariants.

    Attributes, as pyzmq: every socket option in lower or upper case
    (``sock.linger``, ``sock.LINGER``: _Option descriptors on _SocketCore),
    other cases when set (``sock.Linger = 0``), and ordinary attributes
    (``sock.name = "backend"``, in the instance ``__dict__``: see
    _drop_dict).  Setting an unknown all-upper-case name raises AttributeError.
    """

    def __cinit__(self, *args, **kwargs):
        _drop_dict(self)

    def __setattr__(self, str name, value):
        cdef PyObject *descr = _PyType_Lookup(type(self), name)
        if descr != NULL and Py_TYPE(<object>descr).tp_descr_set != NULL:
            # options, properties, cdef attributes: the common, fast case
            Py_TYPE(<object>descr).tp_descr_set(<object>descr, self, value)
            return
        key = name.upper()
        if key == "SUBSCRIBE" or key == "UNSUBSCRIBE":  # not the methods: the options
            self.set(_SOCK_OPTIONS[key.lower()],
                     value.encode("utf-8") if isinstance(value, str) else value)
        elif descr == NULL and key.lower() in _SOCK_OPTIONS and not _in_dict(self, name):
            self.set(_SOCK_OPTIONS[key.lower()], value)  # sock.Linger = 0
        elif descr == NULL and name.isupper() and not _declared(type(self), name):
            raise AttributeError(f"{type(self).__name__} has no such option: {key}")
        else:
            PyObject_GenericSetAttr(self, name, value)

    def __dir__(self):
        return sorted(set(dir(type(self))) | set(_constants.SocketOption.__members__)
                      | set(_obj_dict(self)))

    @classmethod
    def __class_getitem__(cls, item):
        """``Socket[bytes]``, as pyzmq's generic Socket (for annotations)."""
        return _GenericAlias(cls, item)

    @property
    def socket_type(self):
        """Deprecated alias of ``type``, as pyzmq."""
        _warnings.warn("Socket.socket_type is deprecated, use Socket.type",
                       DeprecationWarning, stacklevel=2)
        return self.type

    def get_hwm(self):
        """The high-water mark: SNDHWM, or RCVHWM if SNDHWM cannot be read."""
        try:
            return self.get(lz.ZMQ_SNDHWM)
        except _errors.ZMQError:
            return self.get(lz.ZMQ_RCVHWM)

    def set_hwm(self, value):
        """Set SNDHWM and RCVHWM; raises the last error after trying both."""
        raised = None
        for option in (lz.ZMQ_SNDHWM, lz.ZMQ_RCVHWM):
            try:
                self.set(option, value)
            except Exception as e:
                raised = e
        if raised is not None:
            raise raised

    hwm = property(get_hwm, set_hwm, None, "SNDHWM (RCVHWM if unreadable); setting sets both.")

    def join(self, group):
        """DISH: join ``group``.  Needs libzmq's draft API, which zmqx does not use."""
        raise _errors.DraftAPIUnavailable("join")

    def leave(self, group):
        """DISH: leave ``group``.  Needs libzmq's draft API, which zmqx does not use."""
        raise _errors.DraftAPIUnavailable("leave")

    def set_string(self, int option, optval, encoding="utf-8"):
        """Set a text option from str."""
        if not isinstance(optval, str):
            raise TypeError(f"strings only, not {type(optval)}: {optval!r}")
        self.set(option, optval.encode(encoding))

    def get_string(self, int option, encoding="utf-8"):
        """A text option as str."""
        if _kind_of(option) != _OPT_BYTES and _kind_of(option) != _OPT_STR:
            raise TypeError(f"option {option} will not return a string to be decoded")
        return self.get(option).decode(encoding)

    setsockopt_string = setsockopt_unicode = set_string
    getsockopt_string = getsockopt_unicode = get_string

    def subscribe(self, topic):
        """SUB: subscribe to ``topic`` (str is UTF-8 encoded)."""
        self.set(lz.ZMQ_SUBSCRIBE, topic.encode() if isinstance(topic, str) else topic)

    def unsubscribe(self, topic):
        self.set(lz.ZMQ_UNSUBSCRIBE, topic.encode() if isinstance(topic, str) else topic)

    def bind_to_random_port(self, str addr, int min_port=49152, int max_port=65536,
                            int max_tries=100):
        """Bind to a free port of ``addr`` (e.g. "tcp://127.0.0.1"); return the port."""
        if min_port == 49152 and max_port == 65536:
            # let the OS pick from its ephemeral range
            self.bind(f"{addr}:*")
            return int(self.get(lz.ZMQ_LAST_ENDPOINT).rpartition(b":")[2])
        import random
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self.bind(f"{addr}:{port}")
            except _errors.ZMQError as e:
                if e.errno not in (_constants.EADDRINUSE, _constants.EACCES):
                    raise
            else:
                return port
        raise _errors.ZMQBindError("Could not bind socket to random port.")

    # --- text and serialised messages -------------------------------------

    def send_string(self, u, int flags=0, bint copy=True, encoding="utf-8", **kwargs):
        if not isinstance(u, str):
            raise TypeError("str objects only")
        return self.send(u.encode(encoding), flags, copy, **kwargs)

    def recv_string(self, int flags=0, encoding="utf-8"):
        return self._recv_frame(flags, True, NULL, True).decode(encoding)

    send_unicode = send_string
    recv_unicode = recv_string

    def send_json(self, obj, int flags=0, **kwargs):
        """Send ``obj`` as one JSON frame (keyword arguments go to json.dumps)."""
        send_kwargs = {k: kwargs.pop(k) for k in ("copy", "track", "routing_id", "group")
                       if k in kwargs}
        return self.send(_json.dumps(obj, **kwargs).encode("utf-8"), flags, **send_kwargs)

    def recv_json(self, int flags=0, **kwargs):
        return _json.loads(self._recv_frame(flags, True, NULL, True), **kwargs)

    def send_pyobj(self, obj, int flags=0, protocol=pickle.DEFAULT_PROTOCOL, **kwargs):
        """Send ``obj`` pickled.  Only unpickle data from peers you trust."""
        return self.send(pickle.dumps(obj, protocol), flags, **kwargs)

    def recv_pyobj(self, int flags=0):
        return pickle.loads(self._recv_frame(flags, True, NULL, True))

    def send_serialized(self, msg, serialize, int flags=0, bint copy=True, **kwargs):
        """Send ``serialize(msg)``, a list of frames, as one multipart message."""
        return self.send_multipart(serialize(msg), flags, copy, **kwargs)

    def recv_serialized(self, deserialize, int flags=0, bint copy=True):
        """Receive a multipart message and return ``deserialize(frames)``."""
        return deserialize(self.recv_multipart(flags, copy))

    # --- monitoring -------------------------------------------------------

    def get_monitor_socket(self, events=None, addr=None):
        """A PAIR socket receiving this socket's monitor events (the same one on
        every call until disable_monitor())."""
        if self._monitor_socket is not None and not self._monitor_socket.closed:
            return self._monitor_socket
        if addr is None:
            addr = f"inproc://monitor.s-{<size_t>self.handle:x}"
        self.monitor(addr, lz.ZMQ_EVENT_ALL if events is None else events)
        s = self.context.socket(lz.ZMQ_PAIR)
        s.connect(addr)
        self._monitor_socket = s
        return s

    def disable_monitor(self):
        """Stop monitoring and close the monitor socket."""
        self.monitor(None, 0)
        if self._monitor_socket is not None:
            self._monitor_socket.close(linger=0)
            self._monitor_socket = None


    def __repr__(self):
        cls = type(self)
        name = "zmqx.Socket" if cls is Socket else f"{cls.__module__}.{cls.__name__}"
        kind = getattr(self.type, "name", self._type)
        closed = " closed" if self.handle == NULL else ""
        return f"<{name}(zmq.{kind}) at {id(self):#x}{closed}>"


_install_options(_SocketCore, Socket)
_set_type_attr(Context, "_socket_class", Socket)

