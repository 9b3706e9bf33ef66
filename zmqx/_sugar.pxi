# SPDX-License-Identifier: BSD-3-Clause
# _sugar.pxi -- Socket: the pyzmq conveniences over _SocketCore (strings,
# serialisation, random ports, subscriptions, monitor sockets).  None of it is
# on the frame path; it only calls _SocketCore's methods.

import json as _json
import pickle as _pickle

DEFAULT_PROTOCOL = _pickle.DEFAULT_PROTOCOL


cdef class Socket(_SocketBatch):
    """A ZeroMQ socket with pyzmq's API.  See _SocketCore for the invariants."""

    @property
    def hwm(self):
        """SNDHWM (setting it sets SNDHWM and RCVHWM)."""
        return self.get(lz.ZMQ_SNDHWM)

    @hwm.setter
    def hwm(self, int value):
        self.set(lz.ZMQ_SNDHWM, value)
        self.set(lz.ZMQ_RCVHWM, value)

    def set_string(self, int option, str optval, encoding="utf-8"):
        """Set a text option from str."""
        self.set(option, optval.encode(encoding))

    def get_string(self, int option, encoding="utf-8"):
        """A text option as str."""
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

    def send_string(self, str u, int flags=0, bint copy=True, encoding="utf-8", **kwargs):
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

    def send_pyobj(self, obj, int flags=0, protocol=DEFAULT_PROTOCOL, **kwargs):
        """Send ``obj`` pickled.  Only unpickle data from peers you trust."""
        return self.send(_pickle.dumps(obj, protocol), flags, **kwargs)

    def recv_pyobj(self, int flags=0):
        return _pickle.loads(self._recv_frame(flags, True, NULL, True))

    def send_serialized(self, msg, serialize, int flags=0, bint copy=True, **kwargs):
        """Send ``serialize(msg)``, a list of frames, as one multipart message."""
        return self.send_multipart(serialize(msg), flags, copy, **kwargs)

    def recv_serialized(self, deserialize, int flags=0, bint copy=True):
        """Receive a multipart message and return ``deserialize(frames)``."""
        return deserialize(self.recv_multipart(flags, copy))

    # --- monitoring -------------------------------------------------------

    def get_monitor_socket(self, int events=lz.ZMQ_EVENT_ALL, addr=None):
        """A PAIR socket receiving this socket's monitor events (the same one on
        every call until disable_monitor())."""
        if self._monitor_socket is not None and not self._monitor_socket.closed:
            return self._monitor_socket
        if addr is None:
            addr = f"inproc://monitor.s-{<size_t>self.handle:x}"
        self.monitor(addr, events)
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


_install_options(_SocketCore, Socket)
