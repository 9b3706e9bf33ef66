# SPDX-License-Identifier: BSD-3-Clause
# _batch.pxi -- _SocketBatch: many messages, or many caller buffers, per call.
#
# Each message still goes through _SocketCore's one frame path (_send_frame /
# _io), so a batch costs the libzmq calls plus one Python call, not one per
# message.  The GIL is released only where a call has to wait (see _io.pxi):
# on a socket that takes or has messages, releasing it per message would cost
# more than the message itself.


cdef class _SocketBatch(_SocketCore):
    """send_many / recv_many / recv_multipart_into over _SocketCore's frame path.

    Invariant: a batch never loses a message silently.  send_many reports how
    many messages libzmq accepted (its return value, or ``.sent`` on the
    exception); recv_many returns every message it took off the socket.
    """

    def send_many(self, messages, int flags=0, bint copy=True):
        """Send each item of ``messages`` as one message: bytes, a buffer or a
        Frame is a single frame; a list or tuple is a multipart message.

        Every item is checked before the first is sent.  Returns how many
        messages were sent: with DONTWAIT it stops at the first message libzmq
        cannot take now.  Any other error propagates with ``e.sent`` set to the
        number of messages sent before it.
        """
        cdef Py_ssize_t i, n, sent = 0
        seq = messages if type(messages) is list or type(messages) is tuple else list(messages)
        n = len(seq)
        checked = []
        for i in range(n):
            m = seq[i]
            multipart = type(m) is list or type(m) is tuple
            if multipart and not m:
                raise ValueError(f"message {i} has no frames")
            try:
                checked.append(_checked_parts(m) if multipart else _checked_parts((m,))[0])
            except TypeError as e:
                raise TypeError(f"message {i}: {e}") from None
        self._check_open()
        try:
            for i in range(n):
                m = checked[i]
                if type(m) is list or type(m) is tuple:
                    self._send_parts(m, flags, copy, None)
                else:
                    self._send_frame(m, flags, copy, None)
                sent += 1
        except _errors.Again:
            if flags & lz.ZMQ_DONTWAIT:
                return sent
            raise
        except BaseException as e:
            if isinstance(e, Exception):
                e.sent = sent
            raise
        return sent

    def recv_many(self, Py_ssize_t max_messages=1000, timeout=-1, bint copy=True):
        """Wait up to ``timeout`` ms (-1: forever, 0: not at all) for a message,
        then return it and every message already queued behind it, at most
        ``max_messages``.  A message is bytes (a Frame with ``copy=False``), or
        a list of them when it has several frames.  [] when the wait timed out.
        """
        cdef list out = []
        cdef list parts
        cdef int more = 0
        if max_messages < 1:
            raise ValueError("max_messages must be >= 1")
        if timeout != 0 and not self._poll_self(lz.ZMQ_POLLIN, -1 if timeout is None else timeout):
            return out
        while len(out) < max_messages:
            first = self._recv_frame(0, copy, &more, False)
            if first is None:
                break
            if not more:
                out.append(first)
                continue
            parts = [first]
            while more:  # the rest of a multipart message is already here
                parts.append(self._recv_frame(0, copy, &more, False))
            out.append(parts)
        return out

    def recv_multipart_into(self, buffers, int flags=0):
        """Receive one multipart message into writable ``buffers``, frame i into
        buffers[i].  Returns each frame's full size (larger than its buffer when
        truncated); frames beyond the last buffer are returned as bytes instead,
        so nothing is lost.  Every buffer is checked before anything is received.
        """
        cdef Py_ssize_t i, nb
        cdef Py_buffer *views
        cdef list out = []
        cdef int rc
        bufs = buffers if type(buffers) is list or type(buffers) is tuple else list(buffers)
        nb = len(bufs)
        self._check_open()
        views = <Py_buffer *>malloc(max(nb, 1) * sizeof(Py_buffer))
        if views == NULL:
            raise MemoryError()
        i = 0
        try:
            while i < nb:
                PyObject_GetBuffer(bufs[i], &views[i], PyBUF_WRITABLE)
                i += 1
            more = 1
            while more:
                if len(out) < nb:
                    rc = _io(self, _RECV_BUF, NULL, views[len(out)].buf,
                             views[len(out)].len, flags)
                    out.append(rc)
                else:
                    out.append(self._recv_frame(flags, True, NULL, True))
                more = _get_int_opt(self.handle, lz.ZMQ_RCVMORE)
            return out
        finally:
            while i > 0:
                i -= 1
                PyBuffer_Release(&views[i])
            free(views)
