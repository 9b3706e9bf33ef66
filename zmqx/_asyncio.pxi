# SPDX-License-Identifier: BSD-3-Clause
# _asyncio.pxi -- _AsyncSocket: the awaited send/recv fast paths of
# zmqx.asyncio.Socket, compiled.  While nobody waits on the socket, a frame
# that can move now moves with no Future, no exception and no trip through the
# event loop.  Waiting, waking and cancellation are zmqx/_asyncio_waiters.py.


cdef class _AsyncSocket(Socket):
    """Base class of zmqx.asyncio.Socket, whose __init__ sets ``_w`` (its
    Waiters: ``_w.n`` counts the calls waiting on this socket).

    Invariant: the fast path runs only while ``_w.n == 0``, so it never
    overtakes a queued caller (FIFO per direction)."""

    async def send(self, data, int flags=0, bint copy=True, bint track=False,
                   routing_id=None, group=None):
        """Send one frame; returns what the blocking send returns (a tracker or None)."""
        w = self._w
        args = (self, data, flags | lz.ZMQ_DONTWAIT, copy, track, routing_id, group)
        if w.n:
            return await w.io(self, False, _SocketCore.send, args, flags & lz.ZMQ_DONTWAIT)
        if track or routing_id is not None or group is not None:
            try:
                return _SocketCore.send(*args)
            except _errors.Again:
                if flags & lz.ZMQ_DONTWAIT:
                    raise
        elif self._send_now(data, flags, copy):
            return None
        elif flags & lz.ZMQ_DONTWAIT:
            _raise_errno(EAGAIN)
        return await w.wait(self, False, _SocketCore.send, args)

    async def recv(self, int flags=0, bint copy=True, bint track=False):
        """Receive one frame: bytes, or with ``copy=False`` a Frame."""
        w = self._w
        if w.n:
            return await w.io(self, True, _SocketCore.recv,
                              (self, flags | lz.ZMQ_DONTWAIT, copy), flags & lz.ZMQ_DONTWAIT)
        frame = self._recv_frame(flags, copy, NULL, False)
        if frame is not None:
            return frame
        if flags & lz.ZMQ_DONTWAIT:
            _raise_errno(EAGAIN)
        return await w.wait(self, True, _SocketCore.recv, (self, flags | lz.ZMQ_DONTWAIT, copy))
